"""Pledge and Commitment: refused by field, evidence links http(s) only, round-tripped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.records.models import Commitment as ReExportedCommitment
from adapters.records.models import Pledge as ReExportedPledge
from adapters.records.pledges import COMMITMENT_STATUSES, Commitment, Pledge, set_commitment
from adapters.records.progress import pledge_progress
from adapters.sample import HEE_SIX_LISTED, sample_pledges
from adapters.validation import ValidationError
from adapters.workspace import Workspace


def pledge(**changes: Any) -> Pledge:
    base: dict[str, Any] = {
        "organisation": "Health Education England",
        "title": "Return to training scheme",
        "amount_gbp": 10_000_000,
        "recurrent": True,
        "funded_from": date(2017, 4, 1),
        "commitments": (Commitment("Ring-fence funding"),),
    }
    return Pledge(**{**base, **changes})


def test_models_re_exports_the_moved_classes() -> None:
    assert ReExportedPledge is Pledge and ReExportedCommitment is Commitment


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation": ""}, "organisation"),
        ({"title": " "}, "title"),
        ({"amount_gbp": -1}, "amount_gbp"),
        ({"amount_gbp": 10.5}, "amount_gbp"),
        ({"amount_gbp": "10m"}, "amount_gbp"),
        ({"amount_gbp": True}, "amount_gbp"),
        ({"recurrent": "yes"}, "recurrent"),
        ({"status": "spent"}, "status"),
        ({"announced": "April 2017"}, "announced"),
        ({"funded_from": date(1900, 4, 1)}, "funded_from"),
        ({"commitments": "x"}, "commitments"),
        ({"commitments": ("x",)}, "commitments"),
        ({"commitments": ({"text": "y", "colour": "red"},)}, "commitments"),
        ({"commitments": ({"text": ""},)}, "commitments.text"),
        ({"commitments": ({"text": "y", "status": "?"},)}, "commitments.status"),
        ({"commitments_announced": 0}, "commitments_announced"),  # fewer than listed
        ({"commitments_announced": True}, "commitments_announced"),
        ({"commitments_announced": "10"}, "commitments_announced"),
        ({"notes": None}, "notes"),
        ({"summary": 3}, "summary"),
    ],
)
def test_pledge_refuses_bad_fields_by_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        pledge(**changes)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "evidence",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>",
        "ftp://example.org/report.pdf",
        "https://",
        "//example.org/x",
        "example.org/report",
        "https://example.org/a b",
        "https://example.org/\x00",
    ],
)
def test_commitment_evidence_must_be_http_or_empty(evidence: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Commitment("Ring-fence funding", "delivered", evidence)
    assert caught.value.field == "commitments.evidence"


def test_commitment_evidence_links_that_are_kept() -> None:
    for evidence in ("", "https://www.hee.nhs.uk/x?y=1#z", "http://example.org"):
        assert Commitment("t", "delivered", evidence).evidence == evidence


def test_amount_none_means_not_given() -> None:
    assert pledge(amount_gbp=None).amount_gbp is None
    assert pledge(amount_gbp=0).amount_gbp == 0


def test_set_commitment_returns_a_new_pledge() -> None:
    before = pledge(commitments=(Commitment("a"), Commitment("b", evidence="https://x.org")))
    after = set_commitment(before, 1, "delivered")
    assert after.commitments[1] == Commitment("b", "delivered", "https://x.org")
    assert before.commitments[1].status == "unknown"
    linked = set_commitment(after, 0, "in progress", "https://example.org/report")
    assert linked.commitments[0].evidence == "https://example.org/report"
    with pytest.raises(IndexError):
        set_commitment(before, 2, "delivered")
    with pytest.raises(ValidationError, match=r"commitments\.evidence"):
        set_commitment(before, 0, "delivered", "javascript:alert(1)")
    with pytest.raises(ValidationError, match=r"commitments\.status"):
        set_commitment(before, 0, "finished")


def test_pledge_round_trips_through_a_real_file(tmp_path: Path) -> None:
    full = pledge(
        announced=date(2017, 3, 1),
        status="delivering",
        commitments=(
            Commitment("a", "delivered", "https://example.org/a"),
            Commitment("b", "dropped"),
        ),
        commitments_announced=10,
        summary="s",
        notes="n",
    )
    assert Pledge.from_doc(json.loads(json.dumps(full.to_doc()))) == full
    stored = Workspace.open(tmp_path / "d", seed_sample=False).records.pledges.add(full)
    reopened = Workspace.open(tmp_path / "d", seed_sample=False)
    assert reopened.records.pledges.get(stored.id or 0) == stored
    assert full.commitments_done == 1 and full.commitments_total == 10


def test_sample_pledges_hold_what_the_seeds_report() -> None:
    by_title = {p.title: p for p in sample_pledges()}
    hee = by_title["Return to training scheme"]
    assert (hee.amount_gbp, hee.recurrent, hee.funded_from) == (10_000_000, True, date(2017, 4, 1))
    assert [c.text for c in hee.commitments] == list(HEE_SIX_LISTED)
    assert hee.commitments_announced == 10 and "4" in hee.notes
    progress = pledge_progress(hee)
    assert (progress.done, progress.total, progress.unlisted) == (0, 10, 4)
    plus = by_title["GP Career Plus retention pilot"]
    assert plus.amount_gbp == 1_000_000 and "£100,000" in plus.notes
    assert any("10 areas" in c.text for c in plus.commitments)
    assert any("up to 80" in c.text and "55-59" in c.text for c in plus.commitments)
    health = by_title["NHS GP Health Service"]
    assert health.amount_gbp == 19_500_000 and health.funded_from == date(2017, 1, 1)
    for each in by_title.values():
        assert each.sample and each.source and each.source.reference.startswith("seed ")
        assert each.notes


@given(
    title=st.text(min_size=1).filter(str.strip),
    amount=st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)),
    statuses=st.lists(st.sampled_from(COMMITMENT_STATUSES), max_size=12),
    extra=st.integers(min_value=0, max_value=5),
)
def test_any_valid_pledge_round_trips_and_has_progress(
    title: str, amount: int | None, statuses: list[str], extra: int
) -> None:
    built = pledge(
        title=title,
        amount_gbp=amount,
        commitments=tuple(Commitment(f"c{i}", s) for i, s in enumerate(statuses)),
        commitments_announced=len(statuses) + extra,
    )
    assert Pledge.from_doc(json.loads(json.dumps(built.to_doc()))) == built
    progress = pledge_progress(built)
    assert progress.total == len(statuses) + extra
    assert progress.percent_done is None or 0 <= progress.percent_done <= 100
