"""Back-test of the month-end projection on the demo organisation.

For each of the 12 months before `--end-month`, as if it were noon UTC on day 5, 10, 20 and 25:
give the projection only the days that were complete then (the 48 h data lag hides the rest),
and compare with the month's actual total. Prints the mean absolute percentage error (MAPE)
and how often the actual fell inside the 80 % band (target 70–90 %), per day of the month.
Run: python bench/backtest_forecast.py [--end-month 2026-11] [--seeds 7 1 2]
     [--residual-days 28] [--no-level-resampling]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costtui.core.forecast import (  # noqa: E402
    RESIDUAL_DAYS,
    Forecast,
    last_complete_day,
    month_days,
    project_month,
)
from costtui.data.demo import DemoOrganization  # noqa: E402

CHECK_DAYS = (5, 10, 20, 25)
HISTORY_DAYS = 120
"""Days of history handed to each projection (it uses at most the last 56)."""


def org_daily_totals(org: DemoOrganization, first: date, last: date) -> dict[date, Decimal]:
    """Return the organisation's exact daily totals in dollars from `first` to `last`."""
    totals: dict[date, Decimal] = {}
    day = first
    while day <= last:
        items = org.results(day, by_workspace=False, by_description=False)
        totals[day] = sum((Decimal(item["amount"]) for item in items), Decimal(0)) / 100
        day += timedelta(days=1)
    return totals


def months_before(end_month: date, count: int) -> list[date]:
    """Return the first days of the `count` months before `end_month`, oldest first."""
    months, month = [], end_month.replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def backtest(
    org: DemoOrganization, months: Sequence[date], resample_level: bool, residual_days: int
) -> dict[int, list[tuple[Decimal, bool, Decimal]]]:
    """Return per check day: (absolute % error, actual inside band, band width %) per month."""
    first = months[0] - timedelta(days=HISTORY_DAYS)
    totals = org_daily_totals(org, first, month_days(months[-1])[-1])
    results: dict[int, list[tuple[Decimal, bool, Decimal]]] = {day: [] for day in CHECK_DAYS}
    for month in months:
        actual = sum((totals[day] for day in month_days(month)), Decimal(0))
        for check_day in CHECK_DAYS:
            now = datetime(month.year, month.month, check_day, 12, tzinfo=timezone.utc)
            last = last_complete_day(now)
            known = {day: cost for day, cost in totals.items()
                     if now.date() - timedelta(days=HISTORY_DAYS) <= day <= last}
            forecast = project_month(known, now, resample_level=resample_level,
                                     residual_days=residual_days)
            if not isinstance(forecast, Forecast):
                raise SystemExit(f"{month:%Y-%m} day {check_day}: no projection")
            error = abs(forecast.projected - actual) / actual * 100
            inside = forecast.low <= actual <= forecast.high
            width = (forecast.high - forecast.low) / actual * 100
            results[check_day].append((error, inside, width))
    return results


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)} %"


def print_table(seed: int, results: dict[int, list[tuple[Decimal, bool, Decimal]]]) -> None:
    """Print one markdown table of MAPE, band coverage and band width per check day."""
    print(f"\ndemo seed {seed}, 12 months, 80 % band\n")
    print("| as of day | MAPE | actual inside band | mean band width |")
    print("|---|---|---|---|")
    everything: list[tuple[Decimal, bool, Decimal]] = []
    for check_day, rows in results.items():
        everything += rows
        _row(f"{check_day}", rows)
    _row("all", everything)


def _row(label: str, rows: Sequence[tuple[Decimal, bool, Decimal]]) -> None:
    count = len(rows)
    mape = sum((error for error, _, _ in rows), Decimal(0)) / count
    inside = sum(1 for _, hit, _ in rows if hit)
    width = sum((w for _, _, w in rows), Decimal(0)) / count
    coverage = Decimal(inside * 100) / count
    print(f"| {label} | {_pct(mape)} | {inside}/{count} ({_pct(coverage)}) | {_pct(width)} |")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the back-test for each requested demo seed and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end-month", default="2026-11",
                        help="the months tested are the 12 before this one (YYYY-MM)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--no-level-resampling", action="store_true",
                        help="bootstrap residuals only (shows why the level is resampled)")
    parser.add_argument("--residual-days", type=int, default=RESIDUAL_DAYS,
                        help=f"days of residuals to bootstrap (default {RESIDUAL_DAYS})")
    args = parser.parse_args(argv)
    end_month = date.fromisoformat(f"{args.end_month}-01")
    months = months_before(end_month, 12)
    print(f"months {months[0]:%Y-%m} .. {months[-1]:%Y-%m}; "
          f"level resampling {'off' if args.no_level_resampling else 'on'}; "
          f"residuals of the last {args.residual_days} days")
    for seed in args.seeds:
        org = DemoOrganization(seed=seed)
        print_table(seed, backtest(org, months, not args.no_level_resampling, args.residual_days))


if __name__ == "__main__":
    main()
