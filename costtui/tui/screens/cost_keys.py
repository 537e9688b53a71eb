"""The cost view's keys: browsing, dialogs, and app actions (bound as app.*)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from costtui.core.dates import PRESET_LABELS
from costtui.core.periods import preset_for_key

PRESET_KEYS = tuple(str(number) for number in range(1, 10))
"""Number keys that load a preset range, in the date dialog's order."""

PRESET_KEYS_HELP = "Load a range preset: " + ", ".join(
    f"{key} {PRESET_LABELS[preset].lower()}" for key in PRESET_KEYS
    if (preset := preset_for_key(key)) is not None
)
"""What the number keys do, in one line of the help."""

COST_VIEW_BINDINGS: list[BindingType] = [
    Binding("backspace", "up", "Up", tooltip="Go back up one level", id="up"),
    Binding("escape", "app.cancel_load", "Cancel",
            tooltip="Stop loading, keep what is shown", id="cancel-load"),
    Binding("escape", "back", "Back", show=False,
            tooltip="Close the filter, else go up one level", id="back"),
    Binding("d", "choose_range", "Dates", tooltip="Choose the UTC date range",
            id="choose-range"),
    Binding("g", "pivot", "Group", tooltip="Group this level by another dimension",
            id="pivot"),
    Binding("G", "edit_path", "Path", show=False, tooltip="Edit the whole drill path",
            id="edit-path"),
    Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter rows by name",
            id="filter"),
    Binding("s", "next_sort", "Sort", show=False, tooltip="Sort by the next column",
            id="next-sort"),
    Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort",
            id="reverse-sort"),
    Binding("c", "show_chart", "Chart", tooltip="Show cost per day as a chart",
            id="show-chart"),
    Binding("c", "show_table", "Table", tooltip="Show the table", id="show-table"),
    Binding("l", "toggle_cumulative", "Line", tooltip="Stacked daily bars or cumulative line",
            id="toggle-cumulative"),
    Binding("a", "show_anomalies", "Spikes", show=False, tooltip="List spike days by impact",
            id="show-anomalies"),
    Binding("t", "toggle_tokens", "Tokens", show=False,
            tooltip="Show tokens, $/MTok, cache hit, est. savings",
            id="toggle-tokens"),
    Binding("e", "export", "Export", tooltip="Export the view to CSV, JSON or FOCUS", id="export"),
    Binding("y", "show_command", "Command", show=False,
            tooltip="Show the costtui report command for this view", id="show-command"),
    Binding("r", "app.refresh", "Refresh", show=False,
            tooltip="Fetch the range again (or retry)", id="refresh"),
    Binding("K", "app.enter_key", "Key", show=False, tooltip="Enter a new Admin key",
            id="enter-key"),
    Binding("i", "row_info", "Info", show=False,
            tooltip="Everything about the row: ids, exact amounts, where it came from",
            id="row-info"),
    Binding("Y", "copy_row", "Copy", show=False,
            tooltip="Copy the row (name, exact amount) to the clipboard", id="copy-row"),
    Binding("left_square_bracket", "app.step_range(-1)", "Earlier", show=False,
            key_display="[", tooltip="Move the range back by its own length", id="step-back"),
    Binding("right_square_bracket", "app.step_range(1)", "Later", show=False,
            key_display="]", tooltip="Move the range forward by its own length",
            id="step-forward"),
    *(
        Binding(key, f"app.use_preset('{preset}')", "Preset", show=False,
                tooltip=PRESET_KEYS_HELP, id=f"preset-{key}")
        for key in PRESET_KEYS
        if (preset := preset_for_key(key)) is not None
    ),
]
"""Every key of the cost view; the help screen and footer are built from these."""
