"""Letters from a spreadsheet and back: every bad input named by line, nothing half-imported."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.records.letter_csv import (
    CSV_FIELDS,
    EXPORT_COLUMNS,
    MAX_FILE_BYTES,
    CsvFileError,
    CsvRead,
    import_letters,
    letters_to_csv,
    neutralise,
    parse_mapping,
    read_letters_csv,
    read_letters_text,
    unneutralise,
    write_letters_csv,
)
from adapters.records.letters import LETTER_DIRECTIONS, LETTER_STATUSES, Letter, mark_created
from adapters.records.lmcs import bundled_lmcs
from adapters.repository import RecordRepository
from adapters.validation import ValidationError
from adapters.workspace import Workspace

NOW = datetime(2021, 10, 1, 9, tzinfo=UTC)
MINIMAL = "subject,direction,counterparty,lmcs,sent,due,status\n"


def read(text: str, **kwargs: object) -> CsvRead:
    return read_letters_text(text, now=NOW, lmcs=bundled_lmcs(), **kwargs)  # type: ignore[arg-type]


def write(tmp_path: Path, content: str | bytes, name: str = "letters.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@pytest.fixture
def letters(tmp_path: Path) -> RecordRepository[Letter]:
    return Workspace.open(tmp_path / "data", seed_sample=False).records.letters


# --------------------------------------------------------------------------- columns


def test_the_contract_headers_in_any_case_and_order() -> None:
    result = read(
        "Status,DUE,LMCs,Sent,Counterparty,Direction,SUBJECT\n"
        "Sent,30/09/2021,Kent LMC;cheshire lmc,2 Sep 2021,BMA GPC,Outgoing,Restore dialogue\n"
    )
    assert result.problems == [] and result.warnings == []
    ((line, letter),) = result.letters
    assert line == 2
    assert (letter.subject, letter.counterparty, letter.direction, letter.status) == (
        "Restore dialogue",
        "BMA GPC",
        "outgoing",
        "sent",
    )
    assert letter.lmcs == ("Kent LMC", "Cheshire LMC")
    assert (letter.sent, letter.due) == (date(2021, 9, 2), date(2021, 9, 30))
    (created,) = letter.history
    assert created.what == "created" and created.note == "imported from CSV line 2"


def test_every_field_is_read() -> None:
    header = ",".join(CSV_FIELDS)
    row = (
        'Subj,LMC/1,incoming,NHS England,Jane Doe,"Kent LMC; Devon LMC",closed,2021-09-02,'
        '2021-09-03,2021-09-30,2021-09-20,2021-10-01,"Summary\nline two","Ask one\nAsk two",'
        'Done,"LMC; NHS England"'
    )
    ((_, letter),) = read(f"{header}\n{row}\n").letters
    assert letter.reference == "LMC/1" and letter.contact == "Jane Doe"
    assert letter.direction == "incoming" and letter.status == "closed"
    assert letter.acknowledged == date(2021, 9, 3) and letter.closed == date(2021, 10, 1)
    assert letter.summary == "Summary\nline two" and letter.outcome == "Done"
    assert letter.asks == ("Ask one", "Ask two") and letter.tags == ("LMC", "NHS England")


def test_defaults_for_empty_cells() -> None:
    result = read(
        MINIMAL
        + "Sent one,,BMA GPC,Kent LMC,2021-09-02,,\n"
        + "A draft,,BMA GPC,Kent LMC,,,\n"
        + "Agreed due,,BMA GPC,Kent LMC,2021-09-02,2021-12-01,\n"
        + "Answered,,BMA GPC,Kent LMC,2021-09-02,,responded\n"
    )
    sent, draft, agreed, answered = (letter for _, letter in result.letters)
    assert (sent.status, sent.direction, sent.due) == ("sent", "outgoing", date(2021, 9, 30))
    assert (draft.status, draft.sent, draft.due) == ("draft", None, None)
    assert agreed.due == date(2021, 12, 1)
    assert answered.due is None  # no reply is owed, so no default is invented
    custom = read(MINIMAL + "x,,BMA GPC,Kent LMC,2021-09-02,,\n", response_days=7)
    assert custom.letters[0][1].due == date(2021, 9, 9)


def test_lmcs_may_be_one_per_line_in_the_cell() -> None:
    ((_, letter),) = read(MINIMAL + 'x,,BMA GPC,"Kent LMC\nDevon LMC",,,draft\n').letters
    assert letter.lmcs == ("Kent LMC", "Devon LMC")


def test_unknown_lmcs_are_imported_with_a_warning_by_line() -> None:
    result = read(MINIMAL + "x,,BMA GPC,Gwent LMC; kent lmc,,,draft\n")
    assert result.letters[0][1].lmcs == ("Gwent LMC", "Kent LMC")
    (warning,) = result.warnings
    assert warning.startswith("line 2: lmcs: 'Gwent LMC' is not on the bundled LMC list")


@pytest.mark.parametrize("missing", ["subject", "counterparty", "lmcs"])
def test_a_missing_required_column_is_named(missing: str) -> None:
    header = ",".join(c for c in ("subject", "counterparty", "lmcs", "sent") if c != missing)
    with pytest.raises(CsvFileError) as caught:
        read(header + "\na,b,c\n")
    assert f"no {missing!r} column" in str(caught.value)
    assert f"--map 'COLUMN={missing}'" in str(caught.value)


def test_a_semicolon_separated_file_gets_a_hint() -> None:
    with pytest.raises(CsvFileError, match="comma-separated"):
        read("subject;counterparty;lmcs\na;b;c\n")


def test_unknown_columns_are_warned_id_and_blank_headers_too() -> None:
    result = read("id,Subject,Notes,Counterparty,LMCs,\n7,a,private,BMA GPC,Kent LMC,stray\n")
    assert len(result.letters) == 1
    assert result.warnings == [
        "column 'Notes' is not a letter field and is ignored (--map 'Notes=FIELD' to read it)",
        "column 6 has no header; its cells are ignored",
    ]


def test_a_column_twice_is_refused() -> None:
    with pytest.raises(CsvFileError, match=r"columns 1 and 3 .* both 'subject'"):
        read("subject,counterparty,Subject,lmcs\n")


def test_mapping_other_headers() -> None:
    mapping = parse_mapping(["Our Subject=subject", " To = Counterparty", "Signed by=lmcs"])
    assert mapping == {"Our Subject": "subject", "To": "counterparty", "Signed by": "lmcs"}
    result = read("OUR SUBJECT,to,signed by\nx,BMA GPC,Kent LMC\n", mapping=mapping)
    assert result.letters[0][1].subject == "x" and result.warnings == []
    with pytest.raises(CsvFileError, match="does not have: 'Our Subject'"):
        read("subject,counterparty,lmcs\n", mapping={"Our Subject": "subject"})
    with pytest.raises(CsvFileError, match="both 'subject'"):
        read("subject,Title,counterparty,lmcs\n", mapping={"Title": "subject"})


@pytest.mark.parametrize(
    ("specs", "needle"),
    [
        (["subject"], "COLUMN=field"),
        (["=subject"], "COLUMN=field"),
        (["Title=heading"], "'heading' is not a letter field"),
        (["Title=subject", "title=summary"], "mapped twice"),
    ],
)
def test_bad_mappings_name_the_option(specs: list[str], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_mapping(specs)
    assert caught.value.field == "map" and needle in caught.value.message


def test_a_column_name_with_an_equals_sign_can_be_mapped() -> None:
    assert parse_mapping(["a=b=subject"]) == {"a=b": "subject"}


# --------------------------------------------------------------------------- rows


def test_every_bad_row_is_reported_by_spreadsheet_line() -> None:
    text = (
        "\n"  # a blank row before the header: the header is line 2
        + MINIMAL
        + 'Good,,BMA GPC,Kent LMC,2021-09-02,,"sent"\n'
        + ",,BMA GPC,Kent LMC,2021-09-02,,sent\n"  # line 4: no subject
        + '"Two\nlines",,BMA GPC,Kent LMC,2021-09-02,,sent\n'  # line 5, one row
        + "\n"  # line 6, blank
        + "Bad,sideways,BMA GPC,Kent LMC,31 Feb 2021,,lost\n"  # line 7: three bad cells
        + "Early,,BMA GPC,Kent LMC,2021-09-02,2021-09-01,sent\n"  # line 8: due before sent
        + "Answered early,,BMA GPC,Kent LMC,2021-09-02,,responded\n"  # line 9: fine
        + "No LMC,,BMA GPC,;,2021-09-02,,sent\n"  # line 10
        + "Unsent,,BMA GPC,Kent LMC,,,sent\n"  # line 11: sent needs a date
    )
    result = read(text)
    assert [line for line, _ in result.letters] == [3, 5, 9]
    assert [str(p) for p in result.problems] == [
        "line 4: subject: must not be empty",
        "line 7: sent: '31 Feb 2021' is not a real date (day is out of range for month)",
        "line 7: direction: 'sideways' is not one of outgoing, incoming",
        "line 7: status: 'lost' is not one of draft, sent, acknowledged, responded, closed, "
        "no reply",
        "line 8: due: is before the date the letter was sent (2021-09-02)",
        "line 10: lmcs: name at least one LMC",
        "line 11: sent: a letter with status 'sent' needs the date it was sent",
    ]
    assert result.bad_lines == [4, 7, 8, 10, 11] and result.rows == 8


def test_ragged_rows() -> None:
    result = read(
        MINIMAL
        + "Short,,BMA GPC,Kent LMC\n"
        + "Long,,BMA GPC,Kent LMC,2021-09-02,,sent,surprise\n"
        + "Trailing commas,,BMA GPC,Kent LMC,2021-09-02,,sent,,,\n"
    )
    assert [line for line, _ in result.letters] == [4]
    assert [p.line for p in result.problems] == [2, 3]
    assert "has 4 cells but the header has 7" in result.problems[0].message
    assert "has 8 cells" in result.problems[1].message


def test_a_nul_byte_is_a_bad_cell() -> None:
    result = read(MINIMAL + "Sub\x00ject,,BMA GPC,Kent LMC,,,draft\n")
    assert [str(p) for p in result.problems] == ["line 2: subject: contains a NUL character"]


def test_a_50_mb_line_is_a_bad_row_not_a_crash(tmp_path: Path) -> None:
    huge = "x" * (50 * 1024 * 1024)
    path = tmp_path / "big.csv"
    path.write_text(
        "subject,counterparty,lmcs,summary\n"
        f"Big,BMA GPC,Kent LMC,{huge}\n"
        "Fine,BMA GPC,Kent LMC,short\n"
    )
    result = read_letters_csv(path, now=NOW)
    assert [line for line, _ in result.letters] == [3]
    (problem,) = result.problems
    assert problem.line == 2 and problem.field == "summary"
    assert "52,428,800 characters" in problem.message


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 100 MB written
    with pytest.raises(CsvFileError, match="is not read"):
        read_letters_csv(path, now=NOW)


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("content", [b"", b"  \r\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(CsvFileError, match="is empty"):
        read_letters_csv(write(tmp_path, content), now=NOW)


def test_header_only_is_an_empty_import(tmp_path: Path, letters: RecordRepository[Letter]) -> None:
    result = read_letters_csv(write(tmp_path, MINIMAL), now=NOW)
    assert (result.letters, result.problems, result.rows) == ([], [], 0)
    outcome = import_letters(letters, result)
    assert outcome.added == [] and not outcome.saved


def test_utf8_with_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + MINIMAL + "Café £10m,,BMA GPC,Kent LMC,,,draft\n")
    result = read_letters_csv(path, now=NOW)
    assert result.letters[0][1].subject == "Café £10m" and result.warnings == []


def test_an_excel_windows_1252_file(tmp_path: Path) -> None:
    subject = "GPs\u2019 pay \u2013 \u00a310m"  # curly apostrophe, en dash, pound
    row = f"{subject},,BMA GPC,Kent LMC,,,draft\n"
    path = write(tmp_path, (MINIMAL + row).encode("cp1252"))
    result = read_letters_csv(path, now=NOW)
    assert result.letters[0][1].subject == subject
    (warning,) = result.warnings
    assert "not UTF-8" in warning and "Windows-1252" in warning


def test_utf16_from_excel_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path, (MINIMAL + "Ünïcode,,BMA GPC,Kent LMC,,,draft\n").encode("utf-16"))
    assert read_letters_csv(path, now=NOW).letters[0][1].subject == "Ünïcode"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
        (b"subject,counterparty,lmcs\n\x81\x8d\x8f,a,b\n", "neither UTF-8 nor Windows-1252"),
        (b"\xff\xfe\x00\xd8", "broken UTF-16"),
    ],
)
def test_files_that_are_not_text_csv(tmp_path: Path, content: bytes, needle: str) -> None:
    with pytest.raises(CsvFileError, match=needle):
        read_letters_csv(write(tmp_path, content), now=NOW)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="can not read"):
        read_letters_csv(tmp_path / "nope.csv", now=NOW)


# --------------------------------------------------------------------------- importing


ROWS = (
    MINIMAL
    + "First,,BMA GPC,Kent LMC,2021-09-02,,sent\n"
    + "Second,,NHS England,Devon LMC,2021-09-03,,sent\n"
)


def test_good_rows_are_stored_together(tmp_path: Path, letters: RecordRepository[Letter]) -> None:
    outcome = import_letters(letters, read(ROWS))
    assert outcome.saved and [letter.subject for letter in outcome.added] == ["First", "Second"]
    stored = Workspace.open(tmp_path / "data", seed_sample=False).records.letters.all()
    assert stored == outcome.added and all(letter.id for letter in stored)


def test_bad_rows_stop_the_whole_import(letters: RecordRepository[Letter]) -> None:
    outcome = import_letters(letters, read(ROWS + "Bad,,BMA GPC,Kent LMC,soon,,sent\n"))
    assert not outcome.saved and outcome.added == [] and outcome.would_add == 2
    assert [p.line for p in outcome.problems] == [4]
    assert letters.all() == []


def test_skip_bad_imports_the_good_rows(letters: RecordRepository[Letter]) -> None:
    outcome = import_letters(
        letters, read(ROWS + "Bad,,BMA GPC,Kent LMC,soon,,sent\n"), skip_bad=True
    )
    assert outcome.saved and len(outcome.added) == 2 and len(letters.all()) == 2


def test_a_dry_run_writes_nothing(tmp_path: Path, letters: RecordRepository[Letter]) -> None:
    letters.add(Letter(subject="Mine", counterparty="HEE", lmcs=("Kent LMC",)))
    before = (tmp_path / "data" / "records.json").read_bytes()
    outcome = import_letters(letters, read(ROWS), dry_run=True)
    assert not outcome.saved and outcome.would_add == 2
    assert (tmp_path / "data" / "records.json").read_bytes() == before


def test_a_second_run_adds_nothing(letters: RecordRepository[Letter]) -> None:
    first = import_letters(letters, read(ROWS))
    again = import_letters(letters, read(ROWS.replace("First", "  first ")))
    assert not again.saved and again.would_add == 0
    assert again.duplicates == [
        (2, f"already stored as letter #{first.added[0].id}"),
        (3, f"already stored as letter #{first.added[1].id}"),
    ]
    assert len(letters.all()) == 2


def test_a_row_repeated_in_the_file_is_added_once(letters: RecordRepository[Letter]) -> None:
    outcome = import_letters(letters, read(ROWS + "FIRST,,bma gpc,Kent LMC,2 Sep 2021,,sent\n"))
    assert len(outcome.added) == 2 and outcome.duplicates == [(4, "repeats line 2")]


# --------------------------------------------------------------------------- export


def test_export_neutralises_formulas_and_joins_lists(tmp_path: Path) -> None:
    hostile = Letter(
        subject='=HYPERLINK("http://evil.example","click")',
        counterparty="+44 20 7387 4499",
        lmcs=("@Kent LMC", "Devon LMC"),
        contact="-1+1",
        reference="\tTAB",
        summary="'quoted",
        asks=("First ask", "=2+2"),
    )
    path = tmp_path / "out.csv"
    assert write_letters_csv(path, [hostile]) == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and (path.stat().st_mode & 0o777) == 0o600
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(header) == EXPORT_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["subject"] == "'" + hostile.subject
    assert cells["counterparty"] == "'+44 20 7387 4499"
    assert cells["lmcs"] == "'@Kent LMC; Devon LMC"
    assert cells["contact"] == "'-1+1" and cells["reference"] == "'\tTAB"
    assert cells["summary"] == "''quoted" and cells["asks"] == "First ask\n=2+2"
    ((_, again),) = read_letters_csv(path, now=NOW).letters
    assert (again.subject, again.counterparty, again.lmcs, again.contact, again.summary) == (
        hostile.subject,
        hostile.counterparty,
        hostile.lmcs,
        "-1+1",
        "'quoted",
    )
    assert again.reference == "TAB"  # cells are trimmed on import


@pytest.mark.parametrize("cell", ["", "plain", "=1", "'", "''", "'=x", "-", "@@", "\r\n", "'a"])
def test_neutralise_round_trips(cell: str) -> None:
    assert unneutralise(neutralise(cell)) == cell
    assert not neutralise(cell) or neutralise(cell)[0] not in "=+-@\t\r"


def test_export_writes_dates_iso_and_ids() -> None:
    letter = replace(
        Letter(
            subject="s", counterparty="c", lmcs=("Kent LMC",), status="sent", sent=date(2021, 9, 2)
        ),
        id=12,
    )
    text = letters_to_csv([letter])
    row = dict(
        zip(EXPORT_COLUMNS, next(iter(csv.reader(io.StringIO(text.splitlines()[1])))), strict=True)
    )
    assert row["id"] == "12" and row["sent"] == "2021-09-02" and row["due"] == ""


# --------------------------------------------------------------------------- properties

_cell = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=0, max_size=9), max_size=6), st.booleans())
def test_any_cells_give_letters_or_reported_rows(rows: list[list[str]], with_lmcs: bool) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["subject", "counterparty", "lmcs", "sent", "status", "due", "direction"])
    writer.writerows(rows)
    result = read_letters_text(
        buffer.getvalue(), now=NOW, lmcs=bundled_lmcs() if with_lmcs else None
    )
    reported = {line for line, _ in result.letters} | set(result.bad_lines)
    assert len(reported) == result.rows
    for _, letter in result.letters:
        assert Letter.from_doc(letter.to_doc()) == letter


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_as_a_file(text: str) -> None:
    with contextlib.suppress(CsvFileError):
        read_letters_text(text, now=NOW)


# No NUL: the import refuses it as a sign of a binary file, and only broken
# input puts one in a letter.
_char = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
_line = st.text(_char, min_size=1, max_size=20).map(lambda s: " ".join(s.split())).filter(bool)
_name = _line.filter(lambda s: ";" not in s)
_multiline = st.lists(_line, max_size=3).map("\n".join)


@st.composite
def letters_for_export(draw: st.DrawFn) -> Letter:
    status = draw(st.sampled_from(LETTER_STATUSES))
    sent = draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 1, 1)))
    if status != "draft" and sent is None:
        sent = date(2021, 9, 2)
    dated = {
        name: sent
        for name, allowed in (
            ("acknowledged", ("acknowledged", "responded", "closed", "no reply")),
            ("responded", ("responded", "closed")),
            ("closed", ("closed",)),
        )
        if sent and status in allowed and draw(st.booleans())
    }
    return Letter(
        subject=draw(_line),
        counterparty=draw(_line),
        lmcs=tuple(
            draw(
                st.lists(
                    _name,
                    min_size=1,
                    max_size=3,
                    unique_by=lambda s: " ".join(s.split()).casefold(),
                )
            )
        ),
        direction=draw(st.sampled_from(LETTER_DIRECTIONS)),
        status=status,
        reference=draw(st.just("") | _line),
        contact=draw(st.just("") | _line),
        sent=sent,
        due=sent,
        summary=draw(_multiline),
        asks=tuple(draw(st.lists(_line, max_size=3))),
        outcome=draw(_multiline),
        tags=tuple(
            draw(st.lists(_name, max_size=3, unique_by=lambda s: " ".join(s.split()).casefold()))
        ),
        **dated,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(letters_for_export(), max_size=5))
def test_export_then_import_gives_the_same_letters(originals: list[Letter]) -> None:
    result = read_letters_text(letters_to_csv(originals), now=NOW)
    assert result.problems == []
    assert [replace(letter, history=()) for _, letter in result.letters] == originals


def test_imported_letters_record_where_they_came_from(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS, name="office.csv")
    ((_, first), _) = read_letters_csv(path, now=NOW).letters
    assert (
        first.history
        == mark_created(replace(first, history=()), NOW, "imported from office.csv line 2").history
    )


def test_an_empty_status_follows_the_dates() -> None:
    result = read(
        "subject,counterparty,lmcs,sent,acknowledged,responded,closed,status\n"
        "a,HEE,Kent LMC,2021-09-02,2021-09-03,,,\n"
        "b,HEE,Kent LMC,2021-09-02,,2021-09-20,,\n"
        "c,HEE,Kent LMC,2021-09-02,,2021-09-20,2021-09-21,\n"
    )
    assert [letter.status for _, letter in result.letters] == [
        "acknowledged",
        "responded",
        "closed",
    ]
