"""Record models refuse bad values by field name and round-trip through a real file."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.provenance import Source
from adapters.records.models import Campaign, Commitment, Letter, Pledge
from adapters.sample import sample_campaigns, sample_figures, sample_letters, sample_pledges
from adapters.store import open_db
from adapters.validation import ValidationError
from adapters.workforce.series import Figure
from adapters.workspace import Workspace

SOURCE = Source(title="A release")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"status": "lost in post"}, "status"),
        ({"direction": "sideways"}, "direction"),
        ({"lmcs": ()}, "lmcs"),
        ({"lmcs": "Kent LMC"}, "lmcs"),
        ({"sent": "2 Sep"}, "sent"),
        ({"sent": date(2021, 9, 2), "due": date(2021, 9, 1)}, "due"),
        ({"status": "sent", "sent": None}, "sent"),
    ],
)
def test_letter_refuses_bad_fields_by_name(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "subject": "Restore dialogue",
        "counterparty": "BMA GPC",
        "lmcs": ("Kent LMC",),
        "status": "sent",
        "sent": date(2021, 9, 2),
    }
    with pytest.raises(ValidationError) as caught:
        Letter(**{**base, **kwargs})  # type: ignore[arg-type]
    assert caught.value.field == field


def test_pledge_and_campaign_refuse_bad_fields() -> None:
    with pytest.raises(ValidationError, match="amount_gbp"):
        Pledge(organisation="HEE", title="x", amount_gbp=-1)
    with pytest.raises(ValidationError, match=r"commitments\.status"):
        Pledge(organisation="HEE", title="x", commitments=({"text": "y", "status": "?"},))
    with pytest.raises(ValidationError, match="kind"):
        Campaign(name="x", kind="rally", lead="BMA")
    with pytest.raises(ValidationError, match="ends"):
        Campaign(
            name="x", kind="petition", lead="RCGP", started=date(2020, 1, 2), ends=date(2020, 1, 1)
        )


@pytest.mark.parametrize(
    "record", [*sample_letters(), *sample_campaigns(), *sample_pledges(), *sample_figures()]
)
def test_every_sample_record_round_trips_and_names_its_source(record: object) -> None:
    doc = record.to_doc()  # type: ignore[attr-defined]
    again = type(record).from_doc(doc, doc_id=None)  # type: ignore[attr-defined]
    assert again == record
    assert record.sample is True  # type: ignore[attr-defined]
    assert record.source.title and record.source.reference.startswith("seed ")  # type: ignore[attr-defined]


def test_sample_holds_what_the_seed_articles_report() -> None:
    campaigns = {c.name: c for c in sample_campaigns()}
    hee = campaigns["GP recruitment campaign (HEE, 2015)"]
    assert hee.lead == "Health Education England"
    assert {"RCGP", "BMA", "NHS England"} <= set(hee.backers)
    assert any(c.kind == "petition" and c.lead == "RCGP" for c in campaigns.values())
    assert "Support Your Surgery" in campaigns
    (letter,) = sample_letters()
    assert letter.counterparty == "BMA GPC" and len(letter.lmcs) == 9
    assert "Lancashire & Cumbria LMCs" in letter.lmcs
    pledges = {p.title: p for p in sample_pledges()}
    scheme = pledges["Return to training scheme"]
    assert scheme.amount_gbp == 10_000_000 and scheme.recurrent
    assert len(scheme.commitments) == 6 and "10 commitments" in scheme.summary
    assert pledges["GP Career Plus retention pilot"].amount_gbp == 1_000_000
    assert pledges["NHS GP Health Service"].amount_gbp == 19_500_000
    intake = {f.period: f.value for f in sample_figures() if f.metric == "trainee_intake"}
    assert intake == {"2016": 3019, "2017": 3157}


def test_invalid_stored_document_is_reported_not_dropped(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "d")
    db = open_db(tmp_path / "d" / "records.json")
    db.table("letters").insert({"subject": "", "counterparty": "x", "lmcs": ["Kent LMC"]})
    letters = workspace.records.letters
    assert len(letters.all()) == 1  # the valid sample letter
    (problem,) = letters.scan().invalid
    assert problem.table == "letters" and "subject" in problem.error
    assert len(db.table("letters")) == 2  # still stored, untouched


@given(
    subject=st.text(min_size=1).filter(str.strip),
    # An LMC name is one line without ';' (the CSV list separator), named once.
    lmcs=st.lists(
        st.text(min_size=1).filter(lambda s: s.strip() and s.splitlines() == [s] and ";" not in s),
        min_size=1,
        max_size=5,
        unique_by=lambda s: " ".join(s.split()).casefold(),
    ),
)
def test_any_valid_letter_round_trips(subject: str, lmcs: list[str]) -> None:
    letter = Letter(subject=subject, counterparty="NHS England", lmcs=tuple(lmcs))
    assert Letter.from_doc(letter.to_doc()) == letter


def test_commitment_dicts_become_commitments() -> None:
    pledge = Pledge(organisation="HEE", title="x", commitments=({"text": "y"},))
    assert pledge.commitments == (Commitment("y"),)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: Letter(subject="s", counterparty="c", lmcs=("L",), sent=datetime(2021, 9, 2)),
            "sent",
        ),
        (lambda: Letter(subject="s", counterparty="c", lmcs={"L": 1}), "lmcs"),
        (lambda: Letter(subject="s", counterparty="c", lmcs=("L",), sample=1), "sample"),
        (lambda: Letter(subject="s", counterparty="c", lmcs=("L",), summary=3), "summary"),
        (lambda: Letter(subject="s", counterparty="c", lmcs=("L",), source="Pulse"), "source"),
        (lambda: Pledge(organisation="o", title="t", recurrent="yes"), "recurrent"),
        (lambda: Source(title="t", published="2 Sep 2021"), "source.published"),
        (
            lambda: Figure(metric="m", period="2020", value=math.nan, unit="u", source=SOURCE),
            "value",
        ),
        (
            lambda: Figure(metric="m", period="2020", value=1, unit="u", source=SOURCE, notes=None),
            "notes",
        ),
    ],
)
def test_values_that_would_not_reload_are_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    assert caught.value.field == field
