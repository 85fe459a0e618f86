"""The briefing: tiles from the data, empty states that say what to do, and inert exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

from adapters.briefing import build_briefing
from adapters.briefing_export import csv_tables, json_document, markdown, md
from adapters.news.models import Article
from adapters.records.letters import Letter
from adapters.workspace import Workspace

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOSTILE = (
    "[click](javascript:alert(1)) <script>alert(1)</script> ![x](http://evil.example/t.png) "
    "# heading | pipe `code` **bold** \x1b[31m\u202e"
)


def tiles(workspace: Workspace) -> dict[str, object]:
    return {t.key: t for t in build_briefing(workspace, TODAY).tiles}


def test_tiles_are_computed_from_the_records(workspace: Workspace) -> None:
    letters = workspace.records.letters
    letters.add(
        Letter(
            subject="Due soon",
            counterparty="NHS England",
            lmcs=("Kent LMC",),
            status="sent",
            sent=date(2026, 11, 1),
            due=date(2026, 11, 25),
        )
    )
    found = tiles(workspace)
    assert found["letters"].value == "2"  # the sample letter and this one
    assert found["letters"].detail == "1 overdue" and found["letters"].alert
    assert found["news"].value == "5"
    assert found["intake"].value == "3,157"
    briefing = build_briefing(workspace, TODAY)
    assert [(i.when, i.kind) for i in briefing.due] == [(date(2026, 11, 25), "letter")]


def test_an_empty_data_dir_says_what_to_do_never_zero(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False)
    for key in ("letters", "campaigns", "pledges", "news"):
        tile = tiles(workspace)[key]
        assert tile.empty, key
        assert "0" not in tile.value, (key, tile.value)
    assert "press n" in tiles(workspace)["letters"].detail


def test_hostile_text_is_inert_in_markdown_csv_and_json(workspace: Workspace) -> None:
    workspace.records.letters.add(
        Letter(
            subject=HOSTILE,
            counterparty='=HYPERLINK("http://evil.example","x")',
            lmcs=("Kent LMC",),
            status="sent",
            sent=date(2026, 1, 1),
        )
    )
    workspace.news.add_articles(
        [
            Article(
                feed_id=0,
                key="guid:h",
                title=HOSTILE,
                link="javascript:alert(1)",
                summary="",
                published=NOW,
                fetched=NOW,
                tags=("LMC",),
            )
        ]
    )
    briefing = build_briefing(workspace, TODAY)
    text = markdown(briefing)
    assert "<script>" not in text and "](" not in text and "![" not in text
    assert "javascript:" not in text.replace("javascript:alert", "")  # only as escaped text
    assert "&lt;script&gt;" in text
    assert "\x1b" not in text and "\u202e" not in text
    rows = list(csv.reader(io.StringIO(csv_tables(briefing)["letters.csv"])))
    counterparty = next(r[2] for r in rows[1:] if r[1].startswith("[click]"))
    assert counterparty.startswith("'=HYPERLINK")
    document = json.loads(json_document(briefing))
    assert any(
        letter["subject"] == HOSTILE.replace("\x1b[31m", "").replace("\u202e", "")
        or letter["subject"] == HOSTILE
        for letter in document["letters"]
    )


def test_md_escapes_every_markdown_and_html_metacharacter() -> None:
    assert md("a*b_c`d[e](f)<g>&h#i|j") == r"a\*b\_c\`d\[e\]\(f\)&lt;g&gt;&amp;h\#i\|j"
    assert md("two\nlines") == "two lines"


def test_since_and_lmc_narrow_the_briefing(workspace: Workspace) -> None:
    briefing = build_briefing(workspace, TODAY, since=date(2021, 1, 1), lmc="Devon LMC")
    assert all(a.published.date() >= date(2021, 1, 1) for a in briefing.articles)
    assert len(briefing.letters) == 1
    assert build_briefing(workspace, TODAY, lmc="Nowhere LMC").letters == []
