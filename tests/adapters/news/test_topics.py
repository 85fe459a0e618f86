"""Topic tagging by rules the user can read and edit in topics.json."""

from __future__ import annotations

import json
import os
import pickle
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.news import topics as topics_module
from adapters.news.topics import (
    DEFAULT_RULES,
    RULES_FILE,
    TOPICS,
    RulesError,
    TopicRules,
    load_rules,
    mentions,
    rules_from_json,
    rules_to_json,
)

# --------------------------------------------------------------------------- defaults


def test_default_rules_cover_every_topic_in_order() -> None:
    assert DEFAULT_RULES.topics == TOPICS


# One realistic sentence per topic, in the seed articles' words (sources in brackets).
FIRES = [
    ("recruitment", "There is already a recruitment crisis in general practice (HuffPost, 2015)."),
    ("recruitment", "making the Government's target of 5,000 more GPs by 2020 impossible"),
    ("recruitment", "there were 600 trainee vacancies across the country this year"),
    ("retention", "a £100,000 NHS England pilot aimed at improving GP retention"),
    (
        "retention",
        "'virtual', chambers-style GP models in a bid to stop GPs leaving the profession",
    ),
    ("retention", "the success of the Somerset model from the GP Career Plus Scheme pilot"),
    ("trainees", "Jeremy Hunt backs GP trainees campaign amid recruitment crisis"),
    ("trainees", "Record breaking number of doctors entering GP specialty training"),
    ("trainees", "GP trainees, sessional and out-of-hours GPs will all be eligible"),
    ("trainees", "New ST1 posts in the North East"),
    ("workload", "Until we start to see real improvements in GP workload"),
    ("workload", "the disagreement around face-to-face appointments in practices"),
    ("burnout/wellbeing", "The need to treat burnout is a highly regrettable fact"),
    ("burnout/wellbeing", "GPs will be able to access the new NHS GP Health Service"),
    ("burnout/wellbeing", "a survey of GP wellbeing and stress"),
    ("contract/pay", "plans to impose the new contract on junior doctors"),
    ("contract/pay", "would not affect the pay and conditions of trainee GPs"),
    ("contract/pay", "The DDRB recommended a 6% pay award"),
    ("LMC", "LMCs urge BMA GP leads to restore dialogue with NHS England"),
    ("LMC", "sessions a month, organised by the LMC"),
    ("LMC", "a conference of local medical committees"),
    ("BMA/GPC", "The BMA's GP Committee voted to pause all meetings"),
    ("BMA/GPC", "we are writing to encourage GPC to restore dialogue with NHSEI"),
    ("NHS England", "a constructive relationship with NHS England in the interests of GPs"),
    ("NHS England", "support the GPC continuing to engage with NHSE at a national level"),
    ("NHS England", "a return to a constructive relationship with NHSEI is essential"),
    ("HEE", "HEE pledges £10 million to help trainee doctors return to work"),
    ("HEE", "Led by Health Education England (HEE), it is backed by the RCGP"),
    ("HEE", "HEE\u2019s director of education and quality"),
    ("HEE", "now part of NHS England WT&E"),
    ("funding", "the Department of Health has committed to recurrent annual funding of £10m"),
    ("funding", "there's £19.5 million to be spent on this service"),
    ("funding", "including increased Government investment"),
    ("campaigns", "The 'Support Your Surgery' campaign comes amid rising abuse"),
    ("campaigns", "the RCGP launched a petition calling on Mr Hunt"),
]


@pytest.mark.parametrize(("topic", "sentence"), FIRES)
def test_each_default_topic_fires_on_a_seed_sentence(topic: str, sentence: str) -> None:
    assert topic in DEFAULT_RULES.tag(sentence)


MISSES = [
    ("contract/pay", "A new payment system for locums"),
    ("contract/pay", "GP practices asked to repay overpayments"),
    ("contract/pay", "The contractor finished the new surgery building"),
    ("HEE", "sheep farming in the Lake District"),
    ("HEE", "Hee haw, said the donkey; hee hee"),
    ("HEE", "cheese and wheels"),
    ("LMC", "the lmc of two numbers"),  # acronyms match in capitals only
    ("LMC", "FILMCLUB screening"),
    ("BMA/GPC", "GPCR receptors and a BMAX score"),
    ("NHS England", "New England clam chowder"),
    ("trainees", "staff training on the new IT system"),
    ("trainees", "ST12 and ST1X are not training grades"),
    ("recruitment", "The recruiter called twice"),
    ("burnout/wellbeing", "the distress of the patient"),
    ("campaigns", "a bottle of champagne"),
    ("funding", "refunding a parking charge"),
    ("workload", "the van was loaded with boxes"),
]


@pytest.mark.parametrize(("topic", "sentence"), MISSES)
def test_near_miss_words_do_not_fire(topic: str, sentence: str) -> None:
    assert topic not in DEFAULT_RULES.tag(sentence)


def test_tags_come_in_rule_order_each_once() -> None:
    tags = DEFAULT_RULES.tag(
        "HEE and the BMA back the campaign; HEE again, LMC, LMCs",
        "recruitment, recruitment and more recruitment",
    )
    assert tags == ("recruitment", "LMC", "BMA/GPC", "HEE", "campaigns")


def test_tag_reads_every_text_but_no_phrase_spans_two() -> None:
    assert DEFAULT_RULES.tag("Nothing here", "but the LMC wrote") == ("LMC",)
    assert "trainees" not in DEFAULT_RULES.tag("A letter about GP", "training schemes")
    assert DEFAULT_RULES.tag() == ()
    assert DEFAULT_RULES.tag("", "") == ()


def test_spaces_line_breaks_plurals_and_case() -> None:
    assert "trainees" in DEFAULT_RULES.tag("GP\n   TRAINING places")
    assert "trainees" in DEFAULT_RULES.tag("TRAINEES")
    assert "LMC" in DEFAULT_RULES.tag("Cheshire LMC\u2019s chief executive")
    assert "LMC" not in DEFAULT_RULES.tag("Lmc")
    assert "NHS England" in DEFAULT_RULES.tag("nhs england")


def test_apostrophes_match_either_way() -> None:
    rules = TopicRules((("think tanks", ("King's Fund", "Nuffield\u2019s")),))
    assert rules.tag("The King\u2019s Fund said") == ("think tanks",)
    assert rules.tag("Nuffield's view") == ("think tanks",)


def test_phrases_starting_or_ending_with_symbols() -> None:
    rules = TopicRules((("money", ("£",)), ("hash", ("#GPcrisis",)), ("q", ("Q&A",))))
    assert rules.tag("a £10m fund") == ("money",)
    assert rules.tag("trending: #gpcrisis!") == ("hash",)
    assert rules.tag("read our Q&A") == ("q",)
    assert rules.tag("FAQ&A") == ()


def test_rules_pickle_small_and_tag_the_same() -> None:
    # refresh sends the rules to worker processes with every feed
    data = pickle.dumps(DEFAULT_RULES)
    assert len(data) < 4000
    copy = pickle.loads(data)
    assert copy == DEFAULT_RULES
    sentence = "LMCs urge BMA GP leads to restore dialogue with NHS England over GP training"
    assert copy.tag(sentence) == DEFAULT_RULES.tag(sentence)


def test_word_set_fast_path_equals_the_regex() -> None:
    assert not any(
        re.match(r"\w", chr(cp))
        for cp in range(0x80, 0x2100)
        if topics_module._COMMON_PUNCTUATION.fullmatch(chr(cp).encode())
    )
    text = "GP\u2019s £10m—“campaign” café naïve x_y 3,157 ST1s İstanbul\x00LMC"
    for sample in (text, text.lower(), "plain ascii, only. words_here"):
        expected = {w.encode("utf-8", "surrogatepass") for w in re.findall(r"\w+", sample)}
        assert topics_module._word_set(sample) == expected


# ------------------------------------------------------------- the fast matcher keeps the rule


def reference_pattern(phrase: str) -> tuple[re.Pattern[str], bool]:
    """The matching rule as documented, written independently of the module."""
    acronym = " " not in phrase and phrase.upper() == phrase and phrase.lower() != phrase
    acronym = acronym and not any(ch.isspace() for ch in phrase)
    form = phrase if acronym else phrase.lower()
    body = ""
    for ch in form:
        if ch.isspace():
            body += "" if body.endswith(r"\s+") else r"\s+"
        elif ch in "'\u2019":
            body += "['\u2019]"
        else:
            body += re.escape(ch)
    start = r"(?<!\w)" if re.match(r"\w", form[0]) else ""
    end = r"s?(?!\w)" if re.match(r"\w", form[-1]) else ""
    return re.compile(start + body + end), acronym


def reference_tag(rules: TopicRules, text: str) -> tuple[str, ...]:
    result = []
    for topic, phrases in rules.rules:
        for phrase in phrases:
            pattern, case_sensitive = reference_pattern(phrase)
            if pattern.search(text if case_sensitive else text.lower()):
                result.append(topic)
                break
    return tuple(result)


_pieces = st.sampled_from(
    [
        "LMC", "LMCs", "lmc", "Lmc", "HEE", "hee", "sheep", "BMA", "GPC", "NHSE", "NHSEI",
        "NHS", "England", "england", "GP", "gp", "training", "trainee", "trainees",
        "pay", "payment", "pays", "contract", "contracts", "£", "10m", "5,000", "more",
        "GPs", "gps", "face", "to", "WT&E", "WT", "E", "King", "s", "Fund", "ST1", "ST1s",
        "burn", "out", "well-being", "café", "naïve", "İ", "_", "x_y",
    ]
)  # fmt: skip
_separators = st.sampled_from([" ", "  ", "\n", "-", "'", "\u2019", ",", ".", "", "\x00", "—", "/"])
_texts = st.lists(st.tuples(_pieces, _separators), max_size=25).map(
    lambda items: "".join(piece + sep for piece, sep in items)
)
_phrases = st.lists(st.tuples(_pieces, _separators), min_size=1, max_size=3).map(
    lambda items: "".join(p + s for p, s in items[:-1]) + items[-1][0]
)


@settings(max_examples=400, deadline=None)
@given(_texts)
def test_default_rules_agree_with_the_reference(text: str) -> None:
    assert DEFAULT_RULES.tag(text) == reference_tag(DEFAULT_RULES, text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_phrases, min_size=1, max_size=4), min_size=1, max_size=4),
    st.lists(_texts, min_size=1, max_size=5),
)
def test_any_rules_agree_with_the_reference(
    phrase_lists: list[list[str]], texts: list[str]
) -> None:
    cleaned = [[p.strip() for p in phrases if p.strip()] for phrases in phrase_lists]
    rules = TopicRules(tuple((f"t{i}", tuple(ps)) for i, ps in enumerate(cleaned) if ps))
    for text in texts:
        assert rules.tag(text) == reference_tag(rules, text)


# --------------------------------------------------------------------------- JSON


def test_json_round_trip_and_shape() -> None:
    data = rules_to_json(DEFAULT_RULES)
    assert rules_from_json(data) == DEFAULT_RULES
    document = json.loads(data)
    assert document["version"] == 1
    assert "whole words" in document["help"]
    assert document["topics"][0] == {
        "topic": "recruitment",
        "phrases": list(DEFAULT_RULES.rules[0][1]),
    }
    assert b'\n  "topics": [\n' in data  # pretty-printed for hand editing
    assert "£".encode() in data  # readable, not \u escapes


def test_rules_from_json_trims_and_allows_no_topics() -> None:
    data = b'{"version": 1, "topics": [{"topic": " x ", "phrases": [" a b "]}]}'
    assert rules_from_json(data) == TopicRules((("x", ("a b",)),))
    assert rules_from_json(b'{"version": 1, "topics": []}').tag("LMC") == ()


BAD = [
    ("invalid JSON", b'{"version": 1, "topics": [}', "bad JSON at line 1 column 27"),
    ("not UTF-8", b'{"version": 1, "topics": ["\xff"]}', "not UTF-8 text at byte 27"),
    ("empty file", b"", "bad JSON at line 1 column 1"),
    ("top level a list", b"[]", "$: expected an object"),
    ("version missing", b'{"topics": []}', "$: the key 'version' is missing"),
    ("version 2", b'{"version": 2, "topics": []}', "$.version: expected 1, found 2"),
    ("version true", b'{"version": true, "topics": []}', "$.version: expected 1, found true"),
    ("topics an object", b'{"version": 1, "topics": {}}', "$.topics: expected a list"),
    ("entry not object", b'{"version": 1, "topics": ["LMC"]}', "$.topics[0]: expected an object"),
    (
        "misspelt key",
        b'{"version": 1, "topics": [{"topic": "LMC", "phrase": ["LMC"]}]}',
        "$.topics[0]: unknown key 'phrase'",
    ),
    (
        "empty phrases",
        b'{"version": 1, "topics": [{"topic": "LMC", "phrases": []}]}',
        "$.topics[0].phrases: is empty",
    ),
    (
        "non-string phrase",
        b'{"version": 1, "topics": [{"topic": "LMC", "phrases": ["LMC", 7]}]}',
        "$.topics[0].phrases[1]: expected text in quotes, found a number",
    ),
    (
        "blank phrase",
        b'{"version": 1, "topics": [{"topic": "LMC", "phrases": ["  "]}]}',
        "$.topics[0].phrases[0]: is empty",
    ),
    (
        "phrases a string",
        b'{"version": 1, "topics": [{"topic": "LMC", "phrases": "LMC"}]}',
        "$.topics[0].phrases: expected a list",
    ),
    (
        "topic null",
        b'{"version": 1, "topics": [{"topic": null, "phrases": ["x"]}]}',
        "$.topics[0].topic: expected text in quotes, found null",
    ),
    (
        "topic twice",
        b'{"version": 1, "topics": [{"topic": "A", "phrases": ["x"]},'
        b' {"topic": "A", "phrases": ["y"]}]}',
        "$.topics[1].topic: 'A' is already $.topics[0]",
    ),
    (
        "key twice",
        b'{"version": 1, "version": 1, "topics": []}',
        "the key 'version' appears twice",
    ),
    (
        "control character",
        b'{"version": 1, "topics": [{"topic": "A", "phrases": ["x\\u001b[31m"]}]}',
        "$.topics[0].phrases[0]: contains a control character",
    ),
]


@pytest.mark.parametrize(("name", "data", "problem"), BAD, ids=[b[0] for b in BAD])
def test_rules_from_json_names_the_path(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        rules_from_json(data)
    assert problem in str(caught.value)


# --------------------------------------------------------------------------- the file


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


def test_missing_file_is_created_private_with_the_defaults(data_dir: Path) -> None:
    rules, problem = load_rules(data_dir)
    assert (rules, problem) == (DEFAULT_RULES, None)
    path = data_dir / RULES_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == rules_to_json(DEFAULT_RULES)
    assert load_rules(data_dir) == (DEFAULT_RULES, None)


def test_editing_the_file_changes_tagging(data_dir: Path) -> None:
    load_rules(data_dir)
    path = data_dir / RULES_FILE
    sentence = "Practice premises need investment; the LMC wrote to the ICB"
    assert DEFAULT_RULES.tag(sentence) == ("LMC", "funding")

    document = json.loads(path.read_bytes())
    document["topics"] = [t for t in document["topics"] if t["topic"] != "funding"]
    document["topics"].append({"topic": "premises", "phrases": ["premises", "ICB"]})
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")

    rules, problem = load_rules(data_dir)
    assert problem is None
    assert rules.tag(sentence) == ("LMC", "premises")


@pytest.mark.parametrize(("name", "data", "problem"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_reported_and_left_byte_identical(
    data_dir: Path, name: str, data: bytes, problem: str
) -> None:
    path = data_dir / RULES_FILE
    path.write_bytes(data)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    rules, message = load_rules(data_dir)
    assert rules == DEFAULT_RULES
    assert message is not None
    assert str(path) in message and problem in message
    assert "built-in topic rules are in use" in message
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert [p.name for p in data_dir.iterdir()] == [RULES_FILE]


def test_an_unreadable_rules_path_is_reported(data_dir: Path) -> None:
    (data_dir / RULES_FILE).mkdir()  # a directory where the file should be
    rules, message = load_rules(data_dir)
    assert rules == DEFAULT_RULES
    assert message is not None and RULES_FILE in message
    assert (data_dir / RULES_FILE).is_dir()


def test_a_missing_data_dir_is_reported_not_raised(tmp_path: Path) -> None:
    rules, message = load_rules(tmp_path / "absent")
    assert rules == DEFAULT_RULES
    assert message is not None and "topics.json" in message
    assert not (tmp_path / "absent").exists()


# --------------------------------------------------------------------------- mentions

NAMES = [
    ("campaign:1", "Support Your Surgery"),
    ("pledge:2", "£10 million return to training"),
    ("letter:3", "Restore dialogue"),
    ("short", "GP"),  # too short to look for
    ("campaign:4", "Rebuild General Practice"),
]


def test_mentions_finds_a_campaign_in_a_sentence() -> None:
    text = (
        "The \u2018Support Your Surgery\u2019 campaign comes amid rising abuse against GP practices"
    )
    assert mentions(text, NAMES) == ("campaign:1",)


def test_mentions_ignores_case_and_spacing() -> None:
    assert mentions("SUPPORT your\n  surgery now", NAMES) == ("campaign:1",)
    assert mentions("HEE's £10 MILLION RETURN TO TRAINING scheme", NAMES) == ("pledge:2",)


def test_mentions_not_inside_other_words() -> None:
    assert mentions("Support Your Surgerys", NAMES) == ()
    assert mentions("WeSupport Your Surgery", NAMES) == ()
    assert mentions("restore dialogues", NAMES) == ()


def test_mentions_short_names_are_ignored_and_keys_come_once_in_order() -> None:
    text = "Rebuild General Practice and Support Your Surgery: GP campaigns. Support your surgery!"
    names = [*NAMES, ("campaign:1", "support your surgery")]
    assert mentions(text, names) == ("campaign:1", "campaign:4")
    assert mentions("GP", NAMES) == ()
    assert mentions("", NAMES) == ()
    assert mentions("anything", []) == ()
