"""A Footer that rebuilds its keys only when the keys it shows change, and then in place when
keys only came, went or changed their greying."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[Any, ...]
"""What the footer shows: the palette flag, then (key, action, description, group, enabled,
tooltip, binding) per binding shown."""


class KeyFooter(Footer):
    """Textual's Footer, minus the rebuild on every `refresh_bindings` that changes nothing.

    Footer remounts all its keys (and restyles them) each time bindings are refreshed; a load
    refreshes them several times with the same keys, which slowed the first paint. When keys
    only come or go (Cancel while a load runs) or are greyed / un-greyed (Drill once rows
    arrive), the keys already mounted are updated instead of mounting all of them again.
    """

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: Shown | None = None

    def _keys_shown(self) -> Shown:
        """Return what compose would show: each shown binding with its state and tooltip."""
        return (self.show_command_palette, *(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip,
             binding)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        ))

    async def recompose(self) -> None:
        """Rebuild the keys, unless they are the ones already shown (or can be updated)."""
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
        """Add, remove and re-grey keys in place; False when they must be composed again.

        Only for plain keys (no groups) whose order and texts stay as they were.
        """
        palette = self.app.COMMAND_PALETTE_BINDING
        old, new = _first_per_action(before, palette), _first_per_action(after, palette)
        if before[0] != after[0] or [e for e in before[1:] if e[0] == palette] != [
                e for e in after[1:] if e[0] == palette]:
            return False
        if any(entry[3] is not None for entry in (*old, *new)):
            return False
        keys = list(self.query_children(FooterKey))
        plain = [key for key in keys if not key.has_class("-command-palette")]
        if [(key.key, key.action) for key in plain] != [(e[0], e[1]) for e in old]:
            return False
        mounted = {entry[1]: (entry, key) for entry, key in zip(old, plain, strict=True)}
        staying = [entry for entry in new if entry[1] in mounted]
        if [entry[1] for entry in staying] != [e[1] for e in old if e[1] in {
                entry[1] for entry in staying}]:
            return False  # keys moved
        if any(_text(entry) != _text(mounted[entry[1]][0]) for entry in staying):
            return False  # a key's text or tooltip changed
        for entry in staying:
            key = mounted[entry[1]][1]
            if key._disabled == entry[4]:
                key._disabled = not entry[4]
                key.set_class(not entry[4], "-disabled")
        self.styles.grid_size_columns = len(new)
        gone = [key for action, (_, key) in mounted.items()
                if action not in {entry[1] for entry in new}]
        if gone:
            await self.remove_children(gone)
        anchor: FooterKey | None = next(
            (key for key in keys if key.has_class("-command-palette")), None)
        for entry in reversed(new):  # each new key goes before the next one already shown
            if entry[1] in mounted:
                anchor = mounted[entry[1]][1]
                continue
            binding = entry[6]
            added = FooterKey(binding.key, self.app.get_key_display(binding),
                              binding.description, binding.action, disabled=not entry[4],
                              tooltip=entry[5]).data_bind(compact=Footer.compact)
            await (self.mount(added, before=anchor) if anchor else self.mount(added))
            anchor = added
        return True


def _first_per_action(shown: Shown, palette: str) -> list[Any]:
    """Return the keys compose draws (but the palette's): the first binding of each action."""
    firsts: dict[str, Any] = {}
    for entry in shown[1:]:
        if entry[0] != palette:
            firsts.setdefault(entry[1], entry)
    return list(firsts.values())


def _text(entry: Any) -> tuple[Any, ...]:
    """Return what a mounted key shows besides its greying: key, action, description, tooltip."""
    return (*entry[:4], entry[5])
