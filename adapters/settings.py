"""settings.json: the few numbers a user may want to change, in a file they can edit.

The file is optional and gpwatch never writes it unless asked
(:func:`write_settings`): a missing file means every default. Its shape::

    {
      "letters": {"response_days": 28},
      "news": {"concurrency": 32, "prune_max_age_days": null, "prune_max_per_feed": 2000}
    }

Any key may be left out. A value that is out of range or of the wrong type,
an unknown key, a key given twice or a file that is not JSON never stops
gpwatch: that setting (or, for an unreadable file, every setting) falls back
to its default and a warning names the key, the problem and the value used,
so a typo in a hand-edited file is visible rather than silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from adapters.store import atomic_write_bytes
from adapters.validation import DuplicateKey, no_duplicate_keys

SETTINGS_FILE = "settings.json"
MAX_SETTINGS_BYTES = 256 * 1024


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; attribute names are the keys with '_' for '.'."""

    letters_response_days: int = 28
    news_concurrency: int = 32
    news_prune_max_age_days: int | None = None
    news_prune_max_per_feed: int = 2000


def _whole(low: int, high: int | None = None) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return value >= low and (high is None or value <= high)

    return check


def _optional(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda value: value is None or check(value)


@dataclass(frozen=True)
class SettingKey:
    """One key of the file: its dotted name, the rule in words, and the check."""

    name: str
    rule: str
    check: Callable[[object], bool]

    @property
    def attribute(self) -> str:
        return self.name.replace(".", "_")


SETTING_KEYS: tuple[SettingKey, ...] = (
    SettingKey("letters.response_days", "a whole number of days from 1 to 365", _whole(1, 365)),
    SettingKey("news.concurrency", "a whole number from 1 to 256", _whole(1, 256)),
    SettingKey(
        "news.prune_max_age_days",
        "null (keep all) or a whole number of days, 1 or more",
        _optional(_whole(1)),
    ),
    SettingKey("news.prune_max_per_feed", "a whole number, 1 or more", _whole(1)),
)
_BY_NAME = {key.name: key for key in SETTING_KEYS}
_IGNORED_TOP_LEVEL = frozenset({"help"})  # room for a note to the reader of the file


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def settings_from_json(raw: bytes, origin: str) -> tuple[Settings, list[str]]:
    """Settings from the file's bytes, and a warning for everything that was not used."""
    defaults = Settings()
    try:
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=no_duplicate_keys)
    except DuplicateKey as exc:
        return defaults, [f"{origin}: the key {exc.args[0]!r} appears twice; using every default"]
    except UnicodeDecodeError as exc:
        return defaults, [f"{origin}: not UTF-8 text at byte {exc.start}; using every default"]
    except json.JSONDecodeError as exc:
        return defaults, [
            f"{origin}: bad JSON at line {exc.lineno} column {exc.colno}; using every default"
        ]
    if not isinstance(data, dict):
        return defaults, [f"{origin}: should be a JSON object {{...}}; using every default"]
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for section, content in data.items():
        if section in _IGNORED_TOP_LEVEL:
            continue
        if not isinstance(content, dict):
            known = [k.name for k in SETTING_KEYS if k.name.startswith(f"{section}.")]
            why = f"should be an object of {', '.join(known)}" if known else "is not a setting"
            warnings.append(f"{origin}: {section!r} {why}; ignored")
            continue
        for name, value in content.items():
            dotted = f"{section}.{name}"
            key = _BY_NAME.get(dotted)
            if key is None:
                warnings.append(f"{origin}: unknown setting {dotted!r} ignored")
            elif not key.check(value):
                default = getattr(defaults, key.attribute)
                warnings.append(
                    f"{origin}: {dotted} must be {key.rule}, not {_shown(value)}; "
                    f"using {_shown(default)}"
                )
            else:
                values[key.attribute] = value
    return replace(defaults, **values), warnings


def load_settings(data_dir: Path) -> tuple[Settings, list[str]]:
    """The data dir's settings and warnings; the defaults, silently, when there is no file."""
    path = data_dir / SETTINGS_FILE
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return Settings(), []
    except OSError as exc:
        return Settings(), [f"can not read {path} ({exc.strerror or exc}); using every default"]
    if len(raw) > MAX_SETTINGS_BYTES:
        return Settings(), [
            f"{path} is over {MAX_SETTINGS_BYTES // 1024} kB, too big to be settings; "
            "using every default"
        ]
    return settings_from_json(raw, str(path))


def settings_to_json(settings: Settings) -> bytes:
    """The file's text for ``settings``: every key, grouped as the file is read."""
    tree: dict[str, dict[str, Any]] = {}
    for key in SETTING_KEYS:
        section, name = key.name.split(".", 1)
        tree.setdefault(section, {})[name] = getattr(settings, key.attribute)
    return (json.dumps(tree, indent=2) + "\n").encode("utf-8")


def write_settings(data_dir: Path, settings: Settings) -> Path:
    """Write settings.json (atomically, user-only); only ever called when the user asks."""
    path = data_dir / SETTINGS_FILE
    atomic_write_bytes(path, settings_to_json(settings))
    return path
