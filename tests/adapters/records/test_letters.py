"""The Letter model: validation by field name, status rules and the append-only history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.records import models
from adapters.records.letters import (
    LETTER_STATUSES,
    HistoryEntry,
    Letter,
    chase_letter,
    edit_letter,
    identity,
    letter_fields,
    mark_created,
    parse_direction,
    parse_status,
    set_status,
    with_links,
)
from adapters.store import open_db
from adapters.validation import ValidationError
from adapters.workspace import Workspace

NOW = datetime(2021, 10, 1, 9, 30, tzinfo=UTC)
TODAY = NOW.astimezone().date()
SENT = date(2021, 9, 2)
BASE: dict[str, Any] = {
    "subject": "Restore dialogue with NHS England",
    "counterparty": "BMA GPC",
    "lmcs": ("Kent LMC", "Cheshire LMC"),
    "status": "sent",
    "sent": SENT,
}


def letter(**changes: Any) -> Letter:
    return Letter(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "needle"),
    [
        ({"subject": ""}, "subject", "empty"),
        ({"subject": " \t"}, "subject", "empty"),
        ({"counterparty": ""}, "counterparty", "empty"),
        ({"status": "lost in post"}, "status", "not one of"),
        ({"direction": "sideways"}, "direction", "not one of"),
        ({"lmcs": ()}, "lmcs", "at least one"),
        ({"lmcs": ("Kent LMC", "kent  lmc")}, "lmcs", "twice"),
        ({"lmcs": ("Kent LMC; Devon LMC",)}, "lmcs", "';'"),
        ({"lmcs": ("Kent\nLMC",)}, "lmcs", "line breaks"),
        ({"status": "sent", "sent": None}, "sent", "needs the date it was sent"),
        ({"status": "no reply", "sent": None}, "sent", "needs the date"),
        ({"status": "responded", "responded": date(2021, 9, 1)}, "responded", "before the date"),
        ({"status": "acknowledged", "acknowledged": date(2021, 9, 1)}, "acknowledged", "before"),
        ({"status": "closed", "closed": date(2021, 8, 1)}, "closed", "before the date"),
        ({"due": date(2021, 9, 1)}, "due", "before the date the letter was sent"),
        ({"responded": date(2021, 9, 20)}, "responded", "status 'sent' has no responded date"),
        ({"acknowledged": date(2021, 9, 20)}, "acknowledged", "status 'sent'"),
        ({"status": "responded", "closed": date(2021, 9, 20)}, "closed", "status 'responded'"),
        ({"status": "draft", "sent": None, "acknowledged": SENT}, "acknowledged", "'draft'"),
        (
            {"status": "closed", "responded": date(2021, 9, 20), "closed": date(2021, 9, 10)},
            "closed",
            "before the responded date",
        ),
        ({"sent": "2 Sep 2021"}, "sent", "not a date"),
        ({"due": datetime(2021, 9, 30)}, "due", "not a date"),
        ({"asks": ("one\ntwo",)}, "asks", "line breaks"),
        ({"asks": ("",)}, "asks", "empty"),
        ({"tags": ("a", "A")}, "tags", "twice"),
        ({"articles": (0,)}, "articles", "not a record id"),
        ({"articles": (True,)}, "articles", "not a record id"),
        ({"campaigns": (2, 2)}, "campaigns", "twice"),
        ({"campaigns": "3"}, "campaigns", "list"),
        ({"reference": None}, "reference", "text"),
        ({"contact": 3}, "contact", "text"),
        ({"outcome": b"x"}, "outcome", "text"),
        ({"history": ({"when": "2021-09-02T10:00:00", "what": "edit"},)}, "history.when", "zone"),
        ({"history": ({"when": NOW.isoformat(), "what": "teleport"},)}, "history.what", "one of"),
        ({"history": ({"when": NOW.isoformat(), "what": "edit", "by": "me"},)}, "history", "by"),
        ({"history": ("created",)}, "history", "object"),
        ({"history": "created"}, "history", "list"),
    ],
)
def test_bad_values_are_refused_by_field(changes: dict[str, Any], field: str, needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        letter(**changes)
    assert caught.value.field == field
    assert needle in caught.value.message


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "draft", "sent": None},
        {"status": "draft"},  # a planned date on a draft is allowed
        {"status": "acknowledged"},  # dates other than sent are optional
        {"status": "responded", "acknowledged": SENT, "responded": SENT, "due": SENT},
        {"status": "closed", "closed": SENT},
        {"status": "no reply", "acknowledged": date(2021, 9, 3)},
        {"direction": "incoming", "counterparty": "NHS England"},
    ],
)
def test_consistent_letters_are_accepted(changes: dict[str, Any]) -> None:
    assert letter(**changes).subject


def test_every_field_round_trips_through_a_real_file(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "data", seed_sample=False)
    full = mark_created(
        letter(
            reference="LMC/2021/07",
            direction="outgoing",
            contact="GPC England secretariat",
            status="closed",
            acknowledged=date(2021, 9, 3),
            due=date(2021, 9, 30),
            responded=date(2021, 9, 29),
            closed=date(2021, 10, 1),
            summary="Nine LMCs ask GPC to end the impasse.\nSecond paragraph.",
            asks=("Restore dialogue with NHSEI", "Return to a constructive relationship"),
            outcome="GPC discussed next steps",
            tags=("LMC", "BMA/GPC"),
            articles=(4, 9),
            campaigns=(3,),
        ),
        NOW,
        note="typed in",
    )
    stored = workspace.records.letters.add(full)
    again = Workspace.open(tmp_path / "data", seed_sample=False).records.letters.get(stored.id or 0)
    assert again == stored
    assert again is not None and again.history[0].when == NOW
    assert again.history[0].when.tzinfo is not None


def test_a_document_from_before_the_full_model_still_loads(tmp_path: Path) -> None:
    db = open_db(tmp_path / "records.json")
    doc_id = db.table("letters").insert(
        {
            "subject": "Old",
            "counterparty": "HEE",
            "lmcs": ["Devon LMC"],
            "direction": "outgoing",
            "status": "sent",
            "sent": "2019-01-02",
            "due": None,
            "summary": "",
            "source": None,
            "sample": False,
        }
    )
    from adapters.repository import RecordRepository

    loaded = RecordRepository(db, Letter).get(doc_id)
    assert loaded is not None
    assert loaded.asks == () and loaded.history == () and loaded.acknowledged is None


def test_history_stores_from_and_to_keys() -> None:
    entry = HistoryEntry(NOW, "status", field="status", before="sent", after="closed", note="n")
    doc = entry.to_doc()
    assert doc == {
        "when": "2021-10-01T09:30:00+00:00",
        "what": "status",
        "field": "status",
        "from": "sent",
        "to": "closed",
        "note": "n",
    }
    assert HistoryEntry.from_doc(doc) == entry
    assert entry.describe() == "status: sent → closed (n)"


def test_history_times_are_kept_in_utc() -> None:
    bst = timezone(timedelta(hours=1))
    entry = HistoryEntry(datetime(2021, 9, 2, 10, tzinfo=bst), "edit")
    assert entry.when == datetime(2021, 9, 2, 9, tzinfo=UTC) and entry.when.tzinfo is UTC


def test_models_re_exports_the_same_letter() -> None:
    assert models.Letter is Letter
    assert models.LETTER_STATUSES == LETTER_STATUSES


# --------------------------------------------------------------------------- edits


def test_edit_records_each_changed_field_with_status_first() -> None:
    old = mark_created(letter(), NOW)
    new = replace(old, subject="Restore dialogue now", status="acknowledged", tags=("LMC",))
    later = NOW + timedelta(days=1)
    edited = edit_letter(old, new, later, note="after the call")
    assert edited.history[: len(old.history)] == old.history
    added = edited.history[len(old.history) :]
    assert [(e.what, e.field, e.before, e.after) for e in added] == [
        ("status", "status", "sent", "acknowledged"),
        ("edit", "subject", "Restore dialogue with NHS England", "Restore dialogue now"),
        ("edit", "tags", "", "LMC"),
    ]
    assert all(e.when == later and e.note == "after the call" for e in added)


def test_edit_shows_dates_and_lists_as_text() -> None:
    old = letter()
    edited = edit_letter(old, replace(old, due=date(2021, 10, 1), lmcs=("Kent LMC",)), NOW)
    assert [(e.field, e.before, e.after) for e in edited.history] == [
        ("lmcs", "Kent LMC; Cheshire LMC", "Kent LMC"),
        ("due", "", "2021-10-01"),
    ]


def test_an_edit_that_changes_nothing_adds_nothing() -> None:
    old = mark_created(letter(), NOW)
    assert edit_letter(old, replace(old), NOW) is old


def test_history_can_not_be_rewritten_by_an_edit() -> None:
    old = mark_created(letter(), NOW)
    with pytest.raises(ValidationError) as caught:
        edit_letter(old, replace(old, history=()), NOW)
    assert caught.value.field == "history"
    with pytest.raises(ValidationError) as caught:
        edit_letter(replace(old, id=1), replace(old, id=2), NOW)
    assert caught.value.field == "id"


def test_an_invalid_edit_is_refused_by_field() -> None:
    old = letter()
    with pytest.raises(ValidationError) as caught:
        edit_letter(old, replace(old, responded=date(2021, 9, 1), status="responded"), NOW)
    assert caught.value.field == "responded"


def test_mark_created_once() -> None:
    created = mark_created(letter(), NOW, note="from the CLI")
    (entry,) = created.history
    assert (entry.what, entry.after, entry.note) == ("created", "sent", "from the CLI")
    with pytest.raises(ValidationError):
        mark_created(created, NOW)


def test_links_are_edits() -> None:
    linked = with_links(letter(), NOW, articles=[5], campaigns=[2, 3])
    assert linked.articles == (5,) and linked.campaigns == (2, 3)
    assert {e.field for e in linked.history} == {"articles", "campaigns"}


# --------------------------------------------------------------------------- status


def test_status_walk_sets_dates_and_default_due() -> None:
    draft = letter(status="draft", sent=None)
    sent = set_status(draft, "sent", NOW, on=SENT)
    assert (sent.status, sent.sent, sent.due) == ("sent", SENT, SENT + timedelta(days=28))
    assert [e.what for e in sent.history] == ["status", "edit", "edit"]
    acked = set_status(sent, "Acknowledged", NOW, on=date(2021, 9, 5))
    answered = set_status(acked, "responded", NOW)  # today, by default
    assert answered.responded == TODAY
    closed = set_status(answered, "closed", NOW, note="done")
    assert closed.closed == TODAY and closed.history[-1].note == "done"
    # Back to sent: the later stages' dates go, the history keeps them.
    reopened = set_status(closed, "sent", NOW)
    assert (reopened.acknowledged, reopened.responded, reopened.closed) == (None, None, None)
    assert reopened.sent == SENT
    assert any(e.field == "responded" and e.before == str(TODAY) for e in reopened.history)


def test_default_due_follows_the_setting_and_keeps_an_agreed_one() -> None:
    draft = letter(status="draft", sent=None)
    assert set_status(draft, "sent", NOW, on=SENT, response_days=14).due == date(2021, 9, 16)
    agreed = letter(status="draft", due=date(2021, 12, 1))
    assert set_status(agreed, "sent", NOW).due == date(2021, 12, 1)


def test_same_status_again_changes_nothing() -> None:
    sent = letter(due=date(2021, 9, 30))
    assert set_status(sent, "sent", NOW) is sent


@pytest.mark.parametrize(
    ("status", "kwargs", "field"),
    [
        ("no reply", {"on": SENT}, "date"),
        ("draft", {"on": SENT}, "date"),
        ("lost", {}, "status"),
        ("", {}, "status"),
        ("responded", {"on": date(2021, 9, 1)}, "responded"),
    ],
)
def test_bad_status_changes(status: str, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        set_status(letter(), status, NOW, **kwargs)
    assert caught.value.field == field


def test_a_draft_without_a_sent_date_can_not_be_acknowledged() -> None:
    draft = letter(status="draft", sent=None)
    with pytest.raises(ValidationError) as caught:
        set_status(draft, "acknowledged", NOW)
    assert caught.value.field == "sent"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("No reply", "no reply"),
        ("no-reply", "no reply"),
        ("NO_REPLY", "no reply"),
        (" Sent ", "sent"),
    ],
)
def test_status_as_people_type_it(text: str, status: str) -> None:
    assert parse_status(text) == status


def test_direction_as_people_type_it() -> None:
    assert parse_direction(" Incoming ") == "incoming"
    with pytest.raises(ValidationError, match="direction"):
        parse_direction("inbound")


# --------------------------------------------------------------------------- chase


def test_chase_records_and_sets_a_new_due_date() -> None:
    old = letter(due=date(2021, 9, 30))
    new_due = TODAY + timedelta(days=14)
    chased = chase_letter(old, NOW, new_due, note="emailed the secretariat")
    assert chased.due == new_due and chased.status == "sent"
    (entry,) = chased.chases
    assert (entry.what, entry.field, entry.before, entry.after, entry.note) == (
        "chase",
        "due",
        "2021-09-30",
        new_due.isoformat(),
        "emailed the secretariat",
    )
    assert len(chase_letter(chased, NOW, new_due).chases) == 2


@pytest.mark.parametrize(
    ("changes", "new_due", "field"),
    [
        ({"status": "draft"}, TODAY, "status"),
        ({"status": "responded", "responded": SENT}, TODAY, "status"),
        ({"status": "closed"}, TODAY, "status"),
        ({}, TODAY - timedelta(days=1), "due"),
        ({}, None, "due"),
    ],
)
def test_chase_refusals(changes: dict[str, Any], new_due: date | None, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        chase_letter(letter(**changes), NOW, new_due)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_identity_ignores_case_and_spacing() -> None:
    assert identity(letter(subject="restore  DIALOGUE with NHS England ")) == identity(letter())
    assert identity(letter(sent=date(2021, 9, 3))) != identity(letter())


def test_letter_fields_leave_out_id_and_history() -> None:
    names = letter_fields()
    assert "id" not in names and "history" not in names and names[0] == "subject"


# --------------------------------------------------------------------------- properties

_STEP = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(LETTER_STATUSES)),
    st.tuples(st.just("chase"), st.integers(0, 60)),
    st.tuples(st.just("subject"), st.text(min_size=1).filter(str.strip)),
)


@settings(max_examples=150)
@given(st.lists(_STEP, max_size=12))
def test_history_only_ever_grows(steps: list[tuple[str, Any]]) -> None:
    current = mark_created(letter(status="draft", sent=None), NOW)
    for number, (kind, value) in enumerate(steps):
        now = NOW + timedelta(minutes=number)
        before = current.history
        try:
            if kind == "status":
                current = set_status(current, value, now, on=SENT if value == "sent" else None)
            elif kind == "chase":
                current = chase_letter(current, now, TODAY + timedelta(days=value))
            else:
                current = edit_letter(current, replace(current, subject=value), now)
        except ValidationError:
            assert current.history == before
            continue
        assert current.history[: len(before)] == before
        assert Letter.from_doc(current.to_doc()) == current


def test_the_sample_letter_is_what_pulse_reported() -> None:
    from adapters.records.lmcs import bundled_lmcs
    from adapters.sample import sample_letters

    (sample,) = sample_letters()
    assert (sample.counterparty, sample.direction, sample.status) == ("BMA GPC", "outgoing", "sent")
    assert len(sample.lmcs) == 9 and all(name in bundled_lmcs().names for name in sample.lmcs)
    assert len(sample.asks) == 2 and "restore dialogue" in sample.asks[0]
    assert "No reply reported" in sample.outcome
    assert sample.due is None and sample.responded is None  # not in the article
    assert sample.source is not None and sample.source.publisher == "Pulse"


@pytest.mark.parametrize(
    ("dates", "status"),
    [
        ((None, None, None, None), "draft"),
        ((SENT, None, None, None), "sent"),
        ((SENT, SENT, None, None), "acknowledged"),
        ((SENT, None, SENT, None), "responded"),
        ((SENT, SENT, SENT, SENT), "closed"),
    ],
)
def test_status_from_dates(dates: tuple[date | None, ...], status: str) -> None:
    from adapters.records.letters import status_from_dates

    assert status_from_dates(*dates) == status
    sent, acknowledged, responded, closed = dates
    letter(
        status=status, sent=sent, acknowledged=acknowledged, responded=responded, closed=closed
    )  # and the letter it implies is valid
