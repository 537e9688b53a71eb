"""Moving through time: the range before or after, number-key presets, the previous period."""

from __future__ import annotations

from datetime import date, timedelta

from costtui.core.dates import MONTH_ABBREVIATIONS, PRESET_LABELS, DateRange, DateRangeError

NUMBER_KEY_PRESETS: dict[str, str] = {
    str(number): preset for number, preset in enumerate(PRESET_LABELS, start=1)
}
"""Keys 1–9 pick the presets in the order the date dialog lists them."""

ONE_DAY = timedelta(days=1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(month_index: int) -> date:
    return date(month_index // 12, month_index % 12 + 1, 1)


def whole_months(date_range: DateRange) -> int:
    """Return how many whole calendar months the range is, or 0 if it is not whole months."""
    first, last = date_range.first_day, date_range.last_day
    if first.day != 1 or (last + ONE_DAY).day != 1:
        return 0
    return _month_index(last) - _month_index(first) + 1


def step_range(date_range: DateRange, steps: int, today: date) -> DateRange:
    """Return the range `steps` of its own lengths later (negative: earlier), for `[` and `]`.

    Whole calendar months move by months (last month → the month before); any other range by
    its day count. A step that reaches past `today` ends at today; one that starts after it is
    refused with DateRangeError.
    """
    months = whole_months(date_range)
    if months:
        start = _month_index(date_range.first_day) + steps * months
        first = _month_start(start)
        last = _month_start(start + months) - ONE_DAY
    else:
        shift = timedelta(days=steps * date_range.day_count)
        first, last = date_range.first_day + shift, date_range.last_day + shift
    if first > today:
        raise DateRangeError(f"nothing after today ({today} UTC): {date_range} is the latest")
    return DateRange(first, min(last, today))


def preset_for_key(key: str) -> str | None:
    """Return the preset a number key picks ("1" → "today"), or None for another key."""
    return NUMBER_KEY_PRESETS.get(key)


def short_day(day: date, *, with_year: bool = False) -> str:
    """Return "2 Oct" (or "2 Oct 2026")."""
    text = f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def short_range(date_range: DateRange) -> str:
    """Return a range as people write it: "24 Nov", "2–31 Oct", "28 Sep–27 Oct", with years
    only when the range spans two."""
    first, last = date_range.first_day, date_range.last_day
    if first == last:
        return short_day(first)
    if first.year != last.year:
        return f"{short_day(first, with_year=True)}–{short_day(last, with_year=True)}"
    if first.month == last.month:
        return f"{first.day}–{short_day(last)}"
    return f"{short_day(first)}–{short_day(last)}"


def change_label(date_range: DateRange) -> str:
    """Return what Δ compares with, for the header or a column name: "Δ vs 2–31 Oct"."""
    return f"Δ vs {short_range(date_range.previous())}"
