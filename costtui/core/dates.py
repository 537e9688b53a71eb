"""UTC day ranges: parsing, presets and conversion to API timestamps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone


class DateRangeError(ValueError):
    """A date or range the user typed is not valid; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of UTC days."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise DateRangeError(
                f"range is reversed: {self.first_day} is after {self.last_day}; "
                "swap the dates"
            )

    @property
    def day_count(self) -> int:
        """Return how many UTC days the range covers."""
        return (self.last_day - self.first_day).days + 1

    def days(self) -> list[date]:
        """Return every day of the range, oldest first."""
        return list(map(date.fromordinal,
                        range(self.first_day.toordinal(), self.last_day.toordinal() + 1)))

    def previous(self) -> DateRange:
        """Return the range of the same length that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return DateRange(last - timedelta(days=self.day_count - 1), last)

    def windows(self, max_days: int) -> list[DateRange]:
        """Split the range into consecutive windows of at most `max_days` days."""
        windows: list[DateRange] = []
        start = self.first_day
        while start <= self.last_day:
            end = min(start + timedelta(days=max_days - 1), self.last_day)
            windows.append(DateRange(start, end))
            start = end + timedelta(days=1)
        return windows

    def __str__(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} → {self.last_day.isoformat()}"


MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)
"""English month names, fixed so that labels never depend on the process locale."""
DATA_LAG = timedelta(hours=48)
"""How long after a UTC day ends its cost data may still change (the API lags up to 48 h).

The cache refetches a day until this has passed, and the header flags the same days.
"""


def day_end(day: date) -> datetime:
    """Return the moment a UTC day ends."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.utc)


def is_day_complete(day: date, now: datetime, lag: timedelta = DATA_LAG) -> bool:
    """Tell whether a day ended more than `lag` before `now`, so its data is final."""
    return now - day_end(day) > lag


def incomplete_days(days: Iterable[date], now: datetime, lag: timedelta = DATA_LAG) -> list[date]:
    """Return the days whose cost data may still change at `now`, oldest first."""
    return sorted(day for day in days if not is_day_complete(day, now, lag))


def day_start(day: date) -> str:
    """Return the RFC 3339 UTC timestamp of the start of `day`."""
    return datetime.combine(day, time(), tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_day(text: str, *, what: str = "date") -> date:
    """Parse a YYYY-MM-DD day, raising DateRangeError with a fix-it message."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise DateRangeError(
            f"{what} {cleaned!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-01"
        ) from None


def parse_api_time(text: str) -> date:
    """Parse an RFC 3339 bucket start from the API into its UTC day."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


PRESET_LABELS: dict[str, str] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last-7-days": "Last 7 days",
    "last-30-days": "Last 30 days",
    "last-90-days": "Last 90 days",
    "this-month": "This month",
    "last-month": "Last month",
    "year-to-date": "Year to date",
    "last-12-months": "Last 12 months",
}
"""Preset ids mapped to the labels shown to the user, in display order."""


def preset_range(preset: str, today: date) -> DateRange:
    """Return the UTC day range of a named preset, relative to `today`."""
    one_day = timedelta(days=1)
    if preset == "today":
        return DateRange(today, today)
    if preset == "yesterday":
        return DateRange(today - one_day, today - one_day)
    if preset.startswith("last-") and preset.endswith("-days"):
        count = int(preset.removeprefix("last-").removesuffix("-days"))
        return DateRange(today - timedelta(days=count - 1), today)
    if preset == "this-month":
        return DateRange(_month_start(today), today)
    if preset == "last-month":
        this_month = _month_start(today)
        return DateRange(_add_months(this_month, -1), this_month - one_day)
    if preset == "year-to-date":
        return DateRange(date(today.year, 1, 1), today)
    if preset == "last-12-months":
        return DateRange(_add_months(_month_start(today), -11), today)
    raise DateRangeError(f"unknown preset {preset!r}: use one of {', '.join(PRESET_LABELS)}")


EARLIEST_DAY = date(2023, 1, 1)
"""No costs exist before this day (the API opened in 2023): earlier dates are refused."""


@dataclass(frozen=True, slots=True)
class ChosenRange:
    """The range to load, and a one-line note when a typed date was adjusted."""

    date_range: DateRange
    note: str | None = None


def choose_range(
    first: str | None,
    last: str | None,
    today: date,
    default_days: int = 30,
    *,
    first_name: str = "--from",
    last_name: str = "--to",
) -> ChosenRange:
    """Build a range from optional typed dates within EARLIEST_DAY..today; never raises else.

    A last day after today is clamped to today (with a note); a first day in the future or a
    day before EARLIEST_DAY raises DateRangeError saying what to type instead.
    """
    last_day = parse_day(last, what=f"{last_name} date") if last else today
    first_day = parse_day(first, what=f"{first_name} date") if first else None
    if first_day is not None and first_day > today:
        raise DateRangeError(
            f"{first_name} {first_day} is in the future (today is {today} UTC): there are no "
            "costs yet; choose today or an earlier day"
        )
    for day, name in ((first_day, first_name), (last_day, last_name)):
        if day is not None and day < EARLIEST_DAY:
            raise DateRangeError(
                f"{name} {day} is before {EARLIEST_DAY}, the first day the Admin API can have "
                f"costs for: choose {EARLIEST_DAY} or later"
            )
    note = None
    if last_day > today:
        note = f"{last_name} {last_day} is after today; using today ({today} UTC)"
        last_day = today
    if first_day is None:
        first_day = max(EARLIEST_DAY, last_day - timedelta(days=default_days - 1))
    return ChosenRange(DateRange(first_day, last_day), note)


def matching_preset(date_range: DateRange, today: date) -> str | None:
    """Return the first preset id whose range equals `date_range` today, else None."""
    for preset in PRESET_LABELS:
        if preset_range(preset, today) == date_range:
            return preset
    return None


def parse_range(
    first: str | None, last: str | None, today: date, default_days: int = 30
) -> DateRange:
    """Build a range from optional typed dates; missing ends default to the last N days."""
    return choose_range(first, last, today, default_days).date_range


def contiguous_ranges(days: Iterable[date]) -> list[DateRange]:
    """Return the sorted days as runs of consecutive days."""
    ranges: list[DateRange] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1].last_day + timedelta(days=1) == day:
            ranges[-1] = DateRange(ranges[-1].first_day, day)
        else:
            ranges.append(DateRange(day, day))
    return ranges
