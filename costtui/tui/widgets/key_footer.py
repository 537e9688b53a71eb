"""A Footer that rebuilds its keys only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, minus the rebuild on every `refresh_bindings` that changes nothing.

    Footer remounts all its keys (and restyles them) each time bindings are refreshed; a load
    refreshes them several times with the same keys, which slowed the first paint.
    """

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: tuple[Any, ...] | None = None

    def _keys_shown(self) -> tuple[Any, ...]:
        """Return what compose would show: each shown binding with its state and tooltip."""
        return (self.show_command_palette, *(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        ))

    async def recompose(self) -> None:
        """Rebuild the keys, unless they are the ones already shown."""
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
