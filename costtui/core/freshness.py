"""Words for where shown data came from and how fresh it is: source, age and missing days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from costtui.core.dates import contiguous_ranges
from costtui.core.models import LoadedReport

MAX_RANGES_SHOWN = 3
"""Missing-day ranges named in the header before the rest are summarised as "…"."""


def age_text(then: datetime, now: datetime) -> str:
    """Return a short age such as "just now", "5 min ago", "2 h ago" or "3 d ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def source_text(report: LoadedReport) -> str | None:
    """Return the header's words for the source ("cache + live · cached 2 h ago"), if cached."""
    if report.origin is None:
        return None
    label = f"{report.origin} (offline)" if report.offline else report.origin
    if report.origin == "live":
        return f"{label} · fetched {report.fetched_at:%H:%M} UTC"
    if report.oldest_cached_at is None:
        return label
    age = age_text(report.oldest_cached_at, report.fetched_at)
    return f"{label} · {'cached' if report.origin == 'cache + live' else 'fetched'} {age}"


def missing_days_text(days: Sequence[date], limit: int = MAX_RANGES_SHOWN) -> str:
    """Return missing days as compact ranges: "2026-11-01 → 2026-11-03, 2026-11-09, …"."""
    ranges = [str(each) for each in contiguous_ranges(days)]
    shown = ranges[:limit] + (["…"] if len(ranges) > limit else [])
    return ", ".join(shown)


def report_notes(report: LoadedReport) -> list[str]:
    """Return the header's notes on a report: source remarks, missing days, unknown changes."""
    notes = list(report.notes)
    if report.missing_days:
        where = "cache" if report.offline else "source"
        notes.append(f"{len(report.missing_days)} day(s) missing from the {where}: "
                     f"{missing_days_text(report.missing_days)}")
    if report.previous_missing_days:
        notes.append(f"Δ n/a: {len(report.previous_missing_days)} day(s) of the previous "
                     "period are missing")
    return notes
