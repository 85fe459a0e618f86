"""`adapters` must never pull in Textual or tui: the dependency runs one way."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import adapters


def test_adapters_import_without_textual_or_tui() -> None:
    modules = [m.name for m in pkgutil.walk_packages(adapters.__path__, "adapters.")]
    assert "adapters.store" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_cli_sub_commands_do_not_load_textual() -> None:
    # `gpwatch reset-sample` from cron should not pay for the UI.
    code = "import sys, tui.cli; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
