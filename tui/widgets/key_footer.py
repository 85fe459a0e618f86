"""Textual's Footer, rebuilt only when the keys it shows have changed.

Textual's Footer recomposes on every bindings signal: at start-up that is
four rebuilds of a dozen keys (mount, focus, the Overview's first load),
about a third of the time from App.run to the first screen ready. The keys
shown usually have not changed between signals, so compare first.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[Binding, bool, str], ...]


class KeyFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._composed_for: Shown | None = None

    def _shown(self) -> Shown:
        """What compose would draw: each visible binding, whether enabled, its tooltip."""
        return tuple(
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._shown()
        if shown == self._composed_for:
            return
        self._composed_for = shown
        await self.recompose()
