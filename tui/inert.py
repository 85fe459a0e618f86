"""The one way outside text reaches the screen.

Textual parses markup in strings given to Static, Label, DataTable cells,
Tree and OptionList: a feed title holding ``[@click=app.screenshot(...)]``
would run an app action when clicked. A :class:`rich.text.Text` is never
parsed, so every cell and label built from data goes through :func:`inert`,
which also strips escape sequences, control and bidi characters.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from adapters.text import clean_text


def inert(value: object, style: str | Style = "", *, keep_newlines: bool = False) -> Text:
    """Untrusted value as a Text that renders literally and can not run actions."""
    return Text(clean_text(value, keep_newlines=keep_newlines), style=style, end="")
