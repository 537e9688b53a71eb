"""The command palette's costtui commands: the same actions as the keys, found by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from costtui.core.dates import PRESET_LABELS
from costtui.core.report import DIMENSION_LABELS
from costtui.tui.screens.cost_view import CostScreen

Command = tuple[str, str, Callable[[], object]]


class CostCommands(Provider):
    """Offers range presets, grouping, table/chart, export, refresh, keys and profiles by name."""

    def _commands(self) -> Iterator[Command]:
        """Yield (name, help, callback) for every costtui command of the cost view."""
        app = self.app
        screen = self.screen
        if not isinstance(screen, CostScreen):
            return
        yield ("Change date range…", "Presets or custom UTC dates (d)", screen.action_choose_range)
        for preset, label in PRESET_LABELS.items():
            yield (f"Range: {label}", "Load this UTC date range", partial(app.run_action,
                                                                          f"use_preset('{preset}')"))
        yield ("Group this level by…", "Regroup the current level, keeping filters (g)",
               screen.action_pivot)
        for dimension, label in DIMENSION_LABELS.items():
            yield (f"Group by {label.lower()}", "Regroup the current level",
                   partial(screen.pivot_to, dimension))
        yield ("Edit drill path…", "Choose the ordered dimensions Enter walks (G)",
               screen.action_edit_path)
        yield ("Show chart", "Cost per day of the current level (c)", screen.action_show_chart)
        yield ("Show table", "The table of the current level (c)", screen.action_show_table)
        yield ("Toggle cumulative line", "Chart: stacked bars or running total (l)",
               screen.action_show_cumulative)
        yield ("Toggle token columns", "Tokens, $/MTok, cache hit % and est. savings (t)",
               screen.action_toggle_tokens)
        yield ("Filter rows…", "Show rows whose name contains a text (/)", screen.action_filter)
        yield ("Export CSV", "Write the view to a CSV file", partial(screen.export_as, "csv"))
        yield ("Export JSON", "Write the view to a JSON file", partial(screen.export_as, "json"))
        yield ("Spike days (anomalies)…", "Days a group cost far more than usual, by impact (a)",
               screen.action_show_anomalies)
        yield ("Row info", "Ids, exact amounts and source of the row under the cursor (i)",
               screen.action_row_info)
        yield ("Copy row", "The row's name and exact amount to the clipboard (Y)",
               screen.action_copy_row)
        yield ("Show report command", "The costtui report command for scripts (y)",
               screen.action_show_command)
        yield ("Refresh", "Fetch the range again; cached complete days are reused (r)",
               partial(app.run_action, "refresh"))
        if app.check_action("full_refresh", ()):
            yield ("Full refresh (ignore cache)", "Fetch every day of the range from the API again",
                   partial(app.run_action, "full_refresh"))
        yield ("Keys", "List every key (?)", partial(app.run_action, "show_help"))
        if app.check_action("switch_profile", ()):
            yield ("Switch profile…", "Reload for another profile's organisation",
                   partial(app.run_action, "switch_profile"))
        if app.check_action("enter_key", ()):
            yield ("Enter Admin key", "Check and use another Admin key (k)",
                   partial(app.run_action, "enter_key"))

    async def discover(self) -> Hits:
        """Yield the most useful commands before anything is typed."""
        for name, help_text, callback in self._commands():
            if name.startswith("Group by "):
                continue
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Yield commands whose name matches the query."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
