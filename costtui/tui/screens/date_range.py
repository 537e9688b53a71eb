"""The date range dialog: UTC presets, or a custom range validated as it is typed."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.input import Selection
from textual.widgets.option_list import Option

from costtui.core.dates import (
    PRESET_LABELS,
    ChosenRange,
    DateRange,
    DateRangeError,
    choose_range,
    preset_range,
)

PRESET_LABEL_WIDTH = max(map(len, PRESET_LABELS.values())) + 2
DATE_CHARACTERS = r"[0-9-]*"


def check_custom_range(first_text: str, last_text: str, today: date) -> ChosenRange:
    """Return the typed range (To after today clamped, with a note), or raise DateRangeError."""
    if not first_text.strip() or not last_text.strip():
        what = "From" if not first_text.strip() else "To"
        raise DateRangeError(f"{what} is empty: type a date as YYYY-MM-DD")
    return choose_range(first_text, last_text, today, first_name="From", last_name="To")


def describe_range(date_range: DateRange) -> str:
    """Return "30 days: 2026-10-27 → 2026-11-25 (UTC)"."""
    days = "1 day" if date_range.day_count == 1 else f"{date_range.day_count} days"
    return f"{days}: {date_range} (UTC)"


class DateRangeScreen(ModalScreen[DateRange]):
    """Pick a preset with Enter, or type From and To dates; every day is a UTC day."""

    HELP = """\
## Date range

Every day is a **UTC** day, both ends included.
Pick a preset with the arrows and Enter, or Tab to the From / To fields and type
`YYYY-MM-DD` dates; Enter applies them once they are valid. Escape closes.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", tooltip="Keep the current range", id="close"),
        # Priority: handled as the key arrives, before the keys typed after it are routed.
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True,
                id="next-field"),
        Binding("shift+tab", "move_focus(-1)", "Previous field", show=False, priority=True,
                id="previous-field"),
    ]

    FIELD_IDS = ("presets", "first-day", "last-day")
    """The focus order of the dialog, which Tab and Shift+Tab walk round."""

    def __init__(self, today: date, current: DateRange) -> None:
        super().__init__()
        self.today = today
        self.current = current
        self.typed_range: DateRange | None = current
        """The custom range typed so far, or None while it is invalid."""

    def compose(self) -> ComposeResult:
        """Yield the presets, the custom range fields and the validation line."""
        with Vertical(id="date-range-dialog", classes="dialog"):
            yield Label("Date range", classes="dialog-title")
            yield Label(f"All dates are UTC days, both ends included. Today is {self.today} UTC.",
                        classes="dialog-note", markup=False)
            yield OptionList(*self._preset_options(), id="presets")
            with Horizontal(id="custom-range"):
                yield Label("From", classes="field-label")
                yield Input(self.current.first_day.isoformat(), placeholder="YYYY-MM-DD",
                            restrict=DATE_CHARACTERS, max_length=10, compact=True,
                            select_on_focus=False, id="first-day")
                yield Label("To", classes="field-label")
                yield Input(self.current.last_day.isoformat(), placeholder="YYYY-MM-DD",
                            restrict=DATE_CHARACTERS, max_length=10, compact=True,
                            select_on_focus=False, id="last-day")
            yield Label(describe_range(self.current), id="range-message", markup=False)
            yield Label("↑↓ Enter: preset · Tab: custom dates · Enter: apply · Esc: cancel",
                        classes="dialog-keys", markup=False)

    def _preset_options(self) -> list[Option]:
        """Return an option per preset showing its label and the days it means today."""
        options = []
        for preset, label in PRESET_LABELS.items():
            prompt = Text(label.ljust(PRESET_LABEL_WIDTH))
            prompt.append(str(preset_range(preset, self.today)), style="dim")
            options.append(Option(prompt, id=preset))
        return options

    def on_mount(self) -> None:
        """Highlight the preset matching the current range, if any."""
        presets = self.query_one("#presets", OptionList)
        for index, preset in enumerate(PRESET_LABELS):
            if preset_range(preset, self.today) == self.current:
                presets.highlighted = index
                break
        else:
            presets.highlighted = 0
        presets.focus()

    @on(OptionList.OptionSelected, "#presets")
    def _preset_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(preset_range(event.option.id, self.today))

    @on(Input.Changed)
    def _dates_typed(self, event: Input.Changed) -> None:
        message = self.query_one("#range-message", Label)
        try:
            chosen = check_custom_range(
                self.query_one("#first-day", Input).value,
                self.query_one("#last-day", Input).value,
                self.today,
            )
        except DateRangeError as error:
            self.typed_range = None
            message.update(Text(str(error)))
            message.add_class("-invalid")
        else:
            self.typed_range = chosen.date_range
            shown = describe_range(chosen.date_range)
            message.update(Text(f"{shown} · {chosen.note}" if chosen.note else shown))
            message.remove_class("-invalid")

    @on(Input.Submitted)
    def _dates_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.typed_range is not None:
            self.dismiss(self.typed_range)
        elif event.input.id == "first-day":
            self._focus_field("last-day")

    def action_move_focus(self, step: int) -> None:
        """Focus the next (or previous) field at once, so keys typed right after Tab land there."""
        focused_id = self.focused.id if self.focused is not None else None
        index = self.FIELD_IDS.index(focused_id) if focused_id in self.FIELD_IDS else 0
        self._focus_field(self.FIELD_IDS[(index + step) % len(self.FIELD_IDS)])

    def _focus_field(self, field_id: str) -> None:
        """Focus a field now (Widget.focus waits a turn) and select a date field's text.

        A terminal sends Tab and the keys after it in one burst: with a deferred focus they
        went to the preset list, and a deferred select-all would swallow the first digits.
        """
        widget = self.query_one(f"#{field_id}")
        self.set_focus(widget)
        if isinstance(widget, Input):
            widget.selection = Selection(0, len(widget.value))

    def action_close(self) -> None:
        """Close without changing the range."""
        self.dismiss(None)
