"""The one clock of the process: the only module that reads the wall clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


class Clock:
    """Tells the current UTC time; made once at launch and handed to whatever asks."""

    def now(self) -> datetime:
        """Return the current moment, aware, in UTC."""
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """Return the current UTC day."""
        return self.now().date()

    def __repr__(self) -> str:
        return "Clock()"


class FixedClock(Clock):
    """A clock that says what it is told: for tests, screenshots and benchmarks."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a FixedClock needs an aware moment (UTC)")
        self.moment = moment.astimezone(timezone.utc)
        """The moment `now()` returns until it is moved."""

    def now(self) -> datetime:
        """Return the moment this clock was set to."""
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self.moment += delta

    def __repr__(self) -> str:
        return f"FixedClock({self.moment.isoformat()})"
