"""News from the command line: refresh, feeds, articles and OPML, as scripts use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.news.models import Article
from adapters.records.campaigns import Campaign
from adapters.workspace import Workspace
from tests.cli_helpers import gpwatch
from tests.feed_server import FeedServer

OPML = Path(__file__).resolve().parents[1] / "data" / "opml"


@pytest.fixture
def local_dir(offline_workspace: Workspace) -> Path:
    return offline_workspace.data_dir


def test_refresh_prints_a_line_per_feed_and_a_summary(local_dir: Path, server: FeedServer) -> None:
    assert (
        gpwatch(
            local_dir, "feeds", "add", server.url("/pulse-like.rss"), "--title", "GP"
        ).returncode
        == 0
    )
    gpwatch(local_dir, "feeds", "add", server.url("/missing.xml"), "--title", "Gone")
    result = gpwatch(local_dir, "refresh")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["GP", "ok", "(3", "new)"]
    assert lines[1].split()[:2] == ["Gone", "failed:"] and "HTTP 404" in lines[1]
    assert lines[2].startswith("2 feeds: 1 ok, 0 not modified, 1 failed; 3 new articles")
    assert "\r" not in result.stderr  # no progress bar when not on a terminal
    strict = gpwatch(local_dir, "refresh", "--strict")
    assert strict.returncode == 1
    assert "GP" in strict.stdout and "not modified" in strict.stdout


def test_refresh_follows_settings_json_and_warns_about_bad_values(
    local_dir: Path, server: FeedServer
) -> None:
    settings = {"news": {"prune_max_per_feed": 1, "concurrency": "lots"}}
    (local_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    gpwatch(local_dir, "feeds", "add", server.url("/pulse-like.rss"), "--title", "GP")
    result = gpwatch(local_dir, "refresh")
    assert result.returncode == 0, result.stderr
    assert "news.concurrency" in result.stderr  # named, and the default used instead
    assert result.stdout.splitlines()[0].split() == ["GP", "ok", "(1", "new)"]  # pruned to 1
    articles = json.loads(gpwatch(local_dir, "articles", "--json").stdout)
    assert sum(1 for a in articles if a["source"] == "GP") == 1


def test_articles_json_for_scripts(local_dir: Path, server: FeedServer) -> None:
    gpwatch(local_dir, "feeds", "add", server.url("/pulse-like.rss"), "--title", "GP")
    gpwatch(local_dir, "refresh")
    rows = json.loads(gpwatch(local_dir, "articles", "--json").stdout)
    assert len(rows) == 8  # 5 sample items + 3 fetched
    first = rows[0]
    assert set(first) >= {"id", "title", "link", "published", "tags", "unread", "source"}
    lmc = [r for r in rows if r["source"] == "GP" and "LMC" in r["tags"]]
    assert lmc and lmc[0]["published"] == "2021-09-02T09:30:00+00:00"
    since = json.loads(gpwatch(local_dir, "articles", "--json", "--since", "2024-01-01").stdout)
    assert {r["title"] for r in since} >= {"Practice closes its list"}
    assert all(r["published"] >= "2024-01-01" for r in since)
    topical = json.loads(gpwatch(local_dir, "articles", "--json", "--topic", "trainees").stdout)
    assert topical and all("trainees" in r["tags"] for r in topical)
    plain = gpwatch(local_dir, "articles", "--limit", "2").stdout.splitlines()
    assert len(plain) == 2
    # The sample's two undated items: the fetch date stands in, flagged as on screen.
    undated = [
        line for line in gpwatch(local_dir, "articles").stdout.splitlines() if "?" in line[:11]
    ]
    assert len(undated) == 2 and all(line[10] == "?" for line in undated)
    bad = gpwatch(local_dir, "articles", "--since", "last week")
    assert bad.returncode == 2
    assert "'last week' is not a date (YYYY-MM-DD)" in bad.stderr


def test_feeds_list_add_rename_disable_remove(local_dir: Path) -> None:
    url = "https://example.org/feed.xml"
    assert "Added feed" in gpwatch(local_dir, "feeds", "add", url).stdout
    duplicate = gpwatch(local_dir, "feeds", "add", url)
    assert duplicate.returncode == 2 and "already subscribed" in duplicate.stderr
    bad = gpwatch(local_dir, "feeds", "add", "file:///etc/passwd")
    assert bad.returncode == 2 and "not an http(s) address" in bad.stderr
    (line,) = gpwatch(local_dir, "feeds", "list").stdout.splitlines()
    feed_id = line.split()[0]
    assert gpwatch(local_dir, "feeds", "rename", feed_id, "Example news").returncode == 0
    assert gpwatch(local_dir, "feeds", "disable", feed_id).returncode == 0
    listed = gpwatch(local_dir, "feeds", "list").stdout
    assert "Example news" in listed and "disabled" in listed
    assert gpwatch(local_dir, "feeds", "remove", feed_id).returncode == 0
    assert gpwatch(local_dir, "feeds", "list").stdout == ""
    missing = gpwatch(local_dir, "feeds", "remove", "999")
    assert missing.returncode == 2 and "no feed 999" in missing.stderr


def test_opml_round_trip_through_the_cli(data_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "feeds.opml"
    assert gpwatch(data_dir, "export-opml", str(exported)).returncode == 0
    other = tmp_path / "other"
    Workspace.open(other)
    for feed in Workspace.open(other).news.feeds():
        Workspace.open(other).news.remove_feed(feed.id or 0)
    result = gpwatch(other, "import-opml", str(exported))
    assert result.returncode == 0, result.stderr
    original = [(f.title, f.url) for f in Workspace.open(data_dir).news.feeds()]
    assert [(f.title, f.url) for f in Workspace.open(other).news.feeds()] == original
    again = gpwatch(other, "import-opml", str(exported))
    assert f"{len(original)} already subscribed" in again.stdout


def test_real_world_opml_and_bad_files(local_dir: Path, tmp_path: Path) -> None:
    result = gpwatch(local_dir, "import-opml", str(OPML / "newsboat_style.opml"))
    assert result.returncode == 0 and "Imported" in result.stdout
    garbage = tmp_path / "garbage.opml"
    garbage.write_bytes(b"\x00\xff not opml")
    bad = gpwatch(local_dir, "import-opml", str(garbage))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    missing = gpwatch(local_dir, "import-opml", str(tmp_path / "nope.opml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_corrupt_news_json_found_during_a_command_is_reported(local_dir: Path) -> None:
    (local_dir / "news.json").write_text('{"articles": [', encoding="utf-8")
    result = gpwatch(local_dir, "articles", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "news.json" in result.stderr and "corrupt-" in result.stderr
    assert len(list(local_dir.glob("news.json.corrupt-*"))) == 1


def test_refresh_through_the_parse_pool_prints_nothing_but_results(
    local_dir: Path, server: FeedServer
) -> None:
    """Three new feeds start the worker pool; its workers re-run tui.cli quietly."""
    body = Path(__file__).resolve().parents[1] / "data" / "feeds" / "refresh" / "pulse-like.rss"
    for n in range(3):
        server.route(f"/f{n}.rss", body=body.read_bytes().replace(b"gp-", f"f{n}-".encode()))
        gpwatch(local_dir, "feeds", "add", server.url(f"/f{n}.rss"), "--title", f"F{n}")
    result = gpwatch(local_dir, "refresh")
    assert result.returncode == 0, result.stderr
    assert [line.split()[1:] for line in result.stdout.splitlines()[:3]] == [
        ["ok", "(3", "new)"]
    ] * 3
    assert result.stderr == ""


def test_a_reader_that_stops_early_ends_the_listing_quietly(data_dir: Path) -> None:
    """`gpwatch articles | head -1`: no traceback when the pipe closes, SIGPIPE's status."""
    now = datetime(2030, 1, 1, tzinfo=UTC)
    Workspace.open(data_dir).news.add_articles(
        [Article(0, f"guid:{n}", f"Story {n}", "", "", now, now) for n in range(5_000)]
    )
    listing = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(data_dir), "articles"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert listing.stdout is not None and listing.stderr is not None
    first = listing.stdout.readline()
    listing.stdout.close()  # as head does after its lines
    errors = listing.stderr.read().decode()
    assert listing.wait(timeout=60) == 128 + 13
    assert first.strip()
    assert errors == ""


@pytest.mark.parametrize("args", [("articles",), ("feeds", "list"), ("--version",)])
def test_a_reader_gone_before_anything_was_written(data_dir: Path, args: tuple[str, ...]) -> None:
    """Buffered output (no PYTHONUNBUFFERED) meets the closed pipe only when flushed: at
    exit, past any handler, unless main flushes first. Also for argparse's own output."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--data-dir", str(data_dir), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 128 + 13
    assert done.stderr == b""


def test_edited_topic_rules_and_new_records_apply_to_the_cached_articles(
    local_dir: Path, server: FeedServer
) -> None:
    """topics.json's help says: edit, then refresh. The cache is tagged again even
    when every feed answers 304; a campaign added later is linked in old articles."""
    gpwatch(local_dir, "feeds", "add", server.url("/pulse-like.rss"), "--title", "GP")
    assert gpwatch(local_dir, "refresh").returncode == 0
    topics = local_dir / "topics.json"
    rules = json.loads(topics.read_text(encoding="utf-8"))
    rules["topics"].append({"topic": "closures", "phrases": ["closes"]})
    topics.write_text(json.dumps(rules), encoding="utf-8")
    workspace = Workspace.open(local_dir)
    campaign = workspace.records.campaigns.add(
        Campaign(name="Practice closes its list", kind="lobbying", lead="Kent LMC")
    )

    again = gpwatch(local_dir, "refresh")
    assert again.returncode == 0, again.stderr
    assert "1 not modified" in again.stdout  # nothing fetched: the cache was re-tagged
    closures = json.loads(gpwatch(local_dir, "articles", "--json", "--topic", "closures").stdout)
    assert [r["title"] for r in closures] == ["Practice closes its list"]
    news = Workspace.open(local_dir).news
    (article,) = [a for a in news.articles() if a.title == "Practice closes its list"]
    assert article.mentions == (f"campaign:{campaign.id}",)

    # What it was tagged with is kept as plain values a backup can check.
    backup = gpwatch(local_dir, "backup", str(local_dir.parent / "after-retag.json"))
    assert backup.returncode == 0 and backup.stderr == "", backup.stderr

    # Nothing changed since: the next refresh reads neither file nor rewrites the cache.
    before = (local_dir / "news.json").stat().st_mtime_ns
    assert gpwatch(local_dir, "refresh").returncode == 0
    assert (local_dir / "news.json").stat().st_mtime_ns == before
