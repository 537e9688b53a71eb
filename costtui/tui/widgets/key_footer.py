"""A Footer that rebuilds its keys only when the keys it shows change, and then in place when
keys only went away or changed state."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[Any, ...]
"""What the footer shows: the palette flag, then (key, action, description, group, enabled,
tooltip) per binding shown."""


class KeyFooter(Footer):
    """Textual's Footer, minus the rebuild on every `refresh_bindings` that changes nothing.

    Footer remounts all its keys (and restyles them) each time bindings are refreshed; a load
    refreshes them several times with the same keys, which slowed the first paint. When keys
    only disappear (Cancel once a load ends) or are greyed / un-greyed (Drill once rows
    arrive), the keys already mounted are updated instead of mounting all of them again.
    """

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: Shown | None = None

    def _keys_shown(self) -> Shown:
        """Return what compose would show: each shown binding with its state and tooltip."""
        return (self.show_command_palette, *(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        ))

    async def recompose(self) -> None:
        """Rebuild the keys, unless they are the ones already shown (or only fewer / greyed)."""
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        before, self._shown = self._shown, shown
        if before is not None and await self._update_in_place(before, shown):
            return
        await super().recompose()

    async def _update_in_place(self, before: Shown, after: Shown) -> bool:
        """Remove keys that went away and re-grey the others; False when a rebuild is needed.

        Only for plain keys (no groups, one binding per action) whose order is unchanged.
        """
        palette = self.app.COMMAND_PALETTE_BINDING
        old, new = _first_per_action(before, palette), _first_per_action(after, palette)
        if before[0] != after[0] or [e for e in before[1:] if e[0] == palette] != [
                e for e in after[1:] if e[0] == palette]:
            return False
        if any(entry[3] is not None for entry in (*old, *new)):
            return False
        keys = [key for key in self.query_children(FooterKey)
                if not key.has_class("-command-palette")]
        if [(key.key, key.action) for key in keys] != [(e[0], e[1]) for e in old]:
            return False
        kept: list[tuple[FooterKey, bool]] = []
        position = 0
        for key, entry in zip(keys, old, strict=True):
            if position < len(new) and new[position][:4] == entry[:4] and (
                    new[position][5] == entry[5]):
                kept.append((key, new[position][4]))
                position += 1
        if position != len(new):
            return False  # a key appeared, moved or changed its text: compose them again
        gone = [key for key in keys if key not in {widget for widget, _ in kept}]
        for key, enabled in kept:
            if key._disabled == enabled:
                key._disabled = not enabled
                key.set_class(not enabled, "-disabled")
        self.styles.grid_size_columns = len(new)
        if gone:
            await self.remove_children(gone)
        return True


def _first_per_action(shown: Shown, palette: str) -> list[Any]:
    """Return the keys compose draws (but the palette's): the first binding of each action."""
    firsts: dict[str, Any] = {}
    for entry in shown[1:]:
        if entry[0] != palette:
            firsts.setdefault(entry[1], entry)
    return list(firsts.values())
