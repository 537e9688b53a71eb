"""Unit tests of names for people, accent-free matching, sub-cent money and the by-day Δ."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from costtui.core.formatting import format_change, format_money
from costtui.core.lines import CostLines
from costtui.core.names import fold, matches, short_description, token_type_label
from costtui.core.view_export import view_rows
from costtui.core.view_state import ViewState, breadcrumb, compute_level
from tests.core.test_view_state import RANGE, item, report


def test_a_quiet_day_is_a_row_and_keeps_its_previous_period_cost() -> None:
    """March 2 has no cost, yet its row is there with the $4.70 of Feb 28 before it."""
    quiet_second_day = replace(report(), lines=CostLines.from_items(
        (each for each in report().items if each.day == date(2026, 3, 1)), RANGE.days()))
    level = compute_level(quiet_second_day, ViewState(drill_path=("day",)))
    rows = {row.value: (row.cost, row.previous_cost) for row in level.rows}
    assert rows == {"2026-03-01": (Decimal("10.505"), Decimal(5)),
                    "2026-03-02": (Decimal(0), Decimal("4.7"))}
    assert level.group_count == 2


def test_the_change_total_is_the_same_at_every_level_of_a_view() -> None:
    quiet_second_day = replace(report(), lines=CostLines.from_items(
        (each for each in report().items if each.day == date(2026, 3, 1)), RANGE.days()))
    totals = {
        dimension: compute_level(quiet_second_day, ViewState(drill_path=(dimension,)))
        for dimension in ("workspace", "day", "model", "token_type")
    }
    assert {(level.shown_total, level.shown_previous_total) for level in totals.values()} == {
        (Decimal("10.505"), Decimal("9.7"))}


def test_token_types_get_human_labels_and_unknown_ones_stay() -> None:
    assert [token_type_label(value) for value in (
        "uncached_input_tokens", "output_tokens", "cache_read_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens", "cache_creation.ephemeral_1h_input_tokens",
        "audio_tokens")] == [
        "Input", "Output", "Cache read", "Cache write 5m", "Cache write 1h", "audio_tokens"]
    level = compute_level(report(), ViewState(drill_path=("token_type",)))
    assert sorted(row.label for row in level.rows) == ["(no token type)", "Input", "Output"]


def test_exports_keep_the_api_token_type_values() -> None:
    rows = view_rows(report(), ViewState(drill_path=("token_type",)))
    assert {row.values[-1] for row in rows.rows} == {
        "output_tokens", "uncached_input_tokens", None}


def test_a_description_loses_its_model_prefix_once_the_model_is_drilled_into() -> None:
    assert short_description("Claude Opus 4.6 Usage - Cache Write (5m), Batch") == (
        "Cache Write (5m), Batch")
    assert short_description("Web Search Usage") == "Web Search Usage"
    described = replace(report(), lines=CostLines.from_items((
        replace(item(date(2026, 3, 1), "100", "ws_a", "sonnet"),
                description="Claude Sonnet 4.5 Usage - Output Tokens"),), RANGE.days()),
        previous_lines=CostLines.from_items((), RANGE.previous().days()))
    top = compute_level(described, ViewState(drill_path=("description",)))
    assert [row.label for row in top.rows] == ["Claude Sonnet 4.5 Usage - Output Tokens"]
    under_model = ViewState(drill_path=("model", "description")).drill("sonnet")
    assert [row.label for row in compute_level(described, under_model).rows] == [
        "Output Tokens"]
    deeper = ViewState(drill_path=("model", "token_type", "workspace")).drill("sonnet").drill(
        "cache_read_input_tokens")
    assert breadcrumb(deeper, {}) == ["All costs", "sonnet", "Cache read", "by workspace"]


def test_the_filter_ignores_case_and_accents() -> None:
    assert fold("Données & Modèles") == "donnees & modeles"
    assert matches("modele", "Données & Modèles") and matches("MODÈLE", "donnees modeles")
    assert not matches("model x", "Modèles") and matches("  ", "anything")
    accented = replace(report(), workspace_names={**report().workspace_names,
                                                  "ws_a": "Données & Modèles"})
    level = compute_level(accented, ViewState(text_filter="modele"))
    assert [row.label for row in level.rows] == ["Données & Modèles"]
    assert [row.values for row in view_rows(accented, ViewState(text_filter="modele")).rows] == [
        ("ws_a",)]


def test_amounts_under_a_cent_are_not_shown_as_nothing() -> None:
    assert format_money(Decimal("0.004")) == "<$0.01"
    assert format_money(Decimal("-0.001")) == "-<$0.01"
    assert format_money(Decimal("0.005")) == "<$0.01"  # half-even rounds it to $0.00
    assert format_money(Decimal("0.0051")) == "$0.01"
    assert format_money(Decimal(0)) == "$0.00"
    assert format_money(Decimal("1234.5")) == "$1,234.50"
    assert format_change(Decimal("1.004"), Decimal(1)) == ("+<$0.01", "+0.4%")
