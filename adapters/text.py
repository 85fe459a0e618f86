"""Making untrusted text (feed titles, CSV cells, typed fields) plain and printable.

This is the adapter half of the one path by which outside text reaches a
screen (``tui.inert`` wraps it for display). It lives here, free of Textual, so
exports and the CLI can use the same rules.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST) and the rest (ESC, intermediates, one final).
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                  # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?       # OSC, ended by BEL or ST (or unterminated)
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?            # DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]                          # other escapes: ESC c, ESC 7, ESC ( B ...
  | \x9b[0-?]*[ -/]*[@-~]                    # 8-bit CSI
  | \x9d[^\x07\x9c]*(?:\x07|\x9c)?           # 8-bit OSC
    """,
    re.VERBOSE,
)

# Bidirectional embeddings, overrides and isolates can make text display in an
# order other than the one stored ("Trojan Source"); the marks LRM/RLM are harmless.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

# Line breaks and tabs become spaces; every other C0/C1 control and lone surrogate goes.
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_TABS = re.compile("\t")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: object, *, keep_newlines: bool = False) -> str:
    """Return value as printable text: no escape sequences, control or bidi characters.

    Tabs and line breaks become spaces (or are kept, for multi-line fields, with
    ``keep_newlines``); every other C0/C1 control, lone surrogate and bidi
    override is dropped. Markup is not touched here: it is only dangerous to a
    renderer, and ``tui.inert`` builds renderables that never parse it.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.translate(_BIDI_CONTROLS)
    text = _LINE_BREAKS.sub("\n" if keep_newlines else " ", text)
    text = _TABS.sub(" ", text)
    return _CONTROLS.sub("", text)
