"""The GPW importers on the real published files in ../shared/data/gpw, and on variants of them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.workforce.gpw import (
    GPWFileError,
    detect_kind,
    normalise_header,
    period_from_name,
    read_gpw_file,
)
from adapters.workforce.importer import import_files
from adapters.workforce.series import FigureSet
from adapters.workspace import Workspace

GPW = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "gpw"
DETAILED = "practice_level_detailed_2025-07_sample.csv"
HIGH = "practice_level_high_2024-08_sample.csv"
INDIVIDUAL = "individual_level_2023-02_sample.csv"
PCN_MARCH = "pcn_individual_level_2020-03.csv"
PCN_JUNE = "pcn_individual_level_2020-06.csv"


def require_shared(name: str) -> Path:
    """The shared data sits beside the repo (CI always has it): without it, fail.

    A skip here once meant the tests on the real files silently stopped running.
    """
    path = GPW / name
    if not path.exists():
        pytest.fail(
            f"shared GPW data not found at {path.resolve()}: expected ../shared beside "
            "the repo (the checkout of the shared data repository, as CI has it)",
            pytrace=False,
        )
    return path


def values(parsed, period: str, level: str = "england", code: str = "E92000001") -> dict:
    return {
        f.metric: f.value
        for f in parsed.figures
        if f.period == period and f.geography_level == level and f.geography_code == code
    }


def rows_of(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return path


def practice(rows: list[list[str]], code: str, month: str = "07") -> dict[str, str]:
    header = rows[0]
    for row in rows[1:]:
        if row[0] == code and row[-1] == month:
            return dict(zip(header, row, strict=True))
    raise AssertionError(code)


# Each of the four kinds, on the real files.


def test_practice_detailed_real_file() -> None:
    path = require_shared(DETAILED)
    parsed = read_gpw_file(path)
    assert parsed.kind == "practice_detailed"
    assert parsed.rows == 10
    # The sample holds July rows and, from its source repository, three June rows.
    assert parsed.periods == ("2025-06", "2025-07")
    july = values(parsed, "2025-07")
    assert july["practices"] == 7
    rows = rows_of(path)
    july_rows = [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[-1] == "07"]
    assert july["gp_fte"] == pytest.approx(sum(float(r["total_gp_fte"]) for r in july_rows))
    assert july["patients"] == sum(int(r["total_patients"]) for r in july_rows)
    # A named practice: Springwood Surgery (A81005), in East Cleveland PCN, alone in no
    # sub-ICB, so check its real values directly against the file.
    springwood = practice(rows, "A81005")
    assert springwood["prac_name"] == "SPRINGWOOD SURGERY"
    assert float(springwood["total_gp_fte"]) == pytest.approx(5.906666667)
    # Every July practice is in sub-ICB 16C, ICB QHM, region Y63: all levels agree.
    assert values(parsed, "2025-07", "sub_icb", "16C") == july
    assert values(parsed, "2025-07", "icb", "QHM") == july
    assert values(parsed, "2025-07", "region", "Y63")["gp_fte"] == july["gp_fte"]
    fq = sum(float(r["total_gp_extg_fte"]) for r in july_rows)
    assert july["patients_per_fq_gp_fte"] == pytest.approx(july["patients"] / fq, rel=1e-4)


def test_practice_detailed_missing_is_missing_not_zero() -> None:
    parsed = read_gpw_file(require_shared(DETAILED))
    rows = rows_of(require_shared(DETAILED))
    densham = practice(rows, "A81001")
    assert densham["total_nurses_fte"] == "NA"
    july = [f for f in parsed.figures if f.period == "2025-07" and f.geography_level == "england"]
    nurses = next(f for f in july if f.metric == "nurses_fte")
    others = [
        float(dict(zip(rows[0], r, strict=True))["total_nurses_fte"])
        for r in rows[1:]
        if r[-1] == "07" and r[0] != "A81001"
    ]
    assert nurses.value == pytest.approx(sum(others))
    assert "data missing" in nurses.notes and "1 of 7" in nurses.notes
    gp_hc = next(f for f in july if f.metric == "gp_hc")
    assert "sum of practice headcounts" in gp_hc.notes


def test_practice_high_real_file() -> None:
    parsed = read_gpw_file(require_shared(HIGH))
    assert parsed.kind == "practice_high"
    assert parsed.periods == ("2024-08",)
    assert values(parsed, "2024-08") == {"practices": 1, "dpc_fte": 0.0}
    assert any("England" in w for w in parsed.warnings)


def test_individual_real_file_counts_distinct_people() -> None:
    parsed = read_gpw_file(require_shared(INDIVIDUAL))
    assert parsed.kind == "individual"
    assert parsed.periods == ("2023-02",)
    england = values(parsed, "2023-02")
    assert england["dpc_hc"] == 9 and england["admin_hc"] == 1
    assert england["dpc_fte"] == pytest.approx(8 * 0.704822911 + 0.722601327, rel=1e-4)
    # Two of the nine are in North East London ICB (QMF).
    assert values(parsed, "2023-02", "icb", "QMF")["dpc_hc"] == 2


@pytest.mark.parametrize("name", [PCN_MARCH, PCN_JUNE])
def test_pcn_individual_real_files(name: str) -> None:
    path = require_shared(name)
    parsed = read_gpw_file(path)
    assert parsed.kind == "pcn_individual"
    rows = rows_of(path)
    header = [h.lower() for h in rows[0]]
    ids = {dict(zip(header, r, strict=True))["unique_identifier"] for r in rows[1:]}
    england = values(parsed, parsed.periods[0])
    # People in two PCNs or posts are counted once: fewer than the rows.
    assert england["pcn_staff_hc"] == len(ids) < len(rows) - 1
    fte = sum(float(dict(zip(header, r, strict=True))["fte"]) for r in rows[1:])
    assert england["pcn_staff_fte"] == pytest.approx(fte, rel=1e-6)
    assert any("Windows-1252" in w for w in parsed.warnings)


def test_pcn_march_2020_values() -> None:
    parsed = read_gpw_file(require_shared(PCN_MARCH))
    england = values(parsed, "2020-03")
    assert england["pcn_staff_hc"] == 499
    assert england["pcn_dpc_hc"] == 301


def test_distinct_headcount_is_not_the_sum_of_levels_below() -> None:
    parsed = read_gpw_file(require_shared(PCN_JUNE))
    icbs = [f for f in parsed.figures if f.geography_level == "icb" and f.metric == "pcn_staff_hc"]
    england = values(parsed, "2020-06")["pcn_staff_hc"]
    assert sum(f.value for f in icbs) >= england
    assert all("distinct people" in f.notes for f in icbs)


# Header variants.


def variant(tmp_path: Path, name: str, header_change, *, bom: bool = True) -> Path:
    rows = rows_of(require_shared(DETAILED))
    rows[0] = header_change(rows[0])
    return write_rows(tmp_path / name, rows, bom=bom)


def test_upper_case_header_with_bom_reads_the_same(tmp_path: Path) -> None:
    original = read_gpw_file(require_shared(DETAILED))
    upper = read_gpw_file(variant(tmp_path, DETAILED, lambda h: [c.upper() for c in h]))
    assert upper.kind == "practice_detailed"
    assert [(f.metric, f.value) for f in upper.figures] == [
        (f.metric, f.value) for f in original.figures
    ]


def test_missing_and_extra_columns_are_tolerated_with_a_warning(tmp_path: Path) -> None:
    rows = rows_of(require_shared(INDIVIDUAL))
    header = rows[0]
    drop = header.index("gender")
    rows = [[c for i, c in enumerate(r) if i != drop] + ["x"] for r in rows]
    rows[0][-1] = "SOMETHING_NEW"
    parsed = read_gpw_file(write_rows(tmp_path / INDIVIDUAL, rows))
    assert values(parsed, "2023-02")["dpc_hc"] == 9
    assert any("SOMETHING_NEW" in w for w in parsed.warnings)


def test_a_missing_metric_column_is_a_warning(tmp_path: Path) -> None:
    path = variant(
        tmp_path, DETAILED, lambda h: ["gone" if c == "total_nurses_fte" else c for c in h]
    )
    parsed = read_gpw_file(path)
    assert "nurses_fte" not in values(parsed, "2025-07")
    assert any("nurses_fte" in w for w in parsed.warnings)


def test_older_column_names_are_read(tmp_path: Path) -> None:
    """2015-17 files: TOTAL_GP_EXRRL_*, TOTAL_GP_REG_ST3_4_*, CCG and STP codes."""
    renames = {
        "total_gp_extgl_hc": "TOTAL_GP_EXRRL_HC",
        "sub_icb_code": "CCG_CODE",
        "icb_code": "STP_CODE",
        "region_code": "COMM_REGION_CODE",
    }
    trainees = [f"total_gp_trn_gr_st{n}_hc" for n in range(1, 5)]

    def old(header: list[str]) -> list[str]:
        out = [renames.get(c, c) for c in header]
        out[header.index(trainees[0])] = "TOTAL_GP_REG_ST3_4_HC"
        for name in trainees[1:]:
            out[header.index(name)] = f"unused_{name}"
        return out

    parsed = read_gpw_file(variant(tmp_path, DETAILED, old))
    new = read_gpw_file(require_shared(DETAILED))
    assert values(parsed, "2025-07")["gp_fq_perm_hc"] == values(new, "2025-07")["gp_fq_perm_hc"]
    assert "registrars_hc" in values(parsed, "2025-07")
    assert values(parsed, "2025-07", "sub_icb", "16C")["gp_fte"] == pytest.approx(
        values(new, "2025-07")["gp_fte"]
    )


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (["PRAC_CODE", "TOTAL_GP_HC"], "practice_detailed"),
        (["\ufeffprac_code", "staff_group", "MEASURE", "value"], "practice_high"),
        ([" Unique_Identifier ", "STAFF_GROUP", "FTE"], "individual"),
        (["PCN_CODE", "UNIQUE_IDENTIFIER", "STAFF_GROUP", "FTE"], "pcn_individual"),
        (["subject", "lmcs"], None),
    ],
)
def test_detect_kind(header: list[str], kind: str | None) -> None:
    assert detect_kind(normalise_header(header)) == kind


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("General Practice \u2013 December 2020 Practice Level.csv", "2020-12"),
        ("practice_level_detailed_2025-07_sample.csv", "2025-07"),
        ("GPW Sept 2016.csv", "2016-09"),
        ("gpw_202311.csv", "2023-11"),
        ("workforce.csv", None),
    ],
)
def test_period_from_name(name: str, period: str | None) -> None:
    assert period_from_name(name) == period


# Missing values, malformed files, periods.


@pytest.mark.parametrize("marker", ["ND", "NA", "", "nd", " NA "])
def test_missing_markers_are_never_zero(tmp_path: Path, marker: str) -> None:
    rows = [
        ["PRAC_CODE", "TOTAL_GP_FTE", "SUB_ICB_CODE"],
        ["A1", marker, "X"],
        ["A2", marker, "Y"],
        ["A3", "2.5", "Y"],
    ]
    parsed = read_gpw_file(write_rows(tmp_path / "gpw 2021-09.csv", rows))
    assert values(parsed, "2021-09")["gp_fte"] == 2.5
    assert "gp_fte" not in values(parsed, "2021-09", "sub_icb", "X")  # no figure, not 0
    assert values(parsed, "2021-09", "sub_icb", "Y")["gp_fte"] == 2.5


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ([["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "1"], ["A2", "lots"]], 3, "TOTAL_GP_FTE"),
        ([["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "1", "9"]], 2, "2 columns"),
        ([["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "1"], ["A1", "2"]], 3, "already on line 2"),
        ([["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "-1"]], 2, "not a count"),
        ([["PRAC_CODE", "TOTAL_GP_FTE"], ["", "1"]], 2, "PRAC_CODE is blank"),
        ([["subject", "body"], ["a", "b"]], 1, "not a General Practice Workforce file"),
        ([["PRAC_CODE", "TOTAL_GP_FTE"]], 2, "no data rows"),
    ],
)
def test_malformed_file_is_refused_with_line_and_reason(
    tmp_path: Path, rows: list[list[str]], line: int, reason: str
) -> None:
    path = write_rows(tmp_path / "gpw_2021-09.csv", rows)
    with pytest.raises(GPWFileError) as caught:
        read_gpw_file(path)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_no_period_anywhere_asks_for_period(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "gpw.csv", [["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "1"]])
    with pytest.raises(GPWFileError, match="--period"):
        read_gpw_file(path)
    assert read_gpw_file(path, period="2019-09").periods == ("2019-09",)


def test_period_option_must_agree_with_census_columns() -> None:
    with pytest.raises(GPWFileError, match="--period says 2025-07") as caught:
        read_gpw_file(require_shared(DETAILED), period="2025-07")
    assert caught.value.line == 5  # the first June row


# Storing: re-import replaces, a malformed file stores nothing.


def test_reimport_replaces_the_period(workspace: Workspace) -> None:
    path = require_shared(PCN_MARCH)
    first = import_files(workspace, [path])
    count = workspace.imported.count()
    again = import_files(workspace, [path])
    assert workspace.imported.count() == count
    assert again.replaced == count and first.replaced == 0
    stored = [f for s in workspace.imported.all() for f in s.figures()]
    england = [f for f in stored if f.geography_level == "england" and f.metric == "pcn_staff_hc"]
    assert [f.value for f in england] == [499]


def test_a_file_named_twice_is_stored_once(workspace: Workspace) -> None:
    path = require_shared(PCN_MARCH)
    import_files(workspace, [path])
    once = workspace.imported.count()
    again = Path(str(path.parent) + "/./" + path.name)  # another spelling of the same file
    import_files(workspace, [path, path, again])
    assert workspace.imported.count() == once


def test_two_files_of_the_same_name_and_period_are_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Told apart by path, not name: both would be stored and counted twice."""
    copy = tmp_path / "elsewhere" / PCN_MARCH
    copy.parent.mkdir()
    copy.write_bytes(require_shared(PCN_MARCH).read_bytes())
    with pytest.raises(GPWFileError, match="of the same kind as"):
        import_files(workspace, [require_shared(PCN_MARCH), copy])
    assert workspace.imported.count() == 0


def test_other_periods_and_kinds_are_kept(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_MARCH), require_shared(INDIVIDUAL)])
    before = {(s.dataset, s.period) for s in workspace.imported.all()}
    import_files(workspace, [require_shared(PCN_JUNE)])
    after = {(s.dataset, s.period) for s in workspace.imported.all()}
    assert after == before | {("gpw:pcn_individual", "2020-06")}


def test_malformed_file_among_good_ones_stores_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_files(workspace, [require_shared(PCN_MARCH)])
    stored = workspace.data_dir / "workforce.json"
    before = stored.read_bytes()
    rows = rows_of(require_shared(PCN_JUNE))
    rows[40][rows[0].index("FTE")] = "0.5x"
    bad = write_rows(tmp_path / PCN_JUNE, rows)
    with pytest.raises(GPWFileError) as caught:
        import_files(workspace, [require_shared(INDIVIDUAL), bad])
    assert caught.value.line == 41
    assert "'0.5x' is not a number" in caught.value.reason
    assert stored.read_bytes() == before


def test_stored_sets_expand_to_the_parsed_figures(workspace: Workspace) -> None:
    parsed = read_gpw_file(require_shared(DETAILED))
    import_files(workspace, [require_shared(DETAILED)])
    stored = [f for s in workspace.imported.all() for f in s.figures()]
    key = lambda f: (f.metric, f.period, f.geography_level, f.geography_code)  # noqa: E731
    assert sorted((key(f), f.value, f.notes) for f in stored) == sorted(
        (key(f), f.value, f.notes) for f in parsed.figures
    )
    assert all(isinstance(s, FigureSet) for s in workspace.imported.all())


# Aggregation arithmetic, on generated practices.


practice_rows = st.lists(
    st.tuples(
        st.sampled_from(["R1", "R2"]),
        st.sampled_from(["I1", "I2", "I3"]),
        st.one_of(st.none(), st.integers(0, 40)),
        st.one_of(st.none(), st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 3))),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(practice_rows)
def test_aggregates_are_sums_of_the_practices_present(tmp_path_factory, rows) -> None:
    tmp = tmp_path_factory.mktemp("agg")
    table = [["PRAC_CODE", "REGION_CODE", "ICB_CODE", "TOTAL_GP_HC", "TOTAL_GP_FTE"]]
    for n, (region, icb, hc, fte) in enumerate(rows):
        table.append(
            [
                f"P{n}",
                region,
                icb,
                "ND" if hc is None else str(hc),
                "NA" if fte is None else str(fte),
            ]
        )
    parsed = read_gpw_file(write_rows(tmp / "gpw_2022-09.csv", table))
    for level, column in (("region", 0), ("icb", 1), ("england", None)):
        codes = {r[column] for r in rows} if column is not None else {"E92000001"}
        for code in codes:
            members = [r for r in rows if column is None or r[column] == code]
            got = values(parsed, "2022-09", level, code)
            assert got["practices"] == len(members)
            hcs = [r[2] for r in members if r[2] is not None]
            ftes = [r[3] for r in members if r[3] is not None]
            assert got.get("gp_hc") == (sum(hcs) if hcs else None)
            if ftes:
                assert got["gp_fte"] == pytest.approx(sum(ftes), abs=1e-3)
            else:
                assert "gp_fte" not in got
