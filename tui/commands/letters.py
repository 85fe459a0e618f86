"""`gpwatch letters ...`: LMC correspondence for scripts, cron and the keyboard.

The contract scripts rely on:

* ``letters add --subject S --counterparty C --lmc NAME [--lmc NAME ...]
  [--direction outgoing|incoming] --sent DATE [--due DATE] [--status STATUS]``
  prints only the new letter's id and exits 0 once the letter is durably
  saved; a bad value exits 2 with ``gpwatch: error: FIELD: reason``.
* ``letters list --json`` prints a JSON array (and nothing else on stdout) of
  objects with at least id, subject, direction, counterparty, lmcs (a list),
  sent, due, status and overdue_days (0 when not overdue); dates are ISO
  ``YYYY-MM-DD`` or null. ``due`` is the date the reply is due: the letter's
  own, else sent + ``letters.response_days`` (then ``due_is_default`` is true).
* ``letters import FILE.csv`` reads the headers subject, direction,
  counterparty, lmcs (";"-separated), sent, due and status (and the other
  letter fields) in any case and order. Every bad row is reported on stderr
  as ``FILE: line N: FIELD: reason``. With any bad row nothing is imported
  and the exit status is 1, unless ``--skip-bad``; ``--dry-run`` reports and
  writes nothing. A file that can not be read as a letters CSV at all exits 2.

Errors and warnings go to stderr, always through ``clean_text``: they can
quote the user's file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.text import clean_text
from adapters.workspace import Workspace

if TYPE_CHECKING:
    from adapters.records.letters import Letter

NAME = "letters"
HELP = "list, add, import, export, chase or update LMC letters (--json for scripts)"

_DATE_HELP = "e.g. 2021-09-02, 2 Sep 2021 or 02/09/2021"
_STATUSES = "draft, sent, acknowledged, responded, closed or 'no reply'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="letters_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every letter with its status and overdue days")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="only letters still open")
    which.add_argument("--overdue", action="store_true", help="only letters past their due date")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of lines")

    show = actions.add_parser("show", help="one letter in full, with its history")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="a JSON object instead of lines")

    add = actions.add_parser(
        "add",
        help="record a letter; prints its id once it is saved",
        description=(
            "Record a letter. Prints the new letter's id, and exits 0, only once it is saved. "
            f"Dates: {_DATE_HELP}. With --sent and no --due the reply is due "
            "letters.response_days (28) later. An LMC that is not on the LMC list is saved "
            "as written, with a warning."
        ),
    )
    add.add_argument("--subject", required=True)
    add.add_argument("--counterparty", required=True, help="e.g. BMA GPC, NHS England, an ICB")
    add.add_argument(
        "--lmc",
        action="append",
        required=True,
        metavar="NAME",
        dest="lmcs",
        help="an LMC that signed or received it (repeat for each)",
    )
    add.add_argument("--direction", default="outgoing", help="outgoing (default) or incoming")
    add.add_argument(
        "--status",
        help=f"{_STATUSES} (default: the latest stage given a date, e.g. sent with --sent; "
        "else draft)",
    )
    for name in ("sent", "due", "acknowledged", "responded", "closed"):
        add.add_argument(f"--{name}", metavar="DATE")
    add.add_argument("--reference", default="", help="your reference for it")
    add.add_argument("--contact", default="", help="who at the counterparty")
    add.add_argument("--summary", default="")
    add.add_argument("--ask", action="append", default=[], dest="asks", help="repeatable")
    add.add_argument("--outcome", default="")
    add.add_argument("--tag", action="append", default=[], dest="tags", help="repeatable")

    imports = actions.add_parser(
        "import",
        help="add letters from a spreadsheet saved as CSV",
        description=(
            "Add letters from a CSV file. Columns are matched by header, ignoring case: "
            "subject, counterparty and lmcs (';'-separated) are needed; direction, status, "
            "sent, due, acknowledged, responded, closed, reference, contact, summary, asks "
            "(one per line), outcome and tags are read when present. Every bad row is "
            "reported by line; if there is any, nothing is imported (exit 1) unless "
            "--skip-bad. Letters already stored (same subject, counterparty and sent date) "
            "are skipped, so running an import twice adds nothing."
        ),
    )
    imports.add_argument("file", type=Path)
    imports.add_argument("--dry-run", action="store_true", help="check and report; save nothing")
    imports.add_argument(
        "--skip-bad", action="store_true", help="import the good rows even if some are bad"
    )
    imports.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read the column with this header as that field, e.g. 'Our ref=reference'",
    )

    export = actions.add_parser("export", help="write every letter to a CSV file (- for stdout)")
    export.add_argument("file", help="where to write; - for standard output")

    chase = actions.add_parser("chase", help="record a chase and set a new due date")
    chase.add_argument("id", type=int)
    chase.add_argument(
        "--due", metavar="DATE", help="the new due date (default: letters.response_days from today)"
    )
    chase.add_argument("--note", default="", help="how it was chased, to whom")

    status = actions.add_parser("set-status", help="move a letter to another status")
    status.add_argument("id", type=int)
    status.add_argument("status", help=_STATUSES)
    status.add_argument(
        "--date", metavar="DATE", help="when it happened (default: the date recorded, else today)"
    )
    status.add_argument("--note", default="")

    lmcs = actions.add_parser("lmcs", help="the LMC names offered (lmcs.json in the data dir)")
    lmcs.add_argument(
        "--init", action="store_true", help="copy the bundled list into the data dir to edit"
    )


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.repository import RecordMissing
    from adapters.validation import ValidationError

    handlers: dict[str, Callable[[argparse.Namespace, Workspace], int]] = {
        "list": _list,
        "show": _show,
        "add": _add,
        "import": _import,
        "export": _export,
        "chase": _chase,
        "set-status": _set_status,
        "lmcs": _lmcs,
    }
    try:
        return handlers[args.letters_action](args, workspace)
    except ValidationError as exc:
        return _error(str(exc))
    except RecordMissing as exc:  # removed by another process since it was looked up
        return _error(str(exc))


# --------------------------------------------------------------------------- helpers


def _error(message: str, code: int = 2) -> int:
    print(f"gpwatch: error: {clean_text(message)}", file=sys.stderr)
    return code


def _warn(message: str) -> None:
    print(f"gpwatch: warning: {clean_text(message)}", file=sys.stderr)


def _response_days(workspace: Workspace) -> int:
    for warning in workspace.settings_warnings:
        _warn(warning)
    return workspace.settings.letters_response_days


def _today(workspace: Workspace) -> date:
    from adapters.dates import local_date

    return local_date(workspace.clock())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def letter_json(letter: Letter, today: date, response_days: int) -> dict[str, Any]:
    """A letter as `letters list --json` prints it (see the module docstring)."""
    from adapters.records.overdue import due_date, overdue_days

    return {
        "id": letter.id,
        "subject": letter.subject,
        "reference": letter.reference,
        "direction": letter.direction,
        "counterparty": letter.counterparty,
        "contact": letter.contact,
        "lmcs": list(letter.lmcs),
        "status": letter.status,
        "open": letter.is_open,
        "sent": _iso(letter.sent),
        "acknowledged": _iso(letter.acknowledged),
        "due": _iso(due_date(letter, response_days)),
        "due_is_default": letter.due is None and letter.sent is not None,
        "responded": _iso(letter.responded),
        "closed": _iso(letter.closed),
        "overdue_days": overdue_days(letter, today, response_days),
        "summary": letter.summary,
        "asks": list(letter.asks),
        "outcome": letter.outcome,
        "tags": list(letter.tags),
        "articles": list(letter.articles),
        "campaigns": list(letter.campaigns),
        "chases": len(letter.chases),
        "sample": letter.sample,
    }


def _print_json(value: object) -> None:
    # ASCII escapes: any stored text, even a lone surrogate, prints on any terminal.
    json.dump(value, sys.stdout, ensure_ascii=True, indent=1)
    print()


def _get(workspace: Workspace, letter_id: int) -> Letter:
    from adapters.validation import ValidationError

    letter = workspace.records.letters.get(letter_id)
    if letter is None:
        raise ValidationError("id", f"there is no letter {letter_id}")
    return letter


def _parse_date(text: str | None, field: str) -> date | None:
    from adapters.dates import parse_date

    return None if text is None else parse_date(text, field)


# --------------------------------------------------------------------------- actions


def _list(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.overdue import due_date, overdue_days

    days = _response_days(workspace)
    today = _today(workspace)
    scan = workspace.records.letters.scan()
    for invalid in scan.invalid:
        _warn(f"{invalid.file}: {invalid.table} #{invalid.doc_id} not shown: {invalid.error}")
    letters = sorted(scan.records, key=lambda letter: letter.id or 0)
    if args.open:
        letters = [letter for letter in letters if letter.is_open]
    elif args.overdue:
        letters = [letter for letter in letters if overdue_days(letter, today, days)]
    if args.json:
        _print_json([letter_json(letter, today, days) for letter in letters])
        return 0
    for letter in letters:
        late = overdue_days(letter, today, days)
        due = due_date(letter, days)
        lmcs = f"{len(letter.lmcs)} LMCs" if len(letter.lmcs) > 2 else "; ".join(letter.lmcs)
        print(
            f"{letter.id:>4}  {letter.status:<12}  {_iso(letter.sent) or '—':<10}  "
            f"due {_iso(due) or '—':<10}  {f'{late}d late' if late else '':>10}  "
            f"{clean_text(letter.counterparty)[:20]:<20}  {clean_text(letter.subject)}  "
            f"[{clean_text(lmcs)}]" + ("  (sample)" if letter.sample else "")
        )
    return 0


def _show(args: argparse.Namespace, workspace: Workspace) -> int:
    days = _response_days(workspace)
    letter = _get(workspace, args.id)
    data = letter_json(letter, _today(workspace), days)
    data["history"] = [entry.to_doc() for entry in letter.history]
    data["source"] = letter.source.to_doc() if letter.source else None
    if args.json:
        _print_json(data)
        return 0
    for key, value in data.items():
        if key in ("history", "source"):
            continue
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        print(f"{key:>15}: {clean_text('' if value is None else value)}")
    if letter.source:
        print(f"{'source':>15}: {clean_text(letter.source.label())}")
    for entry in letter.history:
        print(f"{entry.when:%Y-%m-%d %H:%M}  {clean_text(entry.describe())}")
    return 0


def _resolve_lmcs(names: list[str], workspace: Workspace) -> tuple[str, ...]:
    from adapters.records.lmcs import load_lmcs, resolve_lmcs

    known, problem = load_lmcs(workspace.data_dir)
    if problem:
        _warn(problem)
    resolved, warnings = resolve_lmcs(names, known)
    for warning in warnings:
        _warn(f"lmcs: {warning}")
    return resolved


def _add(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.letters import (
        Letter,
        mark_created,
        parse_direction,
        parse_status,
        status_from_dates,
    )
    from adapters.records.overdue import with_default_due

    days = _response_days(workspace)
    dates = {
        name: _parse_date(getattr(args, name), name)
        for name in ("sent", "due", "acknowledged", "responded", "closed")
    }
    if args.status is None:
        status = status_from_dates(
            dates["sent"], dates["acknowledged"], dates["responded"], dates["closed"]
        )
    else:
        status = parse_status(args.status)
    letter = Letter(
        subject=args.subject,
        counterparty=args.counterparty,
        lmcs=tuple(args.lmcs),
        direction=parse_direction(args.direction),
        status=status,
        reference=args.reference,
        contact=args.contact,
        summary=args.summary,
        asks=tuple(args.asks),
        outcome=args.outcome,
        tags=tuple(args.tags),
        **dates,
    )
    # Checked as typed first, so a refused letter is not preceded by LMC warnings.
    letter = replace(letter, lmcs=_resolve_lmcs(args.lmcs, workspace))
    letter = mark_created(with_default_due(letter, days), workspace.clock(), "gpwatch letters add")
    stored = workspace.records.letters.add(letter)
    print(stored.id)
    return 0


def _import(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.letter_csv import (
        CsvFileError,
        import_letters,
        parse_mapping,
        read_letters_csv,
    )
    from adapters.records.lmcs import load_lmcs

    mapping = parse_mapping(args.map)
    days = _response_days(workspace)
    known, problem = load_lmcs(workspace.data_dir)
    if problem:
        _warn(problem)
    try:
        read = read_letters_csv(
            args.file, now=workspace.clock(), mapping=mapping, lmcs=known, response_days=days
        )
    except CsvFileError as exc:
        return _error(str(exc))
    result = import_letters(
        workspace.records.letters, read, skip_bad=args.skip_bad, dry_run=args.dry_run
    )
    name = clean_text(args.file.name)
    for warning in result.warnings:
        _warn(f"{name}: {warning}")
    for problem_row in result.problems:
        print(f"{name}: {clean_text(problem_row)}", file=sys.stderr)
    for line, reason in result.duplicates:
        print(f"{name}: line {line}: skipped, {clean_text(reason)}")
    bad = len(read.bad_lines)
    counts = f"{len(result.duplicates)} already present, {bad} bad rows"
    if args.dry_run:
        print(f"Dry run: would import {result.would_add} letters from {name}; {counts}.")
    elif result.saved:
        ids = [str(letter.id) for letter in result.added]
        span = f"id {ids[0]}" if len(ids) == 1 else f"ids {ids[0]}-{ids[-1]}"
        print(f"Imported {len(ids)} letters from {name} ({span}); {counts}.")
    elif bad and not args.skip_bad:
        return _error(
            f"{name}: {bad} bad rows (listed above); nothing was imported. Fix them, or use "
            f"--skip-bad to import the {result.would_add} good new rows",
            code=1,
        )
    else:
        print(f"Imported 0 letters from {name}; {counts}.")
    return 1 if bad and not args.skip_bad else 0


def _export(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.letter_csv import letters_to_csv, write_letters_csv

    letters = sorted(workspace.records.letters.all(), key=lambda letter: letter.id or 0)
    if args.file == "-":
        sys.stdout.write(letters_to_csv(letters))
        return 0
    count = write_letters_csv(Path(args.file), letters)
    print(f"Wrote {count} letters to {clean_text(args.file)}.")
    return 0


def _chase(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.letters import chase_letter
    from adapters.records.overdue import default_due

    now = workspace.clock()
    due = _parse_date(args.due, "due") or default_due(_today(workspace), _response_days(workspace))
    _get(workspace, args.id)
    chased = workspace.records.letters.modify(
        args.id, lambda letter: chase_letter(letter, now, due, args.note)
    )
    print(f"Chased letter {chased.id} (chase {len(chased.chases)}); now due {due.isoformat()}.")
    return 0


def _set_status(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.letters import set_status

    now = workspace.clock()
    on = _parse_date(args.date, "date")
    days = _response_days(workspace)
    _get(workspace, args.id)
    changed = workspace.records.letters.modify(
        args.id,
        lambda letter: set_status(
            letter, args.status, now, on=on, note=args.note, response_days=days
        ),
    )
    print(f"Letter {changed.id} is {changed.status}.")
    return 0


def _lmcs(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.lmcs import LmcListError, load_lmcs, write_bundled_lmcs

    if args.init:
        try:
            path = write_bundled_lmcs(workspace.data_dir)
        except LmcListError as exc:
            return _error(str(exc))
        print(f"Wrote {clean_text(path)}; edit it to change the LMC names offered.")
        return 0
    known, problem = load_lmcs(workspace.data_dir)
    if problem:
        _warn(problem)
    print(f"# {len(known)} LMCs from {clean_text(known.origin)}", file=sys.stderr)
    for name in known.names:
        print(clean_text(name))
    return 0
