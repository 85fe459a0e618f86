"""Checks the storage tests share: strict JSON parsing and leftover temp files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest


def strict_json(raw: bytes) -> Any:
    """Parse bytes as UTF-8 JSON, failing on duplicate object keys (duplicate doc ids)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in a JSON object: {keys}"
        return dict(pairs)

    return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)


def temp_files(path: Path) -> list[Path]:
    """Temp files a save of ``path`` would leave behind if it failed to clean up."""
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def cannot_mount(reason: str) -> NoReturn:
    """Skip a real-filesystem test where mounting is not allowed, but never in CI.

    CI runs as root on a machine that can mount tmpfs; a skip there would
    quietly drop the disk-full and read-only proofs.
    """
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to mount tmpfs for this test: {reason}")
    pytest.skip(reason)
