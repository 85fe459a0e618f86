"""PCN and practice figures: from the real GPW files, into workforce-detail.json, kept in step.

Every import here is of a real file in ../shared/data/gpw; the data dir is a
real one in a temp dir, so the two TinyDB files are the ones gpwatch writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.store import StoreWriteError
from adapters.workforce import importer
from adapters.workforce.detail import DETAIL_FILE, DetailStamp, DetailTable, load_detail
from adapters.workforce.importer import import_files
from adapters.workforce.view import load_view
from adapters.workspace import Workspace
from tests.adapters.workforce.test_gpw_import import (
    DETAILED,
    HIGH,
    PCN_JUNE,
    PCN_MARCH,
    require_shared,
    rows_of,
)


def detailed_rows(month: str = "07") -> list[dict[str, str]]:
    rows = rows_of(require_shared(DETAILED))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[-1] == month]


def one(series: list, period: str) -> float:
    (figure,) = [f for f in series if f.period == period]
    return figure.value


def tables_in(data_dir: Path) -> dict[str, dict]:
    return json.loads((data_dir / DETAIL_FILE).read_text())


def test_practices_and_pcns_of_the_real_detailed_file(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(DETAILED)])
    read = load_detail(workspace)
    assert read.warnings == []
    index = read.index
    july = detailed_rows()
    # A named practice, its real value: Springwood Surgery, TOTAL_GP_FTE 5.906666667.
    springwood = index.series("gp_fte", "practice", "A81005")
    assert one(springwood, "2025-07") == pytest.approx(5.906666667, abs=1e-4)
    assert springwood[0].geography_name == "SPRINGWOOD SURGERY"
    assert index.parents[("practice", "A81005")] == {
        "pcn": "U07842",
        "sub_icb": "16C",
        "icb": "QHM",
        "region": "Y63",
    }
    # North Stockton PCN (U07032) is Queens Park (A81002) and Tennant Street (A81006).
    members = [r for r in july if r["pcn_code"] == "U07032"]
    assert sorted(r["prac_code"] for r in members) == ["A81002", "A81006"]
    pcn = index.series("gp_fte", "pcn", "U07032")
    total = sum(float(r["total_gp_fte"]) for r in members)
    assert one(pcn, "2025-07") == pytest.approx(total, abs=1e-4)  # stored to 4 places
    assert one(index.series("practices", "pcn", "U07032"), "2025-07") == 2
    assert index.parents[("pcn", "U07032")] == {"sub_icb": "16C", "icb": "QHM", "region": "Y63"}
    hc = index.series("gp_hc", "pcn", "U07032")[-1]
    assert "sum of practice headcounts" in hc.notes
    # Missing is missing: The Densham Surgery's nurses FTE is NA, so it has no figure,
    # and its PCN (Stockton, only Densham) has none either, never a zero.
    densham = next(r for r in july if r["prac_code"] == "A81001")
    assert densham["total_nurses_fte"] == "NA"
    assert index.series("nurses_fte", "practice", "A81001") == []
    assert index.series("nurses_fte", "pcn", densham["pcn_code"]) == []
    # Every July practice has a PCN: the PCNs add up to the sub-ICB above them.
    view, _ = load_view(workspace)
    sub_icb = one(view.series("gp_fte", "sub_icb", "16C"), "2025-07")
    pcns = [one(index.series("gp_fte", "pcn", c), "2025-07") for c in {r["pcn_code"] for r in july}]
    assert sum(pcns) == pytest.approx(sub_icb, abs=1e-3)


def test_pcn_individual_level_gives_distinct_people_per_pcn(workspace: Workspace) -> None:
    path = require_shared(PCN_MARCH)
    import_files(workspace, [path])
    index = load_detail(workspace).index
    rows = rows_of(path)
    header = [h.lower() for h in rows[0]]
    wokingham = [
        d for r in rows[1:] if (d := dict(zip(header, r, strict=True)))["pcn_code"] == "U68696"
    ]
    assert wokingham[0]["pcn_name"] == "WOKINGHAM WEST PCN"
    staff = index.series("pcn_staff_hc", "pcn", "U68696")
    assert one(staff, "2020-03") == len({d["unique_identifier"] for d in wokingham}) == 3
    assert "distinct people" in staff[0].notes
    fte = one(index.series("pcn_staff_fte", "pcn", "U68696"), "2020-03")
    assert fte == pytest.approx(sum(float(d["fte"]) for d in wokingham), abs=1e-4)
    assert index.parents[("pcn", "U68696")]["sub_icb"] == "15A"
    assert len(index.codes("pcn")) == len({r[header.index("pcn_code")] for r in rows[1:]})


def test_high_level_file_gives_its_practice(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(HIGH)])
    index = load_detail(workspace).index
    assert index.names[("practice", "A81038")] == "HIRSEL MEDICAL CENTRE"
    assert one(index.series("dpc_fte", "practice", "A81038"), "2024-08") == 0.0


def test_start_up_never_opens_the_detail_file(workspace: Workspace) -> None:
    """workforce.json holds sub-ICB and above only; the Overview's load_view reads nothing else."""
    import_files(workspace, [require_shared(DETAILED), require_shared(PCN_JUNE)])
    data_dir = workspace.data_dir
    main = json.loads((data_dir / "workforce.json").read_text())
    levels = {doc["geography_level"] for doc in main["figure_sets"].values()}
    assert levels == {"england", "region", "icb", "sub_icb"}
    detail = tables_in(data_dir)[DetailTable.TABLE]
    assert {doc["level"] for doc in detail.values()} == {"pcn", "practice"}
    # A fresh process: open the data dir and load what start-up loads.
    (data_dir / DETAIL_FILE).rename(data_dir / "moved-away.json")
    (data_dir / f"{DETAIL_FILE}.lock").unlink()
    fresh = Workspace.open(data_dir)
    view, warnings = load_view(fresh)
    assert warnings == [] and view.detail is None
    assert not (data_dir / f"{DETAIL_FILE}.lock").exists()
    assert view.places("pcn") == []


def test_reimport_replaces_in_both_files_never_doubles(workspace: Workspace) -> None:
    path = require_shared(DETAILED)
    import_files(workspace, [path])
    first = load_detail(workspace).index
    again = import_files(workspace, [path])
    assert again.replaced > 0
    second = load_detail(workspace)
    assert second.warnings == []
    tables = tables_in(workspace.data_dir)[DetailTable.TABLE]
    assert len(tables) == 4  # June and July, PCN and practice: once each
    for code in ("A81002", "A81006"):
        assert second.index.series("gp_fte", "practice", code) == first.series(
            "gp_fte", "practice", code
        )
    stamps = json.loads((workspace.data_dir / "workforce.json").read_text())[DetailStamp.TABLE]
    assert sorted((s["dataset"], s["period"], s["tables"]) for s in stamps.values()) == [
        ("gpw:practice_detailed", "2025-06", 2),
        ("gpw:practice_detailed", "2025-07", 2),
    ]
    assert {s["stamp"] for s in stamps.values()} == {
        t["stamp"] for t in tables.values()
    }  # one import's stamp on both files


def test_other_kinds_and_periods_keep_their_detail(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_MARCH), require_shared(DETAILED)])
    import_files(workspace, [require_shared(PCN_JUNE)])
    index = load_detail(workspace).index
    assert {(t.dataset, t.period, t.level) for t in index.tables} == {
        ("gpw:pcn_individual", "2020-03", "pcn"),
        ("gpw:pcn_individual", "2020-06", "pcn"),
        ("gpw:practice_detailed", "2025-06", "pcn"),
        ("gpw:practice_detailed", "2025-06", "practice"),
        ("gpw:practice_detailed", "2025-07", "pcn"),
        ("gpw:practice_detailed", "2025-07", "practice"),
    }


class Killed(BaseException):
    """The process dying between the two writes (not an error gpwatch could handle)."""


def fail_second_write(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    real = importer.write_tables
    calls = []

    def write(db: Any, updaters: Any) -> None:
        calls.append(db.path.name)
        if len(calls) == 2:  # workforce.json, after workforce-detail.json
            assert calls == [DETAIL_FILE, "workforce.json"]
            raise error
        real(db, updaters)

    monkeypatch.setattr(importer, "write_tables", write)


def test_a_crash_between_the_two_writes_is_seen_not_shown(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = require_shared(PCN_JUNE)
    import_files(workspace, [path])
    main_before = (workspace.data_dir / "workforce.json").read_bytes()
    with monkeypatch.context() as patch:
        fail_second_write(patch, Killed())
        with pytest.raises(Killed):
            import_files(workspace, [path])
    # workforce.json is the old import's; the detail file the new one's: they disagree,
    # and the reader says so instead of showing PCN figures from another import.
    assert (workspace.data_dir / "workforce.json").read_bytes() == main_before
    read = load_detail(workspace)
    assert read.index.codes("pcn") == []
    (warning,) = read.warnings
    assert "2020-06" in warning and "did not finish" in warning and "import" in warning
    # Importing again makes them agree.
    import_files(workspace, [path])
    read = load_detail(workspace)
    assert read.warnings == [] and len(read.index.codes("pcn")) == 497


def test_a_failed_workforce_json_write_puts_the_detail_file_back(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(workspace, [require_shared(PCN_MARCH)])
    detail_before = (workspace.data_dir / DETAIL_FILE).read_bytes()
    main_before = (workspace.data_dir / "workforce.json").read_bytes()
    fail_second_write(monkeypatch, StoreWriteError("could not save: the disk is full"))
    with pytest.raises(StoreWriteError):
        import_files(workspace, [require_shared(PCN_MARCH), require_shared(DETAILED)])
    assert (workspace.data_dir / DETAIL_FILE).read_bytes() == detail_before
    assert (workspace.data_dir / "workforce.json").read_bytes() == main_before
    assert load_detail(workspace).warnings == []


def test_a_corrupt_detail_file_is_kept_aside_and_reported(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_MARCH)])
    path = workspace.data_dir / DETAIL_FILE
    path.write_text('{"detail_tables": {"1": ')
    read = load_detail(workspace)
    assert any("kept, unchanged" in w for w in read.warnings)
    assert any("missing from workforce-detail.json (0 of 1 tables)" in w for w in read.warnings)
    aside = list(workspace.data_dir.glob(f"{DETAIL_FILE}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == '{"detail_tables": {"1": '
    import_files(workspace, [require_shared(PCN_MARCH)])
    assert load_detail(workspace).warnings == []


def test_a_bad_document_in_the_detail_file_is_named_not_fatal(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(DETAILED)])
    path = workspace.data_dir / DETAIL_FILE
    data = json.loads(path.read_text())
    doc_id, doc = next(iter(data[DetailTable.TABLE].items()))
    doc["values"]["gp_fte"] = doc["values"]["gp_fte"][:-1]  # one value short
    path.write_text(json.dumps(data))
    read = load_detail(workspace)
    assert any(f"#{doc_id}" in w and "values.gp_fte" in w for w in read.warnings)
    assert any("missing from workforce-detail.json" in w for w in read.warnings)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"codes": ["A1", "A1"], "names": ["x", "y"]}, "codes"),
        ({"level": "icb"}, "level"),
        ({"values": {"gp_fte": [float("nan")]}}, "values.gp_fte"),
        ({"parents": {"lmc": ["x"]}}, "parents"),
        ({"names": ["a", "b"]}, "names"),
    ],
)
def test_detail_table_validates(change: dict, field: str) -> None:
    from adapters.provenance import Source
    from adapters.validation import ValidationError

    base = {
        "dataset": "gpw:practice_detailed",
        "period": "2025-07",
        "level": "practice",
        "codes": ["A1"],
        "names": ["A practice"],
        "parents": {},
        "values": {"gp_fte": [1.0]},
        "source": Source("GPW"),
    }
    with pytest.raises(ValidationError) as caught:
        DetailTable(**{**base, **change})
    assert caught.value.args[0].startswith(field) or field in str(caught.value)
