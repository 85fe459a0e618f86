"""Topic tags for news, from rules the user can read and edit.

The rules live in ``topics.json`` in the data dir: for each topic, the phrases
that mark an article as being about it. A keyword list a user can open in an
editor beats a model nobody can inspect: when a tag is wrong, the fix is one
line in that file.

Matching rule (the same text is in the JSON file's "help"):

* A phrase matches whole words only: it never matches inside a longer word.
  "pay" matches "GP pay" but not "payment"; "recruit" not "recruiter".
  (A phrase that starts or ends with a symbol, like "£", has no boundary
  on that side, so "£" matches "£10 million".)
* A phrase written in capitals with no spaces (an acronym: HEE, LMC, BMA, GPC,
  NHSE, ST1, WT&E) matches only as written, in capitals: "HEE" never fires
  on "hee" or "Hee". Every other phrase matches in any case.
* A phrase also matches with a plural "s" added: "LMC" matches "LMCs",
  "trainee" matches "trainees". Other forms ("vacancies") need their own phrase.
* A space in a phrase matches any run of spaces or line breaks, and a
  straight apostrophe matches a curly one (and the reverse).

Speed: 100k title+summary pairs of ~300 characters tag in ~2.7 s of CPU on
the 2-core development machine (one regex per topic took 76-121 s): the text
is split into words once, one-word phrases are set lookups and a longer
phrase's regular expression runs only when all its words are present.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.store import StoreError, atomic_write_bytes
from adapters.validation import DuplicateKey, no_duplicate_keys

TOPICS = (
    "recruitment",
    "retention",
    "trainees",
    "workload",
    "burnout/wellbeing",
    "contract/pay",
    "LMC",
    "BMA/GPC",
    "NHS England",
    "HEE",
    "funding",
    "campaigns",
)

RULES_FILE = "topics.json"
RULES_VERSION = 1
MAX_RULES_BYTES = 1024 * 1024
MAX_TOPIC_CHARS = 60
MAX_PHRASE_CHARS = 200
MIN_MENTION_CHARS = 4

HELP = (
    "gpwatch tags each news article with the topics below. An article gets a topic "
    "when its title or summary contains any of that topic's phrases. Edit the "
    "phrases, add or remove topics, then refresh the news (r on the News screen, or "
    "`gpwatch refresh`): every cached article is tagged again with the new rules. "
    "Matching: whole words only, so 'pay' does not match 'payment'; a phrase in "
    "capitals with no spaces (an acronym such as HEE, LMC, BMA) matches only in "
    "capitals, every other phrase matches in any case; a plural 's' is allowed "
    "('LMC' matches 'LMCs'); a space matches any run of spaces and a straight "
    'apostrophe a curly one. Keep "version": 1. Each topic needs a non-empty '
    "'topic' name and at least one phrase. If this file can not be "
    "read, gpwatch says so, uses its built-in rules and leaves the file alone. "
    "Delete the file to get the built-in rules back."
)


class RulesError(ValueError):
    """The topic rules are not usable; the message names where and why."""


# --------------------------------------------------------------------------- matching


def _is_acronym(phrase: str) -> bool:
    """Capitals (digits and symbols allowed), no spaces: matched case-sensitively."""
    return (
        not any(ch.isspace() for ch in phrase)
        and any(ch.isupper() for ch in phrase)
        and not any(ch.islower() for ch in phrase)
    )


def _is_word_char(ch: str) -> bool:
    """What the regex ``\\w`` matches: alphanumerics and the underscore."""
    return ch.isalnum() or ch == "_"


_WORD = re.compile(r"\w+")
_APOSTROPHES = "'\u2019"
# The leading run of plain characters, which the regex engine can search for fast.
_HEAD = re.compile(r"[^\s'\u2019]*")


def _pattern(form: str, *, plural: bool) -> re.Pattern[str]:
    """The regex for one phrase, as compared (lower-cased unless an acronym).

    Implements the rules in the module docstring. The whole-word check before
    the phrase is written as a lookbehind *after* its leading literal (``gp``
    then ``(?<!\\w..)``, "the character before these two is not a word
    character"), so the pattern starts with a literal and ``re`` can skip
    ahead to it instead of trying every position.
    """
    head = _HEAD.match(form).group()  # type: ignore[union-attr]  # always matches
    parts = [re.escape(head)]
    if _is_word_char(form[0]):
        parts.append(r"(?<!\w" + "." * len(head) + ")")
    for ch in form[len(head) :]:
        if ch.isspace():
            if parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif ch in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        else:
            parts.append(re.escape(ch))
    if _is_word_char(form[-1]):
        parts.append(r"s?(?!\w)" if plural else r"(?!\w)")
    return re.compile("".join(parts))


@dataclass(frozen=True)
class _Checked:
    """A phrase that needs its regex: it has spaces or symbols ("GP training", "WT&E", "£").

    It can only match if its words (all but a last one, which may carry a
    plural "s") are among the text's words, so the regex runs only then.
    """

    topic: int
    required: frozenset[bytes]
    case_sensitive: bool
    pattern: re.Pattern[str]


# Every ASCII byte that is not a word character becomes a space; bytes of
# multi-byte UTF-8 characters are left for the slow path.
_ASCII_NON_WORD_TO_SPACE = bytes(
    b if b >= 0x80 or _is_word_char(chr(b)) else 0x20 for b in range(256)
)


# Non-word characters common in English news text (curly quotes, dashes,
# ellipsis, no-break space, £, §, ©, «, ®, °, ·, ») as UTF-8 bytes: U+2010-2027,
# U+2030-203E and nine from U+00A0-00BB. A test checks none is a word character.
_COMMON_PUNCTUATION = re.compile(
    rb"\xe2\x80[\x90-\xa7\xb0-\xbe]|\xc2[\xa0\xa3\xa7\xa9\xab\xae\xb0\xb7\xbb]"
)


def _word_set(text: str) -> set[bytes]:
    """The ``\\w+`` runs of text as a set of UTF-8 bytes: ``set(_WORD.findall(text))``, faster.

    A ``findall`` over a 300-character article was measured at 30-40 µs, most of
    a tagging's time. Here common punctuation (curly quotes, dashes, £) becomes
    spaces, then bytes.translate and split find the words in C. Only text
    holding other non-ASCII characters ("café") goes through the regex.
    """
    raw = text.encode("utf-8", "surrogatepass")
    if not raw.isascii():
        raw = _COMMON_PUNCTUATION.sub(b" ", raw)
        if not raw.isascii():
            return {word.encode("utf-8", "surrogatepass") for word in _WORD.findall(text)}
    return set(raw.translate(_ASCII_NON_WORD_TO_SPACE).split())


class _Matcher:
    """Every topic's phrases, compiled for tagging many articles fast.

    A regex per topic searched over each article was measured at over 1 ms
    an article: a pattern starting with a whole-word check makes the regex
    engine try every alternative at every position. Instead:

    * the lower-cased text's set of words is built once, and a one-word
      phrase ("recruitment") is a set lookup;
    * one-word acronyms ("LMC", "ST1") are one regex over the text; as each
      alternative starts with a capital, ``re`` skips straight to capitals;
    * a longer phrase's regex (which starts with a literal, so is fast too)
      runs only when the words it needs are present.

    The outcome is exactly that of searching every phrase's own regex; a
    hypothesis test holds it to an independent implementation of the rules.
    """

    def __init__(self, rules: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self.topics = tuple(topic for topic, _ in rules)
        words: dict[bytes, set[int]] = {}
        acronyms: dict[str, set[int]] = {}
        acronym_forms: set[str] = set()
        keyed: dict[bytes, list[_Checked]] = {}
        always: list[_Checked] = []
        for index, (_topic, phrases) in enumerate(rules):
            for phrase in phrases:
                acronym = _is_acronym(phrase)
                form = phrase if acronym else phrase.lower()
                single = _WORD.fullmatch(form) is not None
                if single and acronym:
                    acronym_forms.add(form)
                    for variant in (form, form + "s"):
                        acronyms.setdefault(variant, set()).add(index)
                    continue
                if single:
                    for variant in (form, form + "s"):
                        words.setdefault(variant.encode("utf-8", "surrogatepass"), set()).add(index)
                    continue
                needed = _WORD.findall(form)
                if needed and _is_word_char(form[-1]):
                    needed = needed[:-1]  # it may carry a plural "s"
                checked = _Checked(
                    topic=index,
                    required=frozenset(w.encode("utf-8", "surrogatepass") for w in needed),
                    case_sensitive=acronym,
                    pattern=_pattern(form, plural=True),
                )
                if needed and not acronym:
                    # Keyed by its longest word, usually the rarest, so that
                    # the fewest articles lead to the regex.
                    keyed.setdefault(
                        max(needed, key=len).encode("utf-8", "surrogatepass"), []
                    ).append(checked)
                else:
                    always.append(checked)  # "£", "WT&E": searched in every text
        self.words = {word: frozenset(ix) for word, ix in words.items()}
        self.keyed = {word: tuple(group) for word, group in keyed.items()}
        self.lookup = frozenset(self.words) | frozenset(self.keyed)
        self.acronyms = {word: frozenset(ix) for word, ix in acronyms.items()}
        # Longest first; whole-word alternatives can never match at one place
        # in two ways, so findall sees every acronym present.
        ordered = sorted(acronym_forms, key=lambda a: (-len(a), a))
        self.acronym_regex = (
            re.compile("|".join(_pattern(a, plural=True).pattern for a in ordered))
            if ordered
            else None
        )
        self.always = tuple(always)

    def match(self, text: str) -> tuple[str, ...]:
        lowered = text.lower()
        hits: set[int] = set()
        if self.acronym_regex is not None:
            for found in set(self.acronym_regex.findall(text)):
                hits |= self.acronyms[found]
        words = _word_set(lowered)
        candidates: list[tuple[_Checked, ...]] = [self.always]
        for word in words.intersection(self.lookup):
            hits |= self.words.get(word, frozenset())
            group = self.keyed.get(word)
            if group:
                candidates.append(group)
        for group in candidates:
            for phrase in group:
                if phrase.topic in hits:
                    continue
                if phrase.case_sensitive:
                    if phrase.pattern.search(text):
                        hits.add(phrase.topic)
                elif phrase.required <= words and phrase.pattern.search(lowered):
                    hits.add(phrase.topic)
        return tuple(self.topics[index] for index in sorted(hits))


@functools.lru_cache(maxsize=8)
def _matcher_for(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> _Matcher:
    return _Matcher(rules)


# Texts passed to tag() together are joined with a character that is neither
# a word character nor whitespace, so no phrase can run from one into the next.
_SEPARATOR = "\x00"


@dataclass(frozen=True)
class TopicRules:
    """Topics and the phrases that mark them, in the order tags are reported.

    Construct with tuples; :func:`rules_from_json` builds one from the user's
    file. The phrases are compiled once, here, not per article.
    """

    rules: tuple[tuple[str, tuple[str, ...]], ...]
    _matcher: _Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rules = tuple((str(topic), tuple(phrases)) for topic, phrases in self.rules)
        problem = _rules_problem(rules)
        if problem:
            raise RulesError(problem)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "_matcher", _matcher_for(rules))

    def __reduce__(self) -> tuple[type[TopicRules], tuple[Any, ...]]:
        # Refresh sends the rules to worker processes with every feed: pickle
        # the phrases only; each worker compiles them once (_matcher_for).
        return (TopicRules, (self.rules,))

    @property
    def topics(self) -> tuple[str, ...]:
        return self._matcher.topics

    def tag(self, *texts: str) -> tuple[str, ...]:
        """The topics whose phrases appear in any of texts, in rule order, each once."""
        text = _SEPARATOR.join(texts)
        if not text:
            return ()
        return self._matcher.match(text)


def _rules_problem(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    seen: set[str] = set()
    for topic, phrases in rules:
        if not topic.strip():
            return "a topic name is empty"
        if topic in seen:
            return f"topic {topic!r} appears twice"
        seen.add(topic)
        if not phrases:
            return f"topic {topic!r} has no phrases"
        for phrase in phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                return f"topic {topic!r} has an empty or non-text phrase"
            if phrase != phrase.strip():
                return f"topic {topic!r}: phrase {phrase!r} has spaces at an end"
    return None


# --------------------------------------------------------------------------- defaults

# Vocabulary from the seed articles (HEE's GP recruitment campaign, the BMA's
# chambers/retention proposals, the GP Health Service, the LMCs' letter to GPC,
# HEE's £10m return-to-training pledge) and the usual words of GP news.
DEFAULT_RULES = TopicRules(
    (
        (
            "recruitment",
            (
                "recruitment",
                "recruit",
                "recruiting",
                "recruited",
                "5,000 more GPs",
                "5,000 more doctors",
                "6,000 more GPs",
                "vacancy",
                "vacancies",
                "GP numbers",
                "international medical graduates",
                "Induction and Refresher",
            ),
        ),
        (
            "retention",
            (
                "retention",
                "retain",
                "retaining",
                "leaving the profession",
                "leave the profession",
                "leaving general practice",
                "early retirement",
                "retire early",
                "GP Career Plus",
                "career plus",
                "portfolio career",
                "chambers model",
                "GP chambers",
                "leavers",
            ),
        ),
        (
            "trainees",
            (
                "trainee",
                "GP training",
                "registrar",
                "ST1",
                "ST2",
                "ST3",
                "ST4",
                "specialty training",
                "training supplement",
                "return to training",
                "junior doctor",
                "medical students",
                "medical graduates",
                "medical school",
                "GP starters",
                "training places",
                "deanery",
                "deaneries",
            ),
        ),
        (
            "workload",
            (
                "workload",
                "work load",
                "face-to-face",
                "face to face",
                "patient access",
                "appointment",
                "red tape",
                "bureaucracy",
                "patient demand",
                "work to rule",
                "safe working",
                "out of hours",
                "out-of-hours",
            ),
        ),
        (
            "burnout/wellbeing",
            (
                "burnout",
                "burn-out",
                "burnt out",
                "burned out",
                "wellbeing",
                "well-being",
                "GP Health Service",
                "Practitioner Health",
                "stress",
                "stressed",
                "stressful",
                "mental health of GPs",
                "morale",
                "exhaustion",
                "abuse against",
                "psychological support",
            ),
        ),
        (
            "contract/pay",
            (
                "contract",
                "pay",
                "pay award",
                "pay rise",
                "pay cut",
                "DDRB",
                "funding formula",
                "Carr-Hill",
                "global sum",
                "GMS",
                "PMS",
                "QOF",
                "enhanced service",
                "earnings",
                "salary",
                "salaried",
                "pension",
            ),
        ),
        ("LMC", ("LMC", "local medical committee")),
        (
            "BMA/GPC",
            (
                "BMA",
                "GPC",
                "GP Committee",
                "General Practitioners Committee",
                "British Medical Association",
            ),
        ),
        ("NHS England", ("NHS England", "NHSE", "NHSEI", "NHS Improvement")),
        (
            "HEE",
            (
                "Health Education England",
                "HEE",
                "NHS England WT&E",
                "WT&E",
                "Workforce, Training and Education",
                "postgraduate dean",
            ),
        ),
        (
            "funding",
            (
                "funding",
                "funded",
                "funds",
                "investment",
                "invest",
                "investing",
                "budget",
                "£",
                "pledge",
                "GP Forward View",
                "General Practice Forward View",
                "ARRS",
                "Additional Roles Reimbursement Scheme",
            ),
        ),
        (
            "campaigns",
            (
                "campaign",
                "campaigner",
                "campaigning",
                "petition",
                "Support Your Surgery",
                "Rebuild General Practice",
                "open letter",
                "protest",
                "ballot",
                "industrial action",
                "collective action",
                "strike",
                "lobbying",
            ),
        ),
    )
)


# --------------------------------------------------------------------------- JSON file


def rules_to_json(rules: TopicRules) -> bytes:
    """The rules as the pretty-printed, hand-editable topics.json."""
    document = {
        "version": RULES_VERSION,
        "help": HELP,
        "topics": [{"topic": topic, "phrases": list(phrases)} for topic, phrases in rules.rules],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _check_keys(value: dict[str, Any], where: str, required: set[str], allowed: set[str]) -> None:
    for key in value:
        if key not in allowed:
            expected = ", ".join(repr(k) for k in sorted(allowed))
            raise RulesError(f"{where}: unknown key {key!r} (expected {expected})")
    for key in sorted(required):
        if key not in value:
            raise RulesError(f"{where}: the key {key!r} is missing")


def _text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise RulesError(f"{where}: expected text in quotes, found {_json_kind(value)}")
    if not value.strip():
        raise RulesError(f"{where}: is empty")
    if len(value) > limit:
        raise RulesError(f"{where}: longer than {limit} characters")
    if any(ord(ch) < 32 or ch in "\x7f\u2028\u2029" for ch in value):
        raise RulesError(f"{where}: contains a control character or line break")
    return value.strip()


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def rules_from_json(data: bytes) -> TopicRules:
    """Read and check topics.json; a :class:`RulesError` names the JSON path at fault.

    Expected shape: ``{"version": 1, "help": "...", "topics": [{"topic": str,
    "phrases": [str, ...]}, ...]}``. Unknown keys are refused, so a misspelt
    key is reported instead of silently ignored.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"), object_pairs_hook=no_duplicate_keys)
    except UnicodeDecodeError as exc:
        raise RulesError(f"not UTF-8 text at byte {exc.start}") from exc
    except DuplicateKey as exc:
        raise RulesError(f"the key {exc.args[0]!r} appears twice in one object") from exc
    except json.JSONDecodeError as exc:
        raise RulesError(f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise RulesError("bad JSON: nested too deeply") from exc

    if not isinstance(document, dict):
        raise RulesError(f"$: expected an object {{...}}, found {_json_kind(document)}")
    _check_keys(document, "$", {"version", "topics"}, {"version", "help", "topics"})
    version = document["version"]
    if version != RULES_VERSION or isinstance(version, bool):
        raise RulesError(f"$.version: expected {RULES_VERSION}, found {json.dumps(version)}")
    topics = document["topics"]
    if not isinstance(topics, list):
        raise RulesError(f"$.topics: expected a list [...], found {_json_kind(topics)}")

    rules: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(topics):
        where = f"$.topics[{i}]"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: expected an object {{...}}, found {_json_kind(entry)}")
        _check_keys(entry, where, {"topic", "phrases"}, {"topic", "phrases"})
        topic = _text(entry["topic"], f"{where}.topic", MAX_TOPIC_CHARS)
        if topic in seen:
            raise RulesError(f"{where}.topic: {topic!r} is already $.topics[{seen[topic]}]")
        seen[topic] = i
        phrases = entry["phrases"]
        if not isinstance(phrases, list):
            raise RulesError(f"{where}.phrases: expected a list [...], found {_json_kind(phrases)}")
        if not phrases:
            raise RulesError(f"{where}.phrases: is empty; give at least one phrase")
        cleaned = tuple(
            _text(phrase, f"{where}.phrases[{j}]", MAX_PHRASE_CHARS)
            for j, phrase in enumerate(phrases)
        )
        rules.append((topic, cleaned))
    return TopicRules(tuple(rules))


def load_rules(data_dir: Path) -> tuple[TopicRules, str | None]:
    """The user's topic rules, and a message when the built-in ones are used instead.

    A missing topics.json is created with the defaults (user-only, 0600, written
    atomically). A file that can not be read or checked is never overwritten:
    the defaults are returned with a message naming the file and the problem, so
    the user's edits survive until they fix them.
    """
    path = data_dir / RULES_FILE
    fallback = "the built-in topic rules are in use until it is fixed"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RULES_BYTES + 1)
    except FileNotFoundError:
        try:
            atomic_write_bytes(path, rules_to_json(DEFAULT_RULES))
        except (StoreError, OSError) as exc:
            return DEFAULT_RULES, f"{exc}; the built-in topic rules are in use"
        return DEFAULT_RULES, None
    except OSError as exc:
        return DEFAULT_RULES, f"can not read {path} ({exc.strerror or exc}); {fallback}"
    if len(data) > MAX_RULES_BYTES:
        return DEFAULT_RULES, f"{path} is over {MAX_RULES_BYTES // 1024} kB; {fallback}"
    try:
        return rules_from_json(data), None
    except RulesError as exc:
        return DEFAULT_RULES, f"{path}: {exc}; {fallback}"


# --------------------------------------------------------------------------- mentions


@functools.lru_cache(maxsize=4096)
def _mention_matcher(name: str) -> tuple[frozenset[bytes], re.Pattern[str]]:
    form = name.lower()
    words = frozenset(w.encode("utf-8", "surrogatepass") for w in _WORD.findall(form))
    return words, _pattern(form, plural=False)


def mentions(text: str, names: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Keys of the tracked records (campaigns, pledges, letters) named in text.

    names are (key, name) pairs. A name matches in any case as a whole phrase,
    never inside a longer word (spaces and apostrophes as for topic phrases,
    no plural); names under four characters are ignored, as they would match
    far too much. Keys come back in the order given, each once.
    """
    if not text:
        return ()
    lowered = text.lower()
    words: set[bytes] | None = None  # built on the first name worth looking for
    found: list[str] = []
    for key, name in names:
        name = name.strip()
        if len(name) < MIN_MENTION_CHARS or key in found:
            continue
        if words is None:
            words = _word_set(lowered)
        required, pattern = _mention_matcher(name)
        if required <= words and pattern.search(lowered):
            found.append(key)
    return tuple(found)
