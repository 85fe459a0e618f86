"""Waiting on a real app under Pilot: screens switch and workers finish a moment later."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

S = TypeVar("S", bound=Screen[object])


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10
) -> None:
    """Let the app run until ``condition`` holds; fail the test if it never does."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def open_screen(pilot: Pilot[None], key: str, screen_type: type[S]) -> S:
    """Press a screen's number key and return that screen once it is showing and loaded."""
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]
