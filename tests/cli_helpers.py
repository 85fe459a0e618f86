"""Running the installed command as a script would: a real process, no terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def gpwatch(
    data_dir: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tui.cli --data-dir DIR ARGS...`` with no standard input, as cron runs it.

    ``cwd`` is where files written to relative paths (backup, export) land.
    """
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
        cwd=cwd,
    )
