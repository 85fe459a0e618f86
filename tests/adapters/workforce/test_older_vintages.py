"""The importers on the real older files in ../shared/data/gpw, as NHS Digital published them.

Of the files there, two are an older vintage byte for byte: "Primary Care
Networks \u2013 March 2020 / June 2020 Individual Level" (Windows-1252 with an en
dash, no BOM, upper-case names with a mixed-case ``Data_source``, regions
as COMM_REGION_CODE, 2020 staff groups such as "Other Direct Patient Care
staff" and "Directors"). The practice-by-financial-year file (2016/17 on)
is derived from older practice-level files, not one of the four kinds.
No real 2015-2021 *practice-level* file is among the samples: the older
practice-level column names (TOTAL_GP_EXRRL_*, TOTAL_GP_REG_ST3_4_*) are
tested on renamed copies in test_gpw_import.py only. What each vintage can
not provide is written in adapters/workforce/VINTAGES.md.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest

from adapters.workforce.detail import load_detail
from adapters.workforce.gpw import GPWFileError, read_gpw_file
from adapters.workforce.importer import import_files
from adapters.workspace import Workspace
from tests.adapters.workforce.test_gpw_import import PCN_JUNE, PCN_MARCH, require_shared

FINANCIAL_YEARS = "practice_fq_permanent_gp_headcount_by_financial_year.csv"
PCN_METRICS = {"pcn_staff_hc", "pcn_staff_fte", "pcn_dpc_hc", "pcn_dpc_fte"}


def published_rows(name: str) -> list[dict[str, str]]:
    """The file read the way NHS Digital wrote it: Windows-1252, no BOM."""
    raw = require_shared(name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw.decode("cp1252"), newline="")))


@pytest.mark.parametrize(("name", "period"), [(PCN_MARCH, "2020-03"), (PCN_JUNE, "2020-06")])
def test_2020_pcn_files_as_published(name: str, period: str) -> None:
    rows = published_rows(name)
    assert "Data_source" in rows[0] and "COMM_REGION_CODE" in rows[0]
    assert any(
        "\u2013" in r["DETAILED_STAFF_ROLE"] for r in rows
    )  # "Clinical Director \u2013 Medical"
    parsed = read_gpw_file(require_shared(name))
    assert parsed.kind == "pcn_individual" and parsed.periods == (period,)
    assert parsed.rows == len(rows)
    (warning,) = parsed.warnings  # no unknown column: Data_source is known
    assert warning.startswith(f"{name}: not UTF-8") and "read as Windows-1252" in warning
    # Regions come from the older COMM_REGION_CODE / COMM_REGION_NAME columns.
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        people[(r["COMM_REGION_CODE"], r["COMM_REGION_NAME"])].add(r["UNIQUE_IDENTIFIER"])
    regions = {
        (f.geography_code, f.geography_name): f.value
        for f in parsed.figures
        if f.geography_level == "region" and f.metric == "pcn_staff_hc"
    }
    assert regions == {key: len(ids) for key, ids in people.items()}
    # The 2020 staff groups: "Other Direct Patient Care staff" is direct patient care;
    # "Directors" and "Other Admin/Non-clinical staff" are PCN staff but not DPC.
    assert {r["STAFF_GROUP"] for r in rows} == {
        "Other Direct Patient Care staff",
        "Directors",
        "Other Admin/Non-clinical staff",
    }
    dpc = {r["UNIQUE_IDENTIFIER"] for r in rows if r["STAFF_GROUP"].startswith("Other Direct")}
    england = {f.metric: f.value for f in parsed.figures if f.geography_level == "england"}
    assert england["pcn_dpc_hc"] == len(dpc)
    # What such a file can give: PCN-employed staff only, never GPs, nurses or patients.
    assert {f.metric for f in parsed.figures} == PCN_METRICS


def test_2020_pcn_files_reach_pcn_level(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_MARCH), require_shared(PCN_JUNE)])
    index = load_detail(workspace).index
    rows = published_rows(PCN_JUNE)
    by_pcn: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_pcn[r["PCN_CODE"]].add(r["UNIQUE_IDENTIFIER"])
    code = max(by_pcn, key=lambda c: (len(by_pcn[c]), c))
    june = [f for f in index.series("pcn_staff_hc", "pcn", code) if f.period == "2020-06"]
    assert [f.value for f in june] == [len(by_pcn[code])]
    assert set(index.codes("pcn")) >= set(by_pcn)
    assert {m for c in by_pcn for m in index.metrics("pcn", c)} <= PCN_METRICS


def test_the_derived_financial_year_file_is_not_an_import(workspace: Workspace) -> None:
    """HEEC's practice-by-year file gives the bundled England series, not an import."""
    path = require_shared(FINANCIAL_YEARS)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == '"Practice.Code","fiscal_year","TOTAL_PATIENTS","TOTAL_GP_EXTGL_HC"'
    before = (workspace.data_dir / "workforce.json").read_bytes()
    with pytest.raises(GPWFileError) as refused:
        import_files(workspace, [path])
    assert refused.value.line == 1 and "not a General Practice Workforce file" in str(refused.value)
    assert (workspace.data_dir / "workforce.json").read_bytes() == before
