"""Monthly budgets: the [profiles.NAME.budgets] table, status per budget and plugin exit codes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from costtui.core.dates import DATA_LAG
from costtui.core.formatting import format_exact

Status = Literal["ok", "warn", "over", "unknown"]
EXIT_CODES: dict[Status, int] = {"ok": 0, "warn": 1, "over": 2, "unknown": 3}
"""Monitoring-plugin exit codes (Nagios, Icinga, Sensu): OK, WARNING, CRITICAL, UNKNOWN."""
_SEVERITY: dict[Status, int] = {"ok": 0, "warn": 1, "over": 2, "unknown": 3}
DEFAULT_WARN_AT = Decimal("0.8")
DEFAULT_WORKSPACE_REF = "default"
BUDGET_SETTINGS = ("monthly", "warn_at", "workspaces")
"""Settings a `[profiles.NAME.budgets]` table may hold."""
ZERO = Decimal(0)


class BudgetConfigError(ValueError):
    """A budgets table that cannot be used; `key` names the setting, to point at its line."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class WorkspaceBudget:
    """A monthly budget of one workspace, named as the user wrote it (name, id or Default)."""

    ref: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Budgets:
    """The budgets of one profile, in USD per UTC calendar month."""

    monthly: Decimal | None = None
    """The organisation's budget, or None."""
    warn_at: Decimal = DEFAULT_WARN_AT
    workspaces: tuple[WorkspaceBudget, ...] = ()

    @property
    def configured(self) -> bool:
        """Tell whether any budget is set."""
        return self.monthly is not None or bool(self.workspaces)


def parse_amount(value: object, where: str, key: str) -> Decimal:
    """Return a positive USD amount from a decimal string or a TOML number, exactly.

    A TOML float becomes Decimal through its shortest text (40000.5 → "40000.5"), never float maths.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BudgetConfigError(f'{where} must be an amount like "40000" or 40000', key)
    text = str(value).strip() if not isinstance(value, int) else str(value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BudgetConfigError(f'{where}: {text!r} is not an amount; write e.g. "40000"', key) \
            from None
    if not amount.is_finite() or amount <= 0:
        raise BudgetConfigError(f"{where} must be a positive amount, got {text!r}", key)
    return amount


def parse_budgets(table: object, profile: str) -> Budgets:
    """Validate the already-loaded `[profiles.<profile>.budgets]` value (None: no budgets)."""
    if table is None:
        return Budgets()
    where = f"[profiles.{profile}.budgets]"
    if not isinstance(table, dict):
        raise BudgetConfigError(f"'budgets' in [profiles.{profile}] must be a table {where}",
                                "budgets")
    for key in table:
        if key not in BUDGET_SETTINGS:
            raise BudgetConfigError(
                f"unknown setting {key!r} in {where}; the known settings are "
                f"{', '.join(BUDGET_SETTINGS)}", str(key))
    monthly = table.get("monthly")
    warn_at = DEFAULT_WARN_AT
    if "warn_at" in table:
        warn_at = parse_amount(table["warn_at"], f"warn_at in {where}", "warn_at")
        if warn_at > 1:
            raise BudgetConfigError(f"warn_at in {where} must be a fraction in (0, 1], e.g. 0.8",
                                    "warn_at")
    workspaces = table.get("workspaces", {})
    if not isinstance(workspaces, dict):
        raise BudgetConfigError(
            f"'workspaces' in {where} must be a table [profiles.{profile}.budgets.workspaces]",
            "workspaces")
    return Budgets(
        None if monthly is None else parse_amount(monthly, f"monthly in {where}", "monthly"),
        warn_at,
        tuple(
            WorkspaceBudget(str(ref), parse_amount(amount, f"{ref!r} in {where}.workspaces",
                                                   str(ref)))
            for ref, amount in workspaces.items()
        ),
    )


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One budget's month so far: actual, projection and status."""

    scope: Literal["organisation", "workspace"]
    name: str
    workspace_id: str | None
    budget: Decimal
    actual: Decimal
    projected: Decimal | None
    status: Status
    over_pace: bool = False
    """True when the status is warn only because the projection reaches the budget."""

    @property
    def percent(self) -> Decimal:
        """Return actual as a percentage of the budget, exact."""
        return self.actual / self.budget * 100


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    """Every budget of a profile for one UTC month, plus warnings about the config."""

    month: date
    lines: tuple[BudgetLine, ...]
    warnings: tuple[str, ...] = field(default=())
    """One line per budget that could not be checked (unknown or ambiguous workspace)."""

    @property
    def status(self) -> Status:
        """Return the worst status; unknown when no budget could be checked at all."""
        if not self.lines:
            return "unknown"
        statuses: list[Status] = [line.status for line in self.lines]
        if self.warnings:
            statuses.append("warn")
        return max(statuses, key=_SEVERITY.__getitem__)

    @property
    def exit_code(self) -> int:
        """Return the monitoring-plugin exit code of the overall status."""
        return EXIT_CODES[self.status]


def budget_status(
    actual: Decimal, budget: Decimal, projected: Decimal | None, warn_at: Decimal
) -> tuple[Status, bool]:
    """Return over/warn/ok for one budget, and whether warn comes from the pace alone."""
    if actual >= budget:
        return "over", False
    if actual >= warn_at * budget:
        return "warn", False
    if projected is not None and projected >= budget:
        return "warn", True
    return "ok", False


def resolve_workspace(
    ref: str, workspace_names: Mapping[str, str]
) -> tuple[str | None, str] | str:
    """Return (workspace id or None for Default, display name), or a warning line."""
    if ref.strip().lower() == DEFAULT_WORKSPACE_REF:
        return None, "Default"
    if ref in workspace_names:
        return ref, workspace_names[ref]
    matches = [workspace_id for workspace_id, name in workspace_names.items() if name == ref]
    if len(matches) == 1:
        return matches[0], ref
    if matches:
        return (f"budget for workspace {ref!r}: {len(matches)} workspaces have that name; "
                "use its id (wrkspc_…) in config.toml")
    return (f"budget for workspace {ref!r} names no known workspace; use a name or id from "
            "`costtui report --group-by workspace`, or \"Default\"")


def check_budgets(
    budgets: Budgets,
    daily_by_workspace: Mapping[str | None, Mapping[date, Decimal]],
    workspace_names: Mapping[str, str],
    now: datetime,
    *,
    lag: timedelta = DATA_LAG,
) -> BudgetCheck:
    """Check every budget for the UTC month of `now` from daily USD costs per workspace id.

    `daily_by_workspace` should reach back 8 weeks so the projection has its history; the
    organisation's series is the sum of every workspace's (None is the default workspace).
    """
    from costtui.core.forecast import month_days  # with the projections: not at start-up

    month = month_days(now.date())
    lines: list[BudgetLine] = []
    warnings: list[str] = []
    if budgets.monthly is not None:
        organisation: dict[date, Decimal] = defaultdict(Decimal)
        for costs in daily_by_workspace.values():
            for day, cost in costs.items():
                organisation[day] += cost
        lines.append(_line("organisation", "Organisation", None, budgets.monthly,
                           organisation, budgets.warn_at, month, now, lag))
    for rule in budgets.workspaces:
        resolved = resolve_workspace(rule.ref, workspace_names)
        if isinstance(resolved, str):
            warnings.append(resolved)
            continue
        workspace_id, name = resolved
        lines.append(_line("workspace", name, workspace_id, rule.amount,
                           daily_by_workspace.get(workspace_id, {}), budgets.warn_at, month,
                           now, lag))
    return BudgetCheck(month[0], tuple(lines), tuple(warnings))


def _line(
    scope: Literal["organisation", "workspace"],
    name: str,
    workspace_id: str | None,
    budget: Decimal,
    costs: Mapping[date, Decimal],
    warn_at: Decimal,
    month: list[date],
    now: datetime,
    lag: timedelta,
) -> BudgetLine:
    """Build one budget's line with its projection (None when there is too little history)."""
    from costtui.core.forecast import Forecast, project_month

    forecast = project_month(costs, now, lag=lag)
    projected = forecast.projected if isinstance(forecast, Forecast) else None
    actual = sum((costs.get(day, ZERO) for day in month), ZERO)
    status, over_pace = budget_status(actual, budget, projected, warn_at)
    return BudgetLine(scope, name, workspace_id, budget, actual, projected, status, over_pace)


def budget_check_json(check: BudgetCheck) -> dict[str, Any]:
    """Return the check as the JSON object of `report --check-budget` (exact decimal strings)."""
    return {
        "month": check.month.strftime("%Y-%m"),
        "status": check.status,
        "budgets": [
            {
                "scope": line.scope,
                "name": line.name,
                "workspace_id": line.workspace_id,
                "budget_usd": format_exact(line.budget),
                "actual_usd": format_exact(line.actual),
                "projected_usd": None if line.projected is None else format_exact(line.projected),
                "status": line.status,
            }
            for line in check.lines
        ],
        "warnings": list(check.warnings),
    }
