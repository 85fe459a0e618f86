"""`gpwatch letters` as scripts and cron use it: the contract, every bad input, real files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from adapters.records.letters import Letter
from adapters.workspace import Workspace
from tests.cli_helpers import gpwatch
from tui.cli import main

Run = Callable[..., tuple[int, str, str]]
CONTRACT_KEYS = {"id", "subject", "direction", "counterparty", "lmcs", "sent", "due", "status"}
FAR_FUTURE = (date.today() + timedelta(days=400)).isoformat()


@pytest.fixture
def gp(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `gpwatch --data-dir DATA ...` in this process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def stored(data_dir: Path) -> list[Letter]:
    """What a fresh process would find on disk."""
    return sorted(Workspace.open(data_dir).records.letters.all(), key=lambda letter: letter.id or 0)


def mine(data_dir: Path) -> list[Letter]:
    return [letter for letter in stored(data_dir) if not letter.sample]


ADD = ("letters", "add", "--subject", "Funding for ARRS roles", "--counterparty", "NHS England")


# --------------------------------------------------------------------------- add


def test_add_prints_the_id_of_a_saved_letter(gp: Run, data_dir: Path) -> None:
    code, out, err = gp(
        *ADD,
        "--lmc",
        "kent lmc",
        "--lmc",
        "Devon LMC",
        "--sent",
        "2 Sep 2021",
        "--direction",
        "Outgoing",
        "--ask",
        "Fund ARRS roles",
        "--tag",
        "funding",
    )
    assert (code, err) == (0, "")
    letter_id = int(out)
    (letter,) = mine(data_dir)
    assert letter.id == letter_id
    assert letter.lmcs == ("Kent LMC", "Devon LMC")  # the list's spelling
    assert (letter.status, letter.sent, letter.due) == (
        "sent",
        date(2021, 9, 2),
        date(2021, 9, 30),
    )
    assert letter.asks == ("Fund ARRS roles",) and letter.tags == ("funding",)
    assert [entry.what for entry in letter.history] == ["created"]


def test_add_without_sent_is_a_draft(gp: Run, data_dir: Path) -> None:
    code, _, _ = gp(*ADD, "--lmc", "Kent LMC")
    assert code == 0
    (letter,) = mine(data_dir)
    assert (letter.status, letter.sent, letter.due) == ("draft", None, None)


def test_add_uses_the_response_days_setting(gp: Run, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "settings.json").write_text('{"letters": {"response_days": 14}}')
    assert gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02")[0] == 0
    assert mine(data_dir)[0].due == date(2021, 9, 16)
    assert (
        gp(
            *ADD[:3],
            "Other",
            *ADD[4:],
            "--lmc",
            "Kent LMC",
            "--sent",
            "2021-09-02",
            "--due",
            "1/10/2021",
        )[0]
        == 0
    )
    assert mine(data_dir)[1].due == date(2021, 10, 1)


def test_add_without_status_takes_it_from_the_dates(gp: Run, data_dir: Path) -> None:
    code, _, err = gp(
        *ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02", "--responded", "2021-09-09"
    )
    assert (code, err) == (0, "")
    (letter,) = mine(data_dir)
    assert (letter.status, letter.responded, letter.due) == ("responded", date(2021, 9, 9), None)


def test_an_lmc_not_on_the_list_is_saved_with_a_warning(gp: Run, data_dir: Path) -> None:
    code, out, err = gp(*ADD, "--lmc", "Gwent LMC", "--sent", "2021-09-02")
    assert code == 0 and out.strip().isdigit()
    assert "warning: lmcs: 'Gwent LMC' is not on the bundled LMC list" in err
    assert mine(data_dir)[0].lmcs == ("Gwent LMC",)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--subject", "", "--counterparty", "HEE", "--lmc", "Kent LMC"), "error: subject:"),
        (("--subject", "s", "--counterparty", " ", "--lmc", "Kent LMC"), "error: counterparty:"),
        (("--subject", "s", "--counterparty", "HEE", "--lmc", ""), "error: lmcs:"),
        ((*ADD[2:], "--lmc", "Kent LMC", "--status", "lost"), "error: status: 'lost'"),
        ((*ADD[2:], "--lmc", "Kent LMC", "--direction", "up"), "error: direction: 'up'"),
        ((*ADD[2:], "--lmc", "Kent LMC", "--sent", "31 Feb 2021"), "error: sent: '31 Feb 2021'"),
        ((*ADD[2:], "--lmc", "Kent LMC", "--sent", "09/13/2021"), "error: sent:"),
        ((*ADD[2:], "--lmc", "Kent LMC", "--status", "sent"), "error: sent: a letter with status"),
        (
            (*ADD[2:], "--lmc", "Kent LMC", "--sent", "2021-09-02", "--due", "2021-09-01"),
            "error: due: is before",
        ),
        (
            (
                *ADD[2:],
                "--lmc",
                "Kent LMC",
                "--sent",
                "2021-09-02",
                "--status",
                "responded",
                "--responded",
                "2021-09-01",
            ),
            "error: responded: is before the date the letter was sent",
        ),
        (
            (
                *ADD[2:],
                "--lmc",
                "Kent LMC",
                "--sent",
                "2021-09-02",
                "--status",
                "sent",
                "--responded",
                "2021-09-09",
            ),
            "error: responded: a letter with status 'sent'",
        ),
        (
            (*ADD[2:], "--lmc", "Kent LMC", "--lmc", "KENT LMC"),
            "error: lmcs: 'KENT LMC' is listed twice",
        ),
        ((*ADD[2:],), "the following arguments are required: --lmc"),
        (("--counterparty", "HEE", "--lmc", "Kent LMC"), "required: --subject"),
    ],
)
def test_a_bad_letter_exits_2_naming_the_field_and_saves_nothing(
    gp: Run,
    data_dir: Path,
    args: tuple[str, ...],
    needle: str,
) -> None:
    code, out, err = gp("letters", "add", *args)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err
    assert "warning" not in err  # a refused letter gets no LMC warnings first
    assert mine(data_dir) == []


# --------------------------------------------------------------------------- list


def test_list_json_contract(gp: Run, data_dir: Path) -> None:
    gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02", "--due", "2021-09-30")
    gp(
        *ADD[:3],
        "Not due yet",
        *ADD[4:],
        "--lmc",
        "Kent LMC",
        "--sent",
        "2021-09-02",
        "--due",
        FAR_FUTURE,
    )
    gp(*ADD[:3], "Draft", *ADD[4:], "--lmc", "Kent LMC")
    code, out, err = gp("letters", "list", "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)  # nothing but JSON on stdout
    assert isinstance(rows, list) and len(rows) == 4  # the sample letter and three of ours
    for row in rows:
        assert CONTRACT_KEYS | {"overdue_days"} <= set(row)
        assert isinstance(row["lmcs"], list) and isinstance(row["overdue_days"], int)
        for key in ("sent", "due"):
            assert row[key] is None or date.fromisoformat(row[key]).isoformat() == row[key]
    by_subject = {row["subject"]: row for row in rows}
    late = by_subject["Funding for ARRS roles"]
    assert late["overdue_days"] == (date.today() - date(2021, 9, 30)).days
    assert late["due"] == "2021-09-30" and late["lmcs"] == ["Kent LMC"]
    assert by_subject["Not due yet"]["overdue_days"] == 0
    draft = by_subject["Draft"]
    assert (draft["status"], draft["sent"], draft["due"], draft["overdue_days"]) == (
        "draft",
        None,
        None,
        0,
    )
    sample = by_subject["Restore dialogue with NHS England"]
    assert sample["due"] == "2021-09-30" and sample["due_is_default"] is True


def test_list_filters(gp: Run) -> None:
    gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02", "--due", FAR_FUTURE)
    gp(
        *ADD[:3],
        "Answered",
        *ADD[4:],
        "--lmc",
        "Kent LMC",
        "--sent",
        "2021-09-02",
        "--status",
        "closed",
    )

    def subjects(*flags: str) -> set[str]:
        return {r["subject"] for r in json.loads(gp("letters", "list", "--json", *flags)[1])}

    assert subjects("--open") == {"Funding for ARRS roles", "Restore dialogue with NHS England"}
    assert subjects("--overdue") == {"Restore dialogue with NHS England"}
    assert gp("letters", "list", "--open", "--overdue")[0] == 2


def test_list_lines_are_plain_text(gp: Run) -> None:
    gp(
        "letters",
        "add",
        "--subject",
        "\x1b]0;pwned\x07Evil\x1b[2J",
        "--counterparty",
        "x\u202e",
        "--lmc",
        "Kent LMC",
    )
    code, out, _ = gp("letters", "list")
    assert code == 0 and "Evil" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "1d late" in out or "late" in out  # the sample letter


def test_list_warns_of_bad_settings_on_stderr_only(gp: Run, data_dir: Path) -> None:
    Workspace.open(data_dir)
    (data_dir / "settings.json").write_text('{"letters": {"response_days": 0}}')
    code, out, err = gp("letters", "list", "--json")
    assert code == 0 and json.loads(out)
    assert "letters.response_days" in err and "using 28" in err


# --------------------------------------------------------------------------- import


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


HEADER = ["SUBJECT", "Direction", "counterparty", "LMCs", "Sent", "due", "Status"]
GOOD = [
    ["Restore dialogue", "outgoing", "BMA GPC", "Kent LMC; Devon LMC", "02/09/2021", "", "sent"],
    ["Premises funding", "incoming", "Kent and Medway ICB", "Kent LMC", "2021-10-01", "", ""],
]


def test_import_then_again(gp: Run, data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "office.csv", [HEADER, *GOOD])
    code, out, err = gp("letters", "import", str(path))
    assert (code, err) == (0, "")
    assert out.startswith("Imported 2 letters from office.csv (ids 2-3); 0 already present")
    first, second = mine(data_dir)
    assert first.lmcs == ("Kent LMC", "Devon LMC") and first.due == date(2021, 9, 30)
    assert (second.direction, second.status) == ("incoming", "sent")
    code, out, _ = gp("letters", "import", str(path))
    assert code == 0 and "Imported 0 letters" in out and "2 already present" in out
    assert "office.csv: line 2: skipped, already stored as letter #2" in out
    assert len(mine(data_dir)) == 2


def test_bad_rows_are_listed_and_nothing_is_imported(
    gp: Run, data_dir: Path, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        *GOOD,
        ["", "outgoing", "HEE", "Kent LMC", "", "", ""],
        ["Late", "outgoing", "HEE", "Kent LMC", "2021-09-02", "2021-08-01", "sent"],
    ]
    path = write_csv(tmp_path / "office.csv", rows)
    code, out, err = gp("letters", "import", str(path))
    assert code == 1
    assert "office.csv: line 4: subject: must not be empty" in err
    assert "office.csv: line 5: due: is before the date the letter was sent" in err
    assert "2 bad rows" in err and "nothing was imported" in err and "--skip-bad" in err
    assert mine(data_dir) == []
    dry = gp("letters", "import", "--dry-run", str(path))
    assert dry[0] == 1 and "Dry run: would import 2 letters" in dry[1]
    assert mine(data_dir) == []
    code, out, err = gp("letters", "import", "--skip-bad", str(path))
    assert code == 0 and "Imported 2 letters" in out and "2 bad rows" in out
    assert [letter.subject for letter in mine(data_dir)] == ["Restore dialogue", "Premises funding"]


def test_import_with_a_map(gp: Run, data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ours.csv",
        [["Our Subject", "To", "Signed by", "Date sent"], ["A", "DHSC", "Kent LMC", "2 Sep 2021"]],
    )
    code, _, err = gp(
        "letters",
        "import",
        str(path),
        "--map",
        "our subject=subject",
        "--map",
        "To=counterparty",
        "--map",
        "Signed by=lmcs",
        "--map",
        "Date sent=sent",
    )
    assert (code, err) == (0, "")
    assert mine(data_dir)[0].sent == date(2021, 9, 2)


@pytest.mark.parametrize(
    ("content", "extra", "needle"),
    [
        (b"", (), "is empty"),
        (b"subject,lmcs\nA,Kent LMC\n", (), "no 'counterparty' column"),
        (b"PK\x03\x04rest", (), "Excel workbook"),
        (b"subject,counterparty,lmcs\n", ("--map", "x=heading"), "error: map: 'heading'"),
        (b"subject,counterparty,lmcs\n", ("--map", "nonsense"), "error: map:"),
        (b"subject,counterparty,lmcs\n", ("--map", "Title=subject"), "does not have: 'Title'"),
    ],
)
def test_an_unusable_file_exits_2(
    gp: Run,
    data_dir: Path,
    tmp_path: Path,
    content: bytes,
    extra: tuple[str, ...],
    needle: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, _, err = gp("letters", "import", str(path), *extra)
    assert code == 2 and needle in err and "Traceback" not in err
    assert mine(data_dir) == []


def test_a_missing_file_exits_2(gp: Run, tmp_path: Path) -> None:
    code, _, err = gp("letters", "import", str(tmp_path / "nope.csv"))
    assert code == 2 and "can not read" in err


def test_a_header_only_file_imports_nothing(gp: Run, data_dir: Path, tmp_path: Path) -> None:
    code, out, _ = gp("letters", "import", str(write_csv(tmp_path / "h.csv", [HEADER])))
    assert code == 0 and "Imported 0 letters" in out


def test_an_excel_windows_1252_export_imports_with_a_warning(
    gp: Run, data_dir: Path, tmp_path: Path
) -> None:
    row = ["GPs\u2019 pay \u00a310m", "outgoing", "DHSC", "Kent LMC", "2021-09-02", "", "sent"]
    path = write_csv(tmp_path / "excel.csv", [HEADER, row], encoding="cp1252")
    code, _, err = gp("letters", "import", str(path))
    assert code == 0 and "Windows-1252" in err
    assert mine(data_dir)[0].subject == "GPs\u2019 pay \u00a310m"


# --------------------------------------------------------------------------- export


def test_export_and_import_elsewhere(gp: Run, data_dir: Path, tmp_path: Path) -> None:
    assert (
        gp(
            "letters",
            "add",
            "--subject",
            "=cmd|' /C calc'!A0",
            "--counterparty",
            "@HEE",
            "--lmc",
            "Kent LMC",
            "--lmc",
            "Devon LMC",
            "--sent",
            "2021-09-02",
            "--summary=-2+3",
        )[0]
        == 0
    )
    out_file = tmp_path / "letters.csv"
    code, out, _ = gp("letters", "export", str(out_file))
    assert code == 0 and out == f"Wrote 2 letters to {out_file}.\n"
    rows = list(csv.DictReader(io.StringIO(out_file.read_text("utf-8-sig"), newline="")))
    assert rows[1]["subject"] == "'=cmd|' /C calc'!A0" and rows[1]["counterparty"] == "'@HEE"
    assert rows[1]["lmcs"] == "Kent LMC; Devon LMC" and rows[1]["summary"] == "'-2+3"
    other = tmp_path / "other"
    result = gpwatch(other, "letters", "import", str(out_file))
    assert result.returncode == 0, result.stderr
    assert "1 already present" in result.stdout  # the sample letter, seeded there too
    copied = [letter for letter in stored(other) if not letter.sample]
    original = mine(data_dir)
    assert [(c.subject, c.counterparty, c.lmcs, c.summary, c.sent, c.due) for c in copied] == [
        (o.subject, o.counterparty, o.lmcs, o.summary, o.sent, o.due) for o in original
    ]


def test_export_to_stdout(gp: Run) -> None:
    code, out, _ = gp("letters", "export", "-")
    assert code == 0 and out.splitlines()[0].startswith("id,subject,")


# --------------------------------------------------------------------------- chase, status, show


def test_chase_and_set_status(gp: Run, data_dir: Path) -> None:
    letter_id = gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02")[1].strip()
    code, out, _ = gp("letters", "chase", letter_id, "--due", FAR_FUTURE, "--note", "phoned")
    assert code == 0 and f"now due {FAR_FUTURE}" in out
    assert gp("letters", "set-status", letter_id, "No-Reply")[0] == 0
    assert gp("letters", "set-status", letter_id, "responded", "--date", "2 Oct 2021")[0] == 0
    (letter,) = mine(data_dir)
    assert (letter.status, letter.responded) == ("responded", date(2021, 10, 2))
    assert [e.what for e in letter.history] == ["created", "chase", "status", "status", "edit"]
    code, out, _ = gp("letters", "show", letter_id, "--json")
    shown = json.loads(out)
    assert shown["history"][1]["note"] == "phoned" and shown["status"] == "responded"
    code, out, _ = gp("letters", "show", letter_id)
    assert "chased; due 2021-09-30" in out and "status: no reply → responded" in out


def test_chase_defaults_to_the_response_period(gp: Run, data_dir: Path) -> None:
    letter_id = gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02")[1].strip()
    assert gp("letters", "chase", letter_id)[0] == 0
    assert mine(data_dir)[0].due == date.today() + timedelta(days=28)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("chase", "999", "--due", FAR_FUTURE), "error: id: there is no letter 999"),
        (("set-status", "999", "sent"), "error: id: there is no letter 999"),
        (("show", "999"), "error: id: there is no letter 999"),
        (("chase", "1", "--due", "2021-01-01"), "error: due:"),
        (("chase", "1", "--due", "soon"), "error: due: 'soon' is not a date"),
        (("set-status", "1", "lost"), "error: status: 'lost'"),
        (("set-status", "1", "no reply", "--date", "2021-09-03"), "error: date:"),
        (("set-status", "1", "responded", "--date", "2021-09-01"), "error: responded: is before"),
        (("chase", "x"), "invalid int value"),
    ],
)
def test_bad_changes_exit_2_and_change_nothing(
    gp: Run, data_dir: Path, args: tuple[str, ...], needle: str
) -> None:
    Workspace.open(data_dir)
    before = (data_dir / "records.json").read_bytes()
    code, _, err = gp("letters", *args)
    assert code == 2 and needle in err
    assert (data_dir / "records.json").read_bytes() == before


def test_a_closed_letter_can_not_be_chased(gp: Run) -> None:
    letter_id = gp(*ADD, "--lmc", "Kent LMC", "--sent", "2021-09-02", "--status", "closed")[1]
    code, _, err = gp("letters", "chase", letter_id.strip(), "--due", FAR_FUTURE)
    assert code == 2 and "error: status: a 'closed' letter is not awaiting a reply" in err


# --------------------------------------------------------------------------- lmcs


def test_lmcs_list_and_init(gp: Run, data_dir: Path) -> None:
    code, out, err = gp("letters", "lmcs")
    assert code == 0 and "Cheshire LMC" in out.splitlines() and "bundled" in err
    assert gp("letters", "lmcs", "--init")[0] == 0
    (data_dir / "lmcs.json").write_text('{"lmcs": ["Gwent LMC"]}')
    assert gp("letters", "lmcs")[1] == "Gwent LMC\n"
    assert gp("letters", "lmcs", "--init")[0] == 2  # never over the user's file
    (data_dir / "lmcs.json").write_text("{broken")
    code, out, err = gp("letters", "lmcs")
    assert code == 0 and "Cheshire LMC" in out and "bad JSON" in err


# --------------------------------------------------------------------------- real processes


def test_the_contract_in_a_real_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "cron"
    added = gpwatch(data_dir, *ADD, "--lmc", "Cheshire LMC", "--sent", "2021-09-02")
    assert added.returncode == 0, added.stderr
    letter_id = int(added.stdout)
    # Durable: a separate process reading the file finds it.
    raw = json.loads((data_dir / "records.json").read_text())
    assert raw["letters"][str(letter_id)]["subject"] == "Funding for ARRS roles"
    listed = gpwatch(data_dir, "letters", "list", "--json", "--overdue")
    assert listed.returncode == 0
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows[letter_id]["overdue_days"] > 0 and rows[letter_id]["lmcs"] == ["Cheshire LMC"]
    refused = gpwatch(data_dir, *ADD, "--lmc", "Cheshire LMC", "--sent", "30/02/2021")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "gpwatch: error: sent:" in refused.stderr and "Traceback" not in refused.stderr
    bad = write_csv(tmp_path / "bad.csv", [HEADER, ["", "", "HEE", "Kent LMC", "", "", ""]])
    imported = gpwatch(data_dir, "letters", "import", str(bad))
    assert imported.returncode == 1 and "line 2: subject" in imported.stderr


def test_letters_commands_do_not_load_textual() -> None:
    code = "import sys, tui.commands.letters; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
