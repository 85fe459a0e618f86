"""The list of English LMCs offered when a letter's signatories are recorded.

A bundled list (``lmcs.json`` beside this module) names the LMCs we are sure
of; an ``lmcs.json`` in the data dir, if present, replaces it, so a user can
add their own, fix a name after a merger, or cut the list to their region.

Policy for names not on the list: **accepted, with a warning**. A letter may
be signed by an LMC the list does not know (a new or merged committee, one in
Wales or Scotland, a typo the user will fix later), and refusing it would
stop an import of a real spreadsheet over a name. The model never checks the
list, so editing the list can never make stored letters invalid; the CLI
(and the screen) call :func:`resolve_lmcs`, which turns a known name into the
list's spelling and reports the unknown ones.

Names match ignoring case, punctuation, '&' against 'and' and "LMC" against
"LMCs", so "lancashire and cumbria lmc" is recorded as "Lancashire & Cumbria
LMCs". Aliases (``{"name": ..., "aliases": [...]}``) cover other spellings
such as "BBO LMCs".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.store import atomic_write_bytes
from adapters.validation import DuplicateKey, no_duplicate_keys

# Data files beside the modules; read by path: importlib.resources costs ~14 ms
# to import and resolve, on the start-up path, for a package never zipped.
PACKAGE_DIR = Path(__file__).parent

LMCS_FILE = "lmcs.json"
MAX_LMCS_BYTES = 1024 * 1024
MAX_NAME_CHARS = 200
BUNDLED = "the bundled LMC list"

_PUNCTUATION = re.compile(r"[^\w\s]")
_LMCS = re.compile(r"\blmcs\b")
_COMMITTEE = re.compile(r"\blocal medical committees?\b")


class LmcListError(ValueError):
    """An lmcs.json that can not be used; the message names the file and the problem."""


def lmc_key(name: str) -> str:
    """The form two spellings of one LMC share: 'Bradford and Airedale lmcs' ~ 'Bradford & ...'."""
    text = name.casefold().replace("&", " and ")
    text = _PUNCTUATION.sub(" ", text)
    text = _COMMITTEE.sub("lmc", text)
    text = _LMCS.sub("lmc", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class LmcList:
    """LMC names in the list's order, and where the list came from."""

    names: tuple[str, ...]
    origin: str
    _lookup: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def canonical(self, name: str) -> str | None:
        """The list's spelling of ``name``, or None when the list does not know it."""
        return self._lookup.get(lmc_key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.canonical(name) is not None

    def __len__(self) -> int:
        return len(self.names)


def _problem(origin: str, message: str) -> LmcListError:
    return LmcListError(f"{origin}: {message}")


def _check_name(value: object, where: str, origin: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem(origin, f"{where} must be a non-empty name")
    if len(value) > MAX_NAME_CHARS:
        raise _problem(origin, f"{where} is over {MAX_NAME_CHARS} characters")
    if ";" in value or value.splitlines() != [value]:
        raise _problem(origin, f"{where} {value!r} may not contain ';' or a line break")
    return value.strip()


def lmcs_from_json(raw: bytes, origin: str) -> LmcList:
    """Parse and check an lmcs.json; LmcListError says what is wrong and where."""
    try:
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=no_duplicate_keys)
    except DuplicateKey as exc:
        raise _problem(origin, f"the key {exc.args[0]!r} appears twice in one object") from exc
    except UnicodeDecodeError as exc:
        raise _problem(origin, f"not UTF-8 text at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise _problem(origin, f"bad JSON at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("lmcs"), list):
        raise _problem(origin, 'should be an object with a list of names: {"lmcs": [...]}')
    unknown = set(data) - {"lmcs", "help"}
    if unknown:
        raise _problem(origin, f"unknown key {sorted(unknown)[0]!r} (only 'lmcs' and 'help')")
    names: list[str] = []
    lookup: dict[str, str] = {}

    def claim(spelling: str, name: str, where: str) -> None:
        key = lmc_key(spelling)
        if not key:
            raise _problem(origin, f"{where} {spelling!r} has no letters or digits")
        if key in lookup:
            raise _problem(origin, f"{where} {spelling!r} is the same as {lookup[key]!r}")
        lookup[key] = name

    for number, entry in enumerate(data["lmcs"], start=1):
        where = f"entry {number}"
        aliases: list[Any] = []
        if isinstance(entry, dict):
            extra = set(entry) - {"name", "aliases"}
            if extra:
                raise _problem(origin, f"{where} has unknown key {sorted(extra)[0]!r}")
            name = _check_name(entry.get("name"), f"{where} name", origin)
            aliases = entry.get("aliases", [])
            if not isinstance(aliases, list):
                raise _problem(origin, f"{where} aliases must be a list of names")
        else:
            name = _check_name(entry, where, origin)
        claim(name, name, where)
        for alias in aliases:
            claim(_check_name(alias, f"{where} alias", origin), name, f"{where} alias")
        names.append(name)
    if not names:
        raise _problem(origin, "names no LMCs")
    return LmcList(tuple(names), origin, lookup)


def bundled_lmcs() -> LmcList:
    """The list shipped with gpwatch."""
    raw = PACKAGE_DIR.joinpath(LMCS_FILE).read_bytes()
    return lmcs_from_json(raw, BUNDLED)


def read_lmc_file(path: Path) -> LmcList:
    """One lmcs.json, checked; LmcListError (naming the file) when it can not be used."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_LMCS_BYTES + 1)
    except OSError as exc:
        raise LmcListError(f"can not read {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_LMCS_BYTES:
        raise _problem(str(path), f"is over {MAX_LMCS_BYTES // 1024} kB")
    return lmcs_from_json(raw, str(path))


def load_lmcs(data_dir: Path) -> tuple[LmcList, str | None]:
    """The user's list if there is one, else the bundled one; and why, if theirs was unusable.

    A broken user file is left alone (their edits survive until they fix it)
    and the bundled list is used meanwhile.
    """
    path = data_dir / LMCS_FILE
    if not path.exists():
        return bundled_lmcs(), None
    try:
        return read_lmc_file(path), None
    except LmcListError as exc:
        return bundled_lmcs(), f"{exc}; using {BUNDLED} until it is fixed"


def write_bundled_lmcs(data_dir: Path) -> Path:
    """Copy the bundled list into the data dir for editing; never over an existing file."""
    path = data_dir / LMCS_FILE
    if path.exists():
        raise LmcListError(f"{path} already exists; edit it, or delete it first")
    raw = PACKAGE_DIR.joinpath(LMCS_FILE).read_bytes()
    atomic_write_bytes(path, raw)
    return path


def resolve_lmcs(names: Iterable[str], known: LmcList) -> tuple[tuple[str, ...], list[str]]:
    """Names in the list's spelling (unknown ones as typed, trimmed) and a warning per unknown."""
    resolved: list[str] = []
    warnings: list[str] = []
    for name in names:
        canonical = known.canonical(name)
        if canonical is None and not name.strip():
            resolved.append(name)  # the model refuses it, naming the field
        elif canonical is None:
            resolved.append(" ".join(name.split()))
            warnings.append(
                f"{name.strip()!r} is not on {known.origin}; saved as written "
                f"(add it to {LMCS_FILE} if it is right)"
            )
        else:
            resolved.append(canonical)
    return tuple(resolved), warnings
