"""Grouping dialogs: regroup the current level (pivot) or edit the whole ordered drill path."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from costtui.core.report import DIMENSION_LABELS, DIMENSIONS
from costtui.core.view_state import DEFAULT_DRILL_PATH, ViewState

PATH_SEPARATOR = " › "


def path_text(path: tuple[str, ...]) -> str:
    """Return a drill path as "Workspace › Model › Token type"."""
    return PATH_SEPARATOR.join(DIMENSION_LABELS[name] for name in path) or "(empty)"


def toggled(path: tuple[str, ...], dimension: str) -> tuple[str, ...]:
    """Return the path with the dimension removed if present, else appended."""
    if dimension in path:
        return tuple(name for name in path if name != dimension)
    return (*path, dimension)


def moved(path: tuple[str, ...], dimension: str, offset: int) -> tuple[str, ...]:
    """Return the path with the dimension moved `offset` places (clamped at the ends)."""
    if dimension not in path:
        return path
    names = list(path)
    position = names.index(dimension)
    target = max(0, min(len(names) - 1, position + offset))
    names.insert(target, names.pop(position))
    return tuple(names)


class PivotScreen(ModalScreen[str]):
    """Choose the dimension the current level groups by; the filters above it stay."""

    HELP = """\
## Group this level by

Pick a dimension with the arrows and Enter. The filters you drilled into stay;
no new request is needed.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", tooltip="Keep the current grouping", id="close"),
    ]

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        """Yield the dimensions not already filtered above this level."""
        choices = [name for name in DIMENSIONS if name not in self.state.filter_dimensions]
        with Vertical(id="pivot-dialog", classes="dialog"):
            yield Label("Group this level by", classes="dialog-title")
            kept = ", ".join(DIMENSION_LABELS[name] for name in self.state.filter_dimensions)
            yield Label(f"Filters kept: {kept}" if kept else "At the top level: no filters.",
                        classes="dialog-note", markup=False)
            yield OptionList(
                *[Option(DIMENSION_LABELS[name] + ("  (now)" if name == self.state.dimension
                                                    else ""), id=name) for name in choices],
                id="pivot-choices",
            )
            yield Label("↑↓ Enter: group by · Esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        """Highlight the current dimension."""
        choices = self.query_one("#pivot-choices", OptionList)
        choices.highlighted = choices.get_option_index(self.state.dimension)
        choices.focus()

    @on(OptionList.OptionSelected, "#pivot-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Close without regrouping."""
        self.dismiss(None)


class DrillPathScreen(ModalScreen[tuple[str, ...]]):
    """Edit the ordered drill path: Space adds or removes, Shift+↑↓ moves, Enter applies."""

    HELP = """\
## Drill path

The drill path is the order Enter walks through, e.g. Workspace › Model › Token type.
**Space** adds or removes the highlighted dimension, **Shift+↑/↓** (or **[** / **]**)
moves it, **Enter** applies and **Escape** cancels. Applying goes back to the top level.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_dimension", "Add/remove", tooltip="Add or remove this dimension",
                id="toggle-dimension"),
        Binding("shift+up,left_square_bracket", "move(-1)", "Earlier", key_display="⇧↑",
                tooltip="Move this dimension earlier in the path", id="move-earlier"),
        Binding("shift+down,right_square_bracket", "move(1)", "Later", key_display="⇧↓",
                tooltip="Move this dimension later in the path", id="move-later"),
        Binding("ctrl+r", "reset", "Default", tooltip="Workspace › Model › Token type",
                id="reset-path"),
        Binding("escape", "close", "Cancel", tooltip="Keep the current path", id="close"),
    ]

    def __init__(self, path: tuple[str, ...]) -> None:
        super().__init__()
        self.path = path
        """The path as edited so far."""

    def compose(self) -> ComposeResult:
        """Yield the path preview and the list of dimensions."""
        with Vertical(id="path-dialog", classes="dialog"):
            yield Label("Drill path", classes="dialog-title")
            yield Label(id="path-preview", markup=False)
            yield OptionList(id="path-choices")
            yield Label(id="path-message", markup=False)
            yield Label("Space: add/remove · ⇧↑↓ or [ ]: move · Enter: apply · Esc: cancel",
                        classes="dialog-keys")

    def on_mount(self) -> None:
        """Fill the list and focus it."""
        self._refresh_choices(self.path[0] if self.path else DIMENSIONS[0])
        self.query_one("#path-choices", OptionList).focus()

    def _ordered_dimensions(self) -> list[str]:
        """Return the path's dimensions in order, then the others in their usual order."""
        return [*self.path, *(name for name in DIMENSIONS if name not in self.path)]

    def _refresh_choices(self, highlight: str) -> None:
        """Redraw the numbered list and the preview, keeping `highlight` highlighted."""
        choices = self.query_one("#path-choices", OptionList)
        choices.clear_options()
        for name in self._ordered_dimensions():
            number = f"{self.path.index(name) + 1}." if name in self.path else "  "
            mark = "■" if name in self.path else "□"
            choices.add_option(Option(Text(f"{mark} {number:>3} {DIMENSION_LABELS[name]}"),
                                      id=name))
        choices.highlighted = choices.get_option_index(highlight)
        self.query_one("#path-preview", Label).update(Text(path_text(self.path)))
        self.query_one("#path-message", Label).update(
            "Choose at least one dimension." if not self.path else ""
        )

    def _highlighted(self) -> str | None:
        """Return the highlighted dimension."""
        choices = self.query_one("#path-choices", OptionList)
        if choices.highlighted is None:
            return None
        return choices.get_option_at_index(choices.highlighted).id

    def action_toggle_dimension(self) -> None:
        """Add the highlighted dimension to the end of the path, or remove it."""
        dimension = self._highlighted()
        if dimension is not None:
            self.path = toggled(self.path, dimension)
            self._refresh_choices(dimension)

    def action_move(self, offset: int) -> None:
        """Move the highlighted dimension earlier or later in the path."""
        dimension = self._highlighted()
        if dimension is not None:
            self.path = moved(self.path, dimension, offset)
            self._refresh_choices(dimension)

    def action_reset(self) -> None:
        """Go back to the default path."""
        self.path = DEFAULT_DRILL_PATH
        self._refresh_choices(self.path[0])

    @on(OptionList.OptionSelected, "#path-choices")
    def _apply(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.path:
            self.dismiss(self.path)

    def action_close(self) -> None:
        """Close without changing the path."""
        self.dismiss(None)
