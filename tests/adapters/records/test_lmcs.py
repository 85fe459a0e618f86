"""The LMC list: the bundled names, a user's own lmcs.json, and names not on either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.records.lmcs import (
    BUNDLED,
    LMCS_FILE,
    LmcListError,
    bundled_lmcs,
    lmc_key,
    lmcs_from_json,
    load_lmcs,
    read_lmc_file,
    resolve_lmcs,
    write_bundled_lmcs,
)
from adapters.sample import NINE_LMCS


def test_the_bundled_list_is_valid_and_names_the_seed_article_signatories() -> None:
    lmcs = bundled_lmcs()
    assert lmcs.origin == BUNDLED and len(lmcs) >= 50
    for name in NINE_LMCS:  # as Pulse reported them, in the list's own spelling
        assert lmcs.canonical(name) == name
    for name in ("Londonwide LMCs", "Wessex LMCs", "Surrey & Sussex LMCs", "Avon LMC"):
        assert name in lmcs.names


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("kent lmc", "Kent LMC"),
        ("Lancashire and Cumbria LMC", "Lancashire & Cumbria LMCs"),
        ("  Bradford &  Airedale Local Medical Committee ", "Bradford & Airedale LMC"),
        ("BBO LMCs", "Berkshire, Buckinghamshire & Oxfordshire LMCs"),
        (
            "Berkshire Buckinghamshire and Oxfordshire LMCs",
            "Berkshire, Buckinghamshire & Oxfordshire LMCs",
        ),
        ("YORLMC", "North Yorkshire & York LMC (YORLMC)"),
        ("LLR LMC", "Leicester, Leicestershire & Rutland LMC"),
    ],
)
def test_spellings_people_use_resolve_to_the_list_name(typed: str, name: str) -> None:
    assert bundled_lmcs().canonical(typed) == name


def test_unknown_names_are_kept_with_a_warning() -> None:
    names, warnings = resolve_lmcs(["kent lmc", " Gwent   LMC ", "Devon LMC"], bundled_lmcs())
    assert names == ("Kent LMC", "Gwent LMC", "Devon LMC")
    (warning,) = warnings
    assert "'Gwent   LMC'" in warning and BUNDLED in warning and "saved as written" in warning


def test_a_users_file_replaces_the_bundled_list(tmp_path: Path) -> None:
    (tmp_path / LMCS_FILE).write_text(
        json.dumps({"lmcs": ["Gwent LMC", {"name": "Kent LMC", "aliases": ["Kent & Medway LMC"]}]})
    )
    lmcs, problem = load_lmcs(tmp_path)
    assert problem is None and lmcs.names == ("Gwent LMC", "Kent LMC")
    assert lmcs.origin == str(tmp_path / LMCS_FILE)
    assert lmcs.canonical("kent and medway lmc") == "Kent LMC"
    assert "Devon LMC" not in lmcs


def test_no_file_means_the_bundled_list(tmp_path: Path) -> None:
    lmcs, problem = load_lmcs(tmp_path)
    assert problem is None and lmcs == bundled_lmcs()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "bad JSON at line 1"),
        (b"[]", '{"lmcs": [...]}'),
        (b'{"lmcs": "Kent LMC"}', '{"lmcs": [...]}'),
        (b'{"lmcs": []}', "names no LMCs"),
        (b'{"lmcs": [""]}', "entry 1 must be a non-empty name"),
        (b'{"lmcs": ["Kent LMC", 3]}', "entry 2 must be"),
        (b'{"lmcs": ["Kent LMC", "kent  lmcs"]}', "is the same as 'Kent LMC'"),
        (b'{"lmcs": ["Kent; Medway LMC"]}', "';'"),
        (b'{"lmcs": ["Kent\\nLMC"]}', "line break"),
        (b'{"lmcs": ["!!!"]}', "no letters"),
        (b'{"lmcs": [{"name": "A LMC", "aliases": "B"}]}', "aliases must be a list"),
        (b'{"lmcs": [{"name": "A LMC", "alias": ["B"]}]}', "unknown key 'alias'"),
        (b'{"lmcs": [{"name": "A LMC", "aliases": ["B LMC"]}, "B LMC"]}', "entry 2"),
        (b'{"lmcs": ["A"], "lmcs": ["B"]}', "appears twice"),
        (b'{"lmcs": ["A"], "extra": 1}', "unknown key 'extra'"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_broken_users_file_is_named_and_the_bundled_list_used(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / LMCS_FILE
    path.write_bytes(content)
    with pytest.raises(LmcListError) as caught:
        read_lmc_file(path)
    assert str(path) in str(caught.value) and needle in str(caught.value)
    lmcs, problem = load_lmcs(tmp_path)
    assert lmcs == bundled_lmcs()
    assert problem is not None and needle in problem and "bundled" in problem
    assert path.read_bytes() == content  # their file is left for them to fix


def test_a_directory_in_its_place(tmp_path: Path) -> None:
    (tmp_path / LMCS_FILE).mkdir()
    _, problem = load_lmcs(tmp_path)
    assert problem is not None and "can not read" in problem


def test_copy_the_bundled_list_to_edit_it(tmp_path: Path) -> None:
    path = write_bundled_lmcs(tmp_path)
    assert read_lmc_file(path).names == bundled_lmcs().names
    assert (path.stat().st_mode & 0o777) == 0o600
    with pytest.raises(LmcListError, match="already exists"):
        write_bundled_lmcs(tmp_path)


def test_key_ignores_what_people_vary() -> None:
    assert lmc_key("Newcastle & Gateshead LMCs.") == lmc_key("newcastle and gateshead lmc")
    assert lmcs_from_json(b'{"lmcs": ["A LMC"], "help": "x"}', "test").names == ("A LMC",)
