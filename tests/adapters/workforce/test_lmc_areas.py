"""The bundled LMC areas checked against the real GPW files' sub-ICB codes and names.

The mapping was first written from memory; every code it holds must be one
NHS Digital's files use, under the name recorded beside it. A code none of
the sample files has is marked ``unverified`` in the JSON, and this test
fails if a sample ever does have it, so that the mark is then replaced by a check.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest

from adapters.sample import NINE_LMCS
from adapters.workforce.view import load_lmc_areas
from tests.adapters.workforce.test_gpw_import import (
    DETAILED,
    INDIVIDUAL,
    PCN_JUNE,
    PCN_MARCH,
    require_shared,
)


def sub_icbs_in_real_files() -> dict[str, set[str]]:
    """Every SUB_ICB_CODE in the real files with the names it appears under."""
    found: dict[str, set[str]] = {}
    for name in (PCN_MARCH, PCN_JUNE, INDIVIDUAL, DETAILED):
        raw = require_shared(name).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")  # the 2020 PCN files, as published
        for row in csv.DictReader(io.StringIO(text, newline="")):
            row = {k.lower(): v for k, v in row.items()}
            found.setdefault(row["sub_icb_code"].strip(), set()).add(row["sub_icb_name"].strip())
    return found


def bundled() -> dict:
    text = resources.files("adapters.workforce").joinpath("lmc_areas.json").read_text("utf-8")
    return json.loads(text)


def test_every_sample_lmc_has_an_area(tmp_path) -> None:
    areas, warning = load_lmc_areas(tmp_path)
    assert warning is None
    assert set(NINE_LMCS) <= {a.lmc for a in areas}


@pytest.mark.parametrize("area", bundled()["areas"], ids=lambda a: a["lmc"])
def test_each_code_is_in_the_real_files_under_its_name(area: dict) -> None:
    real = sub_icbs_in_real_files()
    names = area.get("sub_icb_names", {})
    unverified = set(area.get("unverified", []))
    assert set(names) | unverified == set(area["sub_icb"])
    assert not set(names) & unverified
    for code, name in names.items():
        assert code in real, f"{area['lmc']}: {code} is in no sample file"
        assert real[code] == {name}, f"{area['lmc']}: {code} is {real[code]}, not {name!r}"
    for code in unverified:
        assert code not in real, f"{area['lmc']}: {code} is in the samples now: verify it"
    if unverified:
        assert all(code in area["note"] for code in unverified)


def test_verified_share() -> None:
    """17 of the 21 codes are checked against the files; 4 can not be from these samples."""
    areas = bundled()["areas"]
    assert sum(len(a["sub_icb_names"]) for a in areas) == 17
    assert sorted(c for a in areas for c in a.get("unverified", [])) == [
        "00Q",
        "03F",
        "03H",
        "03K",
    ]
