"""Budgets: parsing the config table exactly, statuses, plugin exit codes and the JSON shape."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from costtui.core.budgets import (
    BudgetCheck,
    BudgetConfigError,
    BudgetLine,
    Budgets,
    WorkspaceBudget,
    budget_check_json,
    budget_status,
    check_budgets,
    parse_budgets,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
OPS = "wrkspc_01OpsEU"
NAMES = {OPS: "Ops 🚀 EU", "wrkspc_01Search": "[prod] Search", "wrkspc_01Twin": "Twin",
         "wrkspc_01Twin2": "Twin"}


def parse_toml(text: str) -> Budgets:
    data = tomllib.loads(text)
    return parse_budgets(data["profiles"]["default"].get("budgets"), "default")


def test_the_issue_example_parses_exactly() -> None:
    budgets = parse_toml("""
[profiles.default.budgets]
monthly = "40000"
warn_at = 0.8

[profiles.default.budgets.workspaces]
"Ops 🚀 EU" = "15000"
""")
    assert budgets == Budgets(Decimal("40000"), Decimal("0.8"),
                              (WorkspaceBudget("Ops 🚀 EU", Decimal("15000")),))


def test_toml_floats_become_decimals_through_their_text() -> None:
    budgets = parse_toml("""
[profiles.default.budgets]
monthly = 40000.1
warn_at = 0.7
[profiles.default.budgets.workspaces]
Default = 1234
wrkspc_01Search = "0.10"
""")
    assert budgets.monthly == Decimal("40000.1")
    assert str(budgets.monthly) == "40000.1"  # not 40000.09999999999854480847716331481933594
    assert budgets.warn_at == Decimal("0.7")
    assert budgets.workspaces == (WorkspaceBudget("Default", Decimal(1234)),
                                  WorkspaceBudget("wrkspc_01Search", Decimal("0.10")))


def test_no_budgets_table_means_no_budgets_and_warn_at_defaults() -> None:
    assert parse_budgets(None, "default") == Budgets()
    assert not Budgets().configured
    assert parse_budgets({"monthly": "10"}, "p").warn_at == Decimal("0.8")


@pytest.mark.parametrize(
    ("table", "message", "key"),
    [
        ("nope", "'budgets' in [profiles.p] must be a table [profiles.p.budgets]", "budgets"),
        ({"montly": "5"}, "unknown setting 'montly' in [profiles.p.budgets]; the known settings "
         "are monthly, warn_at, workspaces", "montly"),
        ({"monthly": "-5"}, "monthly in [profiles.p.budgets] must be a positive amount, got '-5'",
         "monthly"),
        ({"monthly": "4O000"}, "monthly in [profiles.p.budgets]: '4O000' is not an amount; "
         'write e.g. "40000"', "monthly"),
        ({"monthly": True}, 'monthly in [profiles.p.budgets] must be an amount like "40000" or '
         "40000", "monthly"),
        ({"monthly": "nan"}, "monthly in [profiles.p.budgets] must be a positive amount, got "
         "'nan'", "monthly"),
        ({"warn_at": 1.5}, "warn_at in [profiles.p.budgets] must be a fraction in (0, 1], e.g. 0.8",
         "warn_at"),
        ({"workspaces": 3}, "'workspaces' in [profiles.p.budgets] must be a table "
         "[profiles.p.budgets.workspaces]", "workspaces"),
        ({"workspaces": {"Ops": 0}}, "'Ops' in [profiles.p.budgets].workspaces must be a positive "
         "amount, got '0'", "Ops"),
    ],
)
def test_bad_budgets_say_what_to_fix(table: object, message: str, key: str) -> None:
    with pytest.raises(BudgetConfigError) as caught:
        parse_budgets(table, "p")
    assert (str(caught.value), caught.value.key) == (message, key)


@pytest.mark.parametrize(
    ("actual", "projected", "expected"),
    [
        ("100", "100", ("over", False)),
        ("99.99", "150", ("warn", False)),
        ("80", None, ("warn", False)),
        ("79.99", "100", ("warn", True)),
        ("79.99", "99.99", ("ok", False)),
        ("0", None, ("ok", False)),
    ],
)
def test_status_of_one_budget(actual: str, projected: str | None, expected: object) -> None:
    projection = None if projected is None else Decimal(projected)
    assert budget_status(Decimal(actual), Decimal(100), projection, Decimal("0.8")) == expected


def daily(first: date, last: date, amount: str) -> dict[date, Decimal]:
    return {first + timedelta(days=n): Decimal(amount) for n in range((last - first).days + 1)}


HISTORY = date(2026, 9, 1), date(2026, 11, 20)


def test_check_budgets_per_scope_with_projection() -> None:
    costs = {
        None: daily(*HISTORY, "10"),
        OPS: daily(*HISTORY, "50"),
        "wrkspc_01Search": daily(*HISTORY, "40"),
    }
    budgets = Budgets(Decimal(3000), Decimal("0.8"), (
        WorkspaceBudget("Ops 🚀 EU", Decimal(1000)),
        WorkspaceBudget("wrkspc_01Search", Decimal(1400)),
        WorkspaceBudget("default", Decimal(500)),
    ))
    check = check_budgets(budgets, costs, NAMES, NOW)
    assert check == BudgetCheck(date(2026, 11, 1), (
        BudgetLine("organisation", "Organisation", None, Decimal(3000), Decimal(2000),
                   Decimal("3000.00"), "warn", True),
        BudgetLine("workspace", "Ops 🚀 EU", OPS, Decimal(1000), Decimal(1000),
                   Decimal("1500.00"), "over"),
        BudgetLine("workspace", "[prod] Search", "wrkspc_01Search", Decimal(1400), Decimal(800),
                   Decimal("1200.00"), "ok"),
        BudgetLine("workspace", "Default", None, Decimal(500), Decimal(200), Decimal("300.00"),
                   "ok"),
    ))
    assert (check.status, check.exit_code) == ("over", 2)
    assert check.lines[0].percent == Decimal("66.66666666666666666666666667")


def test_exit_codes_follow_the_monitoring_plugin_convention() -> None:
    costs = {None: daily(*HISTORY, "10")}
    def code(amount: str) -> int:
        return check_budgets(Budgets(Decimal(amount)), costs, {}, NOW).exit_code
    assert code("1000") == 0
    assert code("300") == 1  # 200 so far, projected 300: over pace
    assert code("200") == 2
    assert check_budgets(Budgets(), costs, {}, NOW).exit_code == 3


def test_a_budget_naming_no_known_workspace_warns_and_never_crashes() -> None:
    costs = {None: daily(*HISTORY, "10")}
    budgets = Budgets(Decimal(1000), workspaces=(
        WorkspaceBudget("Ops \x1b[2J EU", Decimal(5)), WorkspaceBudget("Twin", Decimal(5)),
        WorkspaceBudget("wrkspc_01Gone", Decimal(5))))
    check = check_budgets(budgets, costs, NAMES, NOW)
    assert [line.status for line in check.lines] == ["ok"]
    assert check.warnings == (
        "budget for workspace 'Ops \\x1b[2J EU' names no known workspace; use a name or id from "
        '`costtui report --group-by workspace`, or "Default"',
        "budget for workspace 'Twin': 2 workspaces have that name; use its id (wrkspc_…) in "
        "config.toml",
        "budget for workspace 'wrkspc_01Gone' names no known workspace; use a name or id from "
        '`costtui report --group-by workspace`, or "Default"',
    )
    assert (check.status, check.exit_code) == ("warn", 1)
    only_unknown = Budgets(workspaces=(WorkspaceBudget("Nope", Decimal(5)),))
    assert check_budgets(only_unknown, costs, NAMES, NOW).exit_code == 3


def test_a_workspace_without_history_has_no_projection() -> None:
    costs = {OPS: daily(date(2026, 11, 18), date(2026, 11, 20), "7")}
    check = check_budgets(Budgets(workspaces=(WorkspaceBudget(OPS, Decimal(100)),)), costs,
                          NAMES, NOW)
    assert check.lines[0].projected is None and check.lines[0].status == "ok"


def test_json_shape() -> None:
    check = BudgetCheck(date(2026, 11, 1), (
        BudgetLine("organisation", "Organisation", None, Decimal("40000"), Decimal("12345.678"),
                   Decimal("41000.10"), "warn", True),
        BudgetLine("workspace", "Ops 🚀 EU", OPS, Decimal("15000"), Decimal("100"), None, "ok"),
    ), ("a warning",))
    assert budget_check_json(check) == {
        "month": "2026-11",
        "status": "warn",
        "budgets": [
            {"scope": "organisation", "name": "Organisation", "workspace_id": None,
             "budget_usd": "40000", "actual_usd": "12345.678", "projected_usd": "41000.1",
             "status": "warn"},
            {"scope": "workspace", "name": "Ops 🚀 EU", "workspace_id": OPS,
             "budget_usd": "15000", "actual_usd": "100", "projected_usd": None, "status": "ok"},
        ],
        "warnings": ["a warning"],
    }
