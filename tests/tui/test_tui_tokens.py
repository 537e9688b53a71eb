"""The token columns (t): fetched on demand, exact on the demo, cache figures by model."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.core.dates import DateRange
from costtui.core.focus import FOCUS_COLUMNS
from costtui.core.key_allocation import COMPUTING_KEYS
from costtui.core.report import total_cost
from costtui.core.token_level import token_columns
from costtui.core.token_view import Figures, FiguresJob, compute_figures
from costtui.core.usage_index import usage_index
from costtui.core.view_state import row_key_for
from costtui.data.demo import DemoApi, DemoOrganization
from costtui.data.demo_usage import usage_results
from costtui.tui.screens import cost_tokens
from costtui.tui.screens.dialogs import ExportScreen
from tests.tui_support import (
    NOW,
    cell,
    column_texts,
    make_app,
    notifications,
    rows_table,
    run_command,
    screen_text,
    total_line,
    wait_loaded,
    wait_until,
)

WEEK = DateRange(date(2026, 11, 10), date(2026, 11, 16))


def haiku35_week() -> tuple[int, Decimal]:
    """Return Claude Haiku 3.5's tokens and token cost (cents) in WEEK, from the raw demo."""
    org = DemoOrganization()
    tokens = sum(sum(count for count in (raw["uncached_input_tokens"], raw["output_tokens"],
                                         raw["cache_read_input_tokens"],
                                         *raw["cache_creation"].values()))
                 for day in WEEK.days() for raw in usage_results(org, day, ["model"])
                 if raw["model"] == "claude-3-5-haiku")
    cents = sum((Decimal(item["amount"]) for day in WEEK.days() for item in org.cost_items(day)
                 if item["model"] == "claude-3-5-haiku"), Decimal(0))
    return tokens, cents


def usage_requests(api: DemoApi) -> int:
    return sum(request.url.path.endswith("/usage_report/messages") for request in api.requests)


def column_keys(app: object) -> list[str]:
    return [str(key.value) for key in rows_table(app).columns]  # type: ignore[arg-type]


async def test_t_shows_tokens_and_usd_per_mtok_fetched_only_then() -> None:
    api = DemoApi()
    app = make_app(api, date_range=WEEK, drill_path=("model", "workspace"))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert usage_requests(api) == 0
        assert "tokens" not in column_keys(app)
        await pilot.press("t")
        await wait_until(pilot, lambda: cell(app, "claude-3-5-haiku", "tokens") != "…")
        assert usage_requests(api) == 1
        assert column_keys(app)[5:9] == ["tokens", "usd_per_mtok", "cache_hit", "cache_savings"]
        text = screen_text(app)
        assert "Tokens" in text and "$/MTok" in text and "Cache hit" in text
        assert "Est. saved" in text
        tokens, cents = haiku35_week()
        assert cell(app, "claude-3-5-haiku", "tokens") == f"{tokens:,}"
        assert cell(app, "claude-3-5-haiku", "usd_per_mtok") == f"${cents * 10_000 / tokens:.4f}"
        assert cell(app, "claude-3-5-haiku", "cache_hit").endswith("%")
        assert cell(app, "claude-3-5-haiku", "cache_savings").startswith("~$")
        assert total_line(app)[5].replace(",", "").isdigit()
        assert any("priority tier: not in the cost report" in note
                   for note in notifications(app))
        await pilot.press("enter")  # into one model: workspaces, still with tokens, by workspace
        await wait_until(pilot, lambda: "cache_hit" in column_keys(app))
        await pilot.press("t")
        await pilot.pause()
        assert "tokens" not in column_keys(app)
        await pilot.press("t")
        await pilot.pause()
        assert usage_requests(api) == 1  # the same range's usage is kept


async def test_token_type_level_shows_the_price_table_and_no_cache_columns() -> None:
    app = make_app(date_range=WEEK, drill_path=("token_type",))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await run_command(pilot, "token col", "Toggle token columns")
        await wait_until(pilot, lambda: cell(app, "output_tokens", "tokens") != "…")
        assert "cache_hit" not in column_keys(app)
        assert cell(app, row_key_for("cache_read_input_tokens"), "usd_per_mtok") != "—"
        assert cell(app, row_key_for(None), "tokens") == "0"
        assert cell(app, row_key_for(None), "usd_per_mtok") == "—"


async def test_days_within_the_lag_say_cost_pending() -> None:
    app = make_app(date_range=DateRange(date(2026, 11, 24), date(2026, 11, 24)),
                   drill_path=("model",))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: cell(app, "claude-sonnet-4-5", "tokens") != "…")
        assert cell(app, "claude-sonnet-4-5", "usd_per_mtok") == "cost pending"
        assert "cost pending" in screen_text(app)


async def test_focus_in_the_export_dialog_writes_every_line(tmp_path: Path) -> None:
    app = make_app(date_range=WEEK, drill_path=("model",), export_directory=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert "FOCUS costtui-2026-11-10_2026-11-16-focus.csv" in screen_text(app)
        await pilot.press("f")
        written = tmp_path / "costtui-2026-11-10_2026-11-16-focus.csv"
        await wait_until(pilot, written.exists)
        await wait_until(pilot, lambda: any("Exported" in n for n in notifications(app)))
        assert app.report is not None
        rows = list(csv.reader(io.StringIO(written.read_text())))
        assert tuple(rows[0]) == FOCUS_COLUMNS
        assert sum(Decimal(row[0]) for row in rows[1:]) == total_cost(app.report.items)
        assert any(row[16] == "Tokens" for row in rows[1:])


PROD_SEARCH_KEYS = [
    "[prod]-search-backend (sk-ant-api03-M9W…g7RA)",
    "[prod]-search-nightly-jobs (sk-ant-api03-Zzx…7FSP)",
    "[prod]-search-old-prototype (sk-ant-api03-KAT…0xNt)",
    "Console / Workbench",
]


async def test_api_key_level_allocates_each_workspace_exactly(tmp_path: Path) -> None:
    api = DemoApi()
    app = make_app(api, date_range=WEEK, drill_path=("workspace", "api_key", "model"),
                   export_directory=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        workspace = app.cost_screen.cursor_row()
        assert workspace is not None and workspace.label == "[prod] Search"
        assert usage_requests(api) == 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: cell(app, PROD_SEARCH_KEYS[0], "name") != "")
        level = app.cost_screen.level
        assert level is not None
        assert [row.label for row in level.rows] == PROD_SEARCH_KEYS
        assert sum(row.cost for row in level.rows) == workspace.cost
        assert sum(row.previous_cost for row in level.rows) == workspace.previous_cost
        assert "API keys allocated by tokens" in screen_text(app)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("j")
        written = tmp_path / "costtui-2026-11-10_2026-11-16-workspace-api-key.json"
        await wait_until(pilot, written.exists)
        document = json.loads(written.read_text())
        assert document["allocated"] is True
        assert document["allocation"] == "allocated by tokens"
        assert [row["api_key"] for row in document["rows"]] == PROD_SEARCH_KEYS


async def test_group_by_api_key_shows_console_and_unattributed() -> None:
    app = make_app(date_range=WEEK, drill_path=("workspace", "model"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        total = app.cost_screen.level.total if app.cost_screen.level else None
        await pilot.press("ctrl+p")
        await run_command(pilot, "group by api key", "Group by api key")
        await wait_until(pilot, lambda: app.cost_screen.level is not None and any(
            row.label == "(unattributed)" for row in app.cost_screen.level.rows))
        level = app.cost_screen.level
        assert level is not None and level.total == total
        labels = [row.label for row in level.rows]
        assert "Console / Workbench" in labels and len(labels) == 20
        unattributed = next(row for row in level.rows if row.label == "(unattributed)")
        org = DemoOrganization()
        assert unattributed.cost * 100 == sum(
            Decimal(item["amount"]) for day in WEEK.days() for item in org.cost_items(day)
            if item["cost_type"] in ("code_execution", "session_usage"))


async def test_tokens_at_the_api_key_level() -> None:
    app = make_app(date_range=WEEK, drill_path=("api_key", "model"))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: app.cost_screen.level is not None and any(
            row.label == "Console / Workbench" for row in app.cost_screen.level.rows))
        await wait_until(pilot, lambda: cell(app, "Console / Workbench", "tokens") != "…")
        assert cell(app, "Console / Workbench", "tokens").replace(",", "").isdigit()
        assert cell(app, "Console / Workbench", "usd_per_mtok").startswith("$")
        assert cell(app, "(unattributed)", "tokens") == "0"


class GatedFigures:
    """compute_figures held in its thread until the test lets each job go (no timing)."""

    def __init__(self) -> None:
        self.jobs: list[FiguresJob] = []
        self.gates: list[threading.Event] = []
        self.done: list[threading.Event] = []
        self._lock = threading.Lock()

    def __call__(self, job: FiguresJob, stopped: Callable[[], bool]) -> Figures | None:
        gate, done = threading.Event(), threading.Event()
        with self._lock:
            self.jobs.append(job)
            self.gates.append(gate)
            self.done.append(done)
        gate.wait(timeout=60)  # a safety valve for a failing test, not a timing
        try:
            return compute_figures(job, stopped)
        finally:
            done.set()

    def release_all(self) -> None:
        for gate in self.gates:
            gate.set()


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedFigures]:
    """Replace the cost view's figures computation by a gated one."""
    figures = GatedFigures()
    monkeypatch.setattr(cost_tokens, "compute_figures", figures)
    yield figures
    figures.release_all()


async def test_t_shows_placeholders_then_the_computed_figures(gated: GatedFigures) -> None:
    app = make_app(date_range=WEEK, drill_path=("model", "workspace"))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        costs = [row.cost for row in app.cost_screen.level.rows]  # type: ignore[union-attr]
        await pilot.press("t")
        await wait_until(pilot, lambda: len(gated.jobs) == 1)
        await pilot.pause()
        assert cell(app, "claude-3-5-haiku", "tokens") == "…"
        assert cell(app, "claude-3-5-haiku", "usd_per_mtok") == "…"
        assert total_line(app)[5:9] == ["…"] * 4
        assert [row.cost for row in app.cost_screen.level.rows] == costs  # type: ignore[union-attr]
        gated.gates[0].set()
        await wait_until(pilot, lambda: cell(app, "claude-3-5-haiku", "tokens") != "…")
        tokens, cents = haiku35_week()
        assert cell(app, "claude-3-5-haiku", "tokens") == f"{tokens:,}"
        assert cell(app, "claude-3-5-haiku", "usd_per_mtok") == f"${cents * 10_000 / tokens:.4f}"
        assert total_line(app)[5].replace(",", "").isdigit()


async def test_api_key_level_says_allocating_until_the_exact_parts_are_in(
    gated: GatedFigures,
) -> None:
    app = make_app(date_range=WEEK, drill_path=("workspace", "api_key", "model"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        workspace = app.cost_screen.cursor_row()
        assert workspace is not None and workspace.label == "[prod] Search"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(gated.jobs) == 1)
        await pilot.pause()
        level = app.cost_screen.level
        assert level is not None
        assert [(row.label, row.cost, row.previous_cost) for row in level.rows] == [
            (COMPUTING_KEYS, workspace.cost, workspace.previous_cost)]
        assert COMPUTING_KEYS in screen_text(app)
        gated.gates[0].set()
        await wait_until(pilot, lambda: app.cost_screen.level is not None and [
            row.label for row in app.cost_screen.level.rows] == PROD_SEARCH_KEYS)
        level = app.cost_screen.level
        assert sum(row.cost for row in level.rows) == workspace.cost
        assert sum(row.previous_cost for row in level.rows) == workspace.previous_cost
        assert COMPUTING_KEYS not in screen_text(app)


async def test_a_quick_second_level_never_shows_the_first_levels_figures(
    gated: GatedFigures,
) -> None:
    app = make_app(date_range=WEEK, drill_path=("model", "workspace"))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: len(gated.jobs) == 1)
        assert gated.jobs[0].state.dimension == "model"
        await pilot.press("ctrl+p")
        await run_command(pilot, "group by workspace", "Group by workspace")
        await wait_until(pilot, lambda: len(gated.jobs) == 2)
        assert gated.jobs[1].state.dimension == "workspace"
        gated.gates[0].set()  # the model level's figures are computed, for nobody
        await wait_until(pilot, gated.done[0].is_set)
        for _ in range(3):
            await pilot.pause()
        assert app.cost_screen.state.dimension == "workspace"
        assert set(column_texts(app, "tokens")) == {"…"}
        assert total_line(app)[5:9] == ["…"] * 4
        gated.gates[1].set()
        await wait_until(pilot, lambda: "…" not in column_texts(app, "tokens"))
        report, usage = app.cost_screen.report, app.cost_screen.usage
        assert report is not None and usage is not None
        expected = token_columns(report.lines, usage_index(usage[1]), "workspace", {}, NOW)
        keys = [str(row.key.value) for row in rows_table(app).ordered_rows]
        assert [[cell(app, key, name) for name, _ in expected.columns] for key in keys] == [
            list(expected.row(key)) for key in keys]
        assert total_line(app)[5:9] == list(expected.total)


async def test_figures_that_fail_are_a_notice_and_the_costs_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(job: FiguresJob, stopped: Callable[[], bool]) -> Figures | None:
        raise ValueError("join broke")

    monkeypatch.setattr(cost_tokens, "compute_figures", broken)
    app = make_app(date_range=WEEK, drill_path=("model", "workspace"))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        costs = [row.cost for row in app.cost_screen.level.rows]  # type: ignore[union-attr]
        await pilot.press("t")
        await wait_until(pilot, lambda: any("could not be computed" in note
                                            for note in notifications(app)))
        assert "Token figures could not be computed: join broke." in notifications(app)
        await wait_until(pilot, lambda: "tokens" not in column_keys(app))
        assert [row.cost for row in app.cost_screen.level.rows] == costs  # type: ignore[union-attr]
