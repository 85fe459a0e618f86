"""clean_text: untrusted text comes out plain, printable and in stored order."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.text import clean_text

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# --------------------------------------------------------------------------- escapes

ESCAPES = {
    "CSI colour": ("\x1b[31;1mred\x1b[0m text", "red text"),
    "CSI cursor and erase": ("a\x1b[2J\x1b[H\x1b[?25lb", "ab"),
    "OSC 8 hyperlink, ST": ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),
    "OSC 8 hyperlink, BEL": ("\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07", "click"),
    "OSC window title": ("\x1b]0;you have been pwned\x07after", "after"),
    "OSC title, ST": ("\x1b]2;title\x1b\\ok", "ok"),
    "OSC unterminated": ("before\x1b]0;swallow the rest", "before"),
    "OSC 52 clipboard write": ("\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07x", "x"),
    "8-bit CSI": ("\x9b31mred\x9b0m", "red"),
    "8-bit OSC": ("\x9d0;title\x9cok", "ok"),
    "DCS": ("\x1bPq#0;2;0;0;0\x1b\\x", "x"),
    "two-character escapes": ("\x1bcreset\x1b7saved\x1bMup", "resetsavedup"),
    "charset designation (tput sgr0)": ("\x1b(B\x1b[mplain", "plain"),
    "DEC screen alignment": ("\x1b#8E", "E"),
    "lone ESC": ("a\x1b", "a"),
}


@pytest.mark.parametrize(("raw", "expected"), ESCAPES.values(), ids=ESCAPES.keys())
def test_escape_sequences_are_removed(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_text(raw, keep_newlines=True) == expected


# --------------------------------------------------------------------------- controls


def test_c0_controls_are_removed() -> None:
    c0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\x0b\x0c\r")
    assert clean_text(f"a{c0}b") == "ab"
    assert clean_text("bell\x07 null\x00 backspace\x08!") == "bell null backspace!"


def test_del_and_c1_controls_are_removed() -> None:
    c1 = "".join(chr(c) for c in range(0x80, 0xA0) if c not in (0x85, 0x9B, 0x9D))
    assert clean_text(f"a\x7f{c1}b") == "ab"


@pytest.mark.parametrize("char", list(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_embeddings_overrides_and_isolates_are_removed(char: str) -> None:
    assert clean_text(f"invoice{char}fdp.exe") == "invoicefdp.exe"


def test_trojan_source_override_is_removed() -> None:
    assert clean_text("access\u202e \u2066// check\u2069 \u2066if admin\u2069") == (
        "access // check if admin"
    )


def test_bidi_marks_are_kept() -> None:
    """LRM and RLM only nudge neutral characters; the module keeps them on purpose."""
    assert clean_text("abc\u200edef\u200f") == "abc\u200edef\u200f"


def test_lone_surrogates_are_removed() -> None:
    assert clean_text("a\ud800b\udfffc\ud83d\ude00d") == "abcd"


# --------------------------------------------------------------------------- line breaks

LINE_BREAKS = {
    "LF": "\n",
    "CRLF": "\r\n",
    "CR": "\r",
    "VT": "\x0b",
    "FF": "\x0c",
    "NEL": "\x85",
    "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029",
}


@pytest.mark.parametrize("brk", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_line_breaks_become_spaces_unless_kept(brk: str) -> None:
    assert clean_text(f"one{brk}two") == "one two"
    assert clean_text(f"one{brk}two", keep_newlines=True) == "one\ntwo"


def test_tabs_become_spaces_in_both_modes() -> None:
    assert clean_text("a\tb") == "a b"
    assert clean_text("a\tb", keep_newlines=True) == "a b"


def test_multi_line_text_keeps_its_lines() -> None:
    letter = "Dear Minister,\r\n\r\nWe write about GP funding.\nYours,\n\x1b[1mThe LMC\x1b[0m"
    assert clean_text(letter, keep_newlines=True) == (
        "Dear Minister,\n\nWe write about GP funding.\nYours,\nThe LMC"
    )
    assert "\n" not in clean_text(letter)


# --------------------------------------------------------------------------- ordinary text

ORDINARY = [
    "£1,234.56 for 2024/25",
    "café, naïve, résumé, Zoë",
    "Gwasanaeth Iechyd Gwladol: dŵr, tŷ, ŵyr, Llŷr",
    "emoji 🎉🩺 and a family 👩‍👩‍👧 and a flag 🏴󠁧󠁢󠁷󠁬󠁳󠁿",
    "combining e\u0301 and CJK 医生 and Arabic طبيب",
    "markup [bold]stays[/bold] for the renderer <b>too</b>",
    "zero-width joiner\u200d and no-break\u00a0space",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_unicode_is_unchanged(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, keep_newlines=True) == text


def test_non_strings() -> None:
    assert clean_text(None) == ""
    assert clean_text(42) == "42"
    assert clean_text(1.5) == "1.5"


# --------------------------------------------------------------------------- properties

# Any code point, surrogates and controls included, mixed with whole escape
# sequences and the fragments most likely to confuse the patterns.
FRAGMENTS = [
    "\x1b",
    "\x1b[",
    "\x1b]",
    "\x1bP",
    "\x1b\\",
    "\x07",
    "\x9b",
    "\x9c",
    "\x9d",
    "\x1b[31m",
    "\x1b]8;;http://x\x1b\\",
    "\x1b]0;t\x07",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\x85",
    "\u2028",
    *BIDI_CONTROLS,
    "\ud800",
    "\udfff",
    "£",
    "ŵ",
    "🎉",
]
UNTRUSTED = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),
        st.characters(max_codepoint=0xA0, exclude_categories=()),
        st.sampled_from(FRAGMENTS),
    ),
    max_size=40,
).map("".join)


def _problems(text: str, *, keep_newlines: bool) -> list[str]:
    bad = []
    for char in text:
        category = unicodedata.category(char)
        if (category == "Cc" and not (keep_newlines and char == "\n")) or category == "Cs":
            bad.append(f"U+{ord(char):04X} ({category})")
        elif char in BIDI_CONTROLS:
            bad.append(f"U+{ord(char):04X} (bidi control)")
    return bad


@settings(max_examples=1500, deadline=None)
@given(UNTRUSTED, st.booleans())
def test_output_is_printable_and_cleaning_is_idempotent(raw: str, keep_newlines: bool) -> None:
    cleaned = clean_text(raw, keep_newlines=keep_newlines)
    assert _problems(cleaned, keep_newlines=keep_newlines) == []
    if not keep_newlines:
        assert "\n" not in cleaned
    assert clean_text(cleaned, keep_newlines=keep_newlines) == cleaned


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"])))
def test_printable_text_is_never_changed(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, keep_newlines=True) == text
