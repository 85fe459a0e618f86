"""Campaign, Goal, Measurement, Milestone: refused by field, round-tripped through a real file."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.provenance import Source
from adapters.records.campaigns import (
    Ambiguous,
    Campaign,
    Goal,
    Measurement,
    Milestone,
    NotFound,
    find_campaign,
    find_goal,
    record_value,
)
from adapters.records.checks import parse_number
from adapters.records.models import Campaign as ReExported
from adapters.sample import sample_campaigns
from adapters.store import open_db
from adapters.validation import ValidationError
from adapters.workspace import Workspace

URL = "https://digital.nhs.uk/gpw"


def goal(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "metric": "Additional doctors in general practice",
        "unit": "doctors",
        "baseline": 0,
        "baseline_date": date(2015, 9, 24),
        "target": 5000,
        "target_date": date(2020, 12, 31),
    }
    return {**base, **changes}


def campaign(**changes: Any) -> Campaign:
    base: dict[str, Any] = {
        "name": "5,000 more GPs by 2020",
        "kind": "recruitment",
        "lead": "Department of Health",
        "goals": (Goal(**goal()),),
    }
    return Campaign(**{**base, **changes})


def test_models_re_exports_the_moved_class() -> None:
    assert ReExported is Campaign


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "rally"}, "kind"),
        ({"status": "winning"}, "status"),
        ({"lead": ""}, "lead"),
        ({"backers": "BMA"}, "backers"),
        ({"backers": ("BMA", "")}, "backers"),
        ({"channels": ("posters", 3)}, "channels"),
        ({"started": date(2020, 1, 2), "ends": date(2020, 1, 1)}, "ends"),
        ({"started": date(1900, 1, 1)}, "started"),
        ({"ends": date(2101, 1, 1)}, "ends"),
        ({"started": "24 Sep 2015"}, "started"),
        ({"audience": None}, "audience"),
        ({"notes": 1}, "notes"),
        ({"articles": (0,)}, "articles"),
        ({"articles": (-3,)}, "articles"),
        ({"articles": (True,)}, "articles"),
        ({"articles": ("4",)}, "articles"),
        ({"articles": (4, 4)}, "articles"),
        ({"letters": 3}, "letters"),
        ({"goals": "x"}, "goals"),
        ({"goals": ("x",)}, "goals"),
        ({"goals": ({**goal(), "colour": "red"},)}, "goals"),
        ({"milestones": ({"date": "2015-09-22"},)}, "milestones"),
        (
            {"goals": (Goal(**goal()), Goal(**goal(key="other")))},
            "goals.metric",
        ),
        (
            {
                "goals": (
                    Goal(**goal()),
                    Goal(**goal(metric="ADDITIONAL doctors in general practice ", key="b")),
                )
            },
            "goals.metric",
        ),
        (
            {"goals": (Goal(**goal(key="k")), Goal(**goal(metric="Other", key="k")))},
            "goals.key",
        ),
    ],
)
def test_campaign_refuses_bad_fields_by_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        campaign(**changes)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metric": ""}, "goals.metric"),
        ({"unit": " "}, "goals.unit"),
        ({"baseline": math.nan}, "goals.baseline"),
        ({"baseline": math.inf}, "goals.baseline"),
        ({"target": -math.inf}, "goals.target"),
        ({"target": "5000"}, "goals.target"),
        ({"target": True}, "goals.target"),
        ({"target": None}, "goals.target"),
        ({"target": 1e16}, "goals.target"),
        ({"target": 1e-9}, "goals.target"),
        ({"target_date": date(2015, 1, 1)}, "goals.target_date"),  # before the baseline
        ({"target_date": date(2015, 9, 24)}, "goals.target_date"),  # the same day
        ({"target_date": None}, "goals.target_date"),
        ({"target_date": datetime(2020, 12, 31)}, "goals.target_date"),
        ({"baseline_date": date(1947, 12, 31)}, "goals.baseline_date"),
        ({"target_date": date(2200, 1, 1)}, "goals.target_date"),
        ({"key": "More GPs"}, "goals.key"),
        ({"key": "more--gps"}, "goals.key"),
        ({"notes": None}, "goals.notes"),
        ({"measurements": "x"}, "goals.measurements"),
        ({"measurements": ({"value": 1},)}, "goals.measurements"),
    ],
)
def test_goal_refuses_bad_fields_by_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Goal(**goal(**changes))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": math.nan}, "goals.measurements.value"),
        ({"value": math.inf}, "goals.measurements.value"),
        ({"value": "1,200"}, "goals.measurements.value"),
        ({"value": False}, "goals.measurements.value"),
        ({"date": "2018"}, "goals.measurements.date"),
        ({"date": date(1900, 1, 1)}, "goals.measurements.date"),
        ({"source_url": "javascript:alert(1)"}, "goals.measurements.source_url"),
        ({"source_url": "JAVASCRIPT://x.org/%0aalert(1)"}, "goals.measurements.source_url"),
        ({"source_url": "file:///etc/passwd"}, "goals.measurements.source_url"),
        ({"source_url": "data:text/html,hi"}, "goals.measurements.source_url"),
        ({"source_url": "https://"}, "goals.measurements.source_url"),
        ({"source_url": "https://a b.org"}, "goals.measurements.source_url"),
        ({"source_url": "https://x.org/\x1b[31m"}, "goals.measurements.source_url"),
        ({"source_url": "http://[::1"}, "goals.measurements.source_url"),
        ({"source_url": "", "source_title": "  "}, "goals.measurements.source_url"),
        ({"note": 5}, "goals.measurements.note"),
    ],
)
def test_measurement_refuses_bad_fields_by_name(changes: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"value": 1200, "date": date(2018, 9, 30), "source_url": URL}
    with pytest.raises(ValidationError) as caught:
        Measurement(**{**base, **changes})
    assert caught.value.field == field


def test_measurement_source_may_be_a_title_or_an_address() -> None:
    assert Measurement(1, date(2018, 1, 1), source_title="GPW Sep 2018").source_label == (
        "GPW Sep 2018"
    )
    assert Measurement(1, date(2018, 1, 1), source_url="HTTPS://x.org").source_label == (
        "HTTPS://x.org"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "milestones.text"),
        ({"date": None}, "milestones.date"),
        ({"source_url": "javascript:alert(1)"}, "milestones.source_url"),
        ({"source_title": 3}, "milestones.source_title"),
    ],
)
def test_milestone_refuses_bad_fields_by_name(changes: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"date": date(2015, 9, 22), "text": "Petition launched"}
    with pytest.raises(ValidationError) as caught:
        Milestone(**{**base, **changes})
    assert caught.value.field == field


def test_goal_key_is_a_slug_of_the_metric_unless_given() -> None:
    assert Goal(**goal()).key == "additional-doctors-in-general-practice"
    assert Goal(**goal(metric="£££")).key == "goal"
    assert Goal(**goal(key="more-gps")).key == "more-gps"
    renamed = Goal(**{**Goal(**goal()).to_doc(), "metric": "More GPs (FTE)"})
    assert renamed.key == "additional-doctors-in-general-practice"  # kept on rename


def test_full_campaign_round_trips_through_json_and_a_real_file(tmp_path: Path) -> None:
    full = campaign(
        backers=("Jeremy Hunt, Health Secretary",),
        status="ended",
        started=date(2015, 9, 24),
        ends=date(2020, 12, 31),
        channels=("press",),
        audience="Junior doctors",
        goals=(
            Goal(
                **goal(
                    key="more-gps",
                    notes="made-up figures for the test",
                    measurements=(
                        Measurement(1200, date(2018, 9, 30), URL, "GPW", "FTE"),
                        Measurement(-2.5, date(2014, 9, 30), source_title="earlier"),
                    ),
                )
            ),
            Goal(**goal(metric="Vacancies", unit="places", baseline=600, target=0.5)),
        ),
        milestones=(Milestone(date(2015, 9, 24), "Restated", source_url=URL, source_title="t"),),
        articles=(3, 1),
        letters=(2,),
        summary="s",
        notes="n",
        source=Source(title="A release", published=date(2015, 9, 24)),
    )
    doc = json.loads(json.dumps(full.to_doc()))
    assert Campaign.from_doc(doc, doc_id=None) == full
    workspace = Workspace.open(tmp_path / "d", seed_sample=False)
    stored = workspace.records.campaigns.add(full)
    again = Workspace.open(tmp_path / "d", seed_sample=False).records.campaigns.get(stored.id or 0)
    assert again == stored
    assert isinstance(again.goals[0].measurements[0], Measurement)
    assert again.goals[0].measurements[0].date == date(2018, 9, 30)


def test_a_campaign_stored_before_goals_existed_still_loads(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "d", seed_sample=False)
    db = open_db(tmp_path / "d" / "records.json")
    db.table("campaigns").insert(
        {
            "name": "Old shape",
            "kind": "petition",
            "lead": "RCGP",
            "backers": [],
            "status": "active",
            "started": "2015-09-22",
            "ends": None,
            "channels": ["petition"],
            "summary": "",
            "source": None,
            "sample": False,
        }
    )
    (loaded,) = Workspace.open(tmp_path / "d", seed_sample=False).records.campaigns.all()
    assert loaded.goals == () and loaded.milestones == () and loaded.notes == ""


def test_a_damaged_nested_document_is_reported_not_dropped(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "d", seed_sample=False)
    db = open_db(tmp_path / "d" / "records.json")
    doc = campaign().to_doc()
    doc["goals"][0]["measurements"] = [{"value": "NaN", "date": "2018-01-01", "source_url": URL}]
    db.table("campaigns").insert(doc)
    scan = workspace.records.campaigns.scan()
    assert scan.records == []
    assert "goals.measurements.value" in scan.invalid[0].error


def test_find_campaign_by_id_or_exact_name() -> None:
    a = campaign(id=1, name="Support Your Surgery")
    b = campaign(id=2, name="12")
    c = campaign(id=12, name="Other")
    assert find_campaign([a, b, c], "1") is a
    assert find_campaign([a, b, c], "Support Your Surgery") is a
    with pytest.raises(NotFound, match="give its id or its exact name"):
        find_campaign([a, b, c], "support your surgery")
    with pytest.raises(Ambiguous, match="campaigns 2, 12"):
        find_campaign([a, b, c], "12")
    twins = [campaign(id=5), campaign(id=6)]
    with pytest.raises(Ambiguous, match="give the id"):
        find_campaign(twins, "5,000 more GPs by 2020")


def test_find_goal_by_key_or_exact_metric() -> None:
    c = campaign(goals=(Goal(**goal(key="more-gps")), Goal(**goal(metric="more-gps", key="b"))))
    with pytest.raises(Ambiguous, match="give the key"):
        find_goal(c, "more-gps")
    assert find_goal(c, "b").metric == "more-gps"
    assert find_goal(c, "Additional doctors in general practice").key == "more-gps"
    with pytest.raises(NotFound, match=r"its goals: more-gps, b"):
        find_goal(c, "nope")


def test_record_value_returns_a_new_campaign() -> None:
    before = campaign(id=4)
    after = record_value(
        before,
        "additional-doctors-in-general-practice",
        1200,
        date(2018, 9, 30),
        URL,
        source_title="GPW",
        today=date(2019, 1, 1),
    )
    assert before.goals[0].measurements == ()
    (measured,) = after.goals[0].measurements
    assert measured == Measurement(1200, date(2018, 9, 30), URL, "GPW")
    assert after.id == 4 and after.name == before.name
    by_name = record_value(
        after, "Additional doctors in general practice", 1300, date(2019, 1, 1), URL
    )
    assert [x.value for x in by_name.goals[0].measurements] == [1200, 1300]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((math.nan, date(2018, 1, 1), URL), "goals.measurements.value"),
        ((1, date(2019, 1, 2), URL), "goals.measurements.date"),  # after today
        ((1, date(2018, 1, 1), "javascript:alert(1)"), "goals.measurements.source_url"),
        ((1, date(2018, 1, 1), ""), "goals.measurements.source_url"),
    ],
)
def test_record_value_refuses_bad_values(args: tuple[Any, ...], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        record_value(
            campaign(), "additional-doctors-in-general-practice", *args, today=date(2019, 1, 1)
        )
    assert caught.value.field == field
    with pytest.raises(NotFound):
        record_value(campaign(), "nope", 1, date(2018, 1, 1), URL)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("5000", 5000),
        ("5,000", 5000),
        (" -12.5 ", -12.5),
        ("1,234,567.5", 1234567.5),
        ("3.2e4", 32000),
        ("0", 0),
    ],
)
def test_parse_number_reads_what_people_type(text: str, number: float) -> None:
    parsed = parse_number(text, "VALUE")
    assert parsed == number and type(parsed) is type(number)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "5,00",
        "1,2345",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        "1e400",
        "0x10",
        "\uff15\uff10",  # full-width digits
        "1_000_",
        "9" * 5000,
        "5 000",
    ],
)
def test_parse_number_refuses_non_numbers_by_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_number(text, "VALUE")
    assert caught.value.field == "VALUE"


@pytest.mark.parametrize("record", sample_campaigns())
def test_sample_campaigns_name_sources_for_everything(record: Campaign) -> None:
    assert record.sample and record.source and record.source.reference.startswith("seed ")
    assert record.notes  # each says what its article leaves out
    for milestone in record.milestones:
        assert milestone.source_title or milestone.source_url
    assert Campaign.from_doc(json.loads(json.dumps(record.to_doc()))) == record


def test_sample_campaigns_hold_what_the_seeds_report() -> None:
    by_name = {c.name: c for c in sample_campaigns()}
    hee = by_name["GP recruitment campaign (HEE, 2015)"]
    assert hee.lead == "Health Education England"
    assert {"RCGP", "BMA", "NHS England"} <= set(hee.backers)
    assert {"video", "posters", "social media"} <= set(hee.channels)
    petition = by_name["RCGP petition: guarantee GP trainees' pay and conditions"]
    assert petition.kind == "petition" and petition.started == date(2015, 9, 22)
    assert by_name["Support Your Surgery"].lead == "BMA"
    target = by_name["5,000 more GPs by 2020"]
    (more,) = target.goals
    assert (more.key, more.baseline, more.target) == ("more-gps", 0, 5000)
    assert more.measurements == ()  # the seed articles measured nothing: none invented


@given(
    name=st.text(min_size=1).filter(str.strip),
    metric=st.text(min_size=1).filter(str.strip),
    value=st.integers(min_value=-(10**15), max_value=10**15),
)
def test_any_valid_campaign_round_trips(name: str, metric: str, value: int) -> None:
    built = campaign(
        name=name,
        goals=(
            Goal(
                **goal(
                    metric=metric,
                    measurements=(Measurement(value, date(2016, 1, 1), source_title=name),),
                )
            ),
        ),
    )
    assert Campaign.from_doc(json.loads(json.dumps(built.to_doc()))) == built
