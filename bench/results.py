"""What every benchmark script shares: its context lines and its section of RESULTS.md.

Each script rewrites only its own ``## ...`` sections, so they can be run
separately and their figures stay side by side in one file.
"""

from __future__ import annotations

import compileall
import subprocess
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"


def git_revision() -> str:
    """The commit measured, and whether the tree had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + uncommitted changes" if dirty else head


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def compile_gpwatch() -> None:
    """Write gpwatch's bytecode, as pip does when it installs a package.

    An editable install under PYTHONDONTWRITEBYTECODE (set on this machine)
    would otherwise recompile every gpwatch module on every start, while
    Textual's modules, installed by pip, load from bytecode: an unfair race
    that users of an installed gpwatch never run.
    """
    for package in ("adapters", "tui"):
        compileall.compile_dir(REPO_ROOT / package, quiet=1)


def replace_section(existing: str, heading: str, section: str) -> str:
    """Swap one section in place; other benchmarks' sections are kept."""
    lines = existing.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        return existing.rstrip("\n") + "\n\n" + section
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
        len(lines),
    )
    before = "\n".join(lines[:start]).rstrip("\n")
    after = "\n".join(lines[end:])
    text = (before + "\n\n" if before else "") + section
    return text + ("\n" + after.rstrip("\n") + "\n" if after else "")


def write_results(sections: Sequence[tuple[str, str]]) -> None:
    """Write (heading, section) pairs into RESULTS.md, creating it if needed."""
    if RESULTS_PATH.exists():
        text = RESULTS_PATH.read_text(encoding="utf-8")
    else:
        text = (
            "# gpwatch benchmarks\n\n"
            "Each script in `bench/` rewrites only its own section of this file.\n"
        )
    for heading, section in sections:
        text = replace_section(text, heading, section)
    RESULTS_PATH.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
