"""Start the TUI from command-line arguments: settings, key and source first, then App.run()."""

from __future__ import annotations

import argparse
import gc
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from costtui.cli.common import (
    CliError,
    dimensions_argument,
    print_note,
    profile_name,
    range_arguments,
    source_options,
)
from costtui.core.admin_key import AdminKey
from costtui.core.budgets import Budgets, parse_budgets
from costtui.core.clock import Clock
from costtui.core.dates import DateRange, DateRangeError, choose_range, preset_range
from costtui.core.report import UnknownDimensionError
from costtui.core.view_state import DEFAULT_DRILL_PATH
from costtui.data.config import ConfigError, load_config
from costtui.data.demo_org import DEMO_BUDGETS, DemoOrganization, demo_spike_day
from costtui.data.demo_source import API_GROUPINGS, DemoSource
from costtui.data.source import CostSource
from costtui.data.source_options import SourceFactory, SourceOptions
from costtui.data.state import UserState, load_state
from costtui.tui.settings import DEFAULT_PRESET, AppSettings

if TYPE_CHECKING:
    from costtui.tui.app import CostApp


def remembered_view(args: argparse.Namespace) -> UserState:
    """Return the view remembered from last time, or nothing with --reset-view."""
    if getattr(args, "reset_view", False):
        return UserState()
    remembered, note = load_state()
    if note:
        print_note(note)
    return remembered


def remembered_range(remembered: UserState, today: date) -> DateRange | None:
    """Return last time's range: its preset as of today, or its typed days (up to today)."""
    if remembered.preset is not None:
        return preset_range(remembered.preset, today)
    custom = remembered.custom_range
    if custom is None or custom.first_day > today:
        return None
    return DateRange(custom.first_day, min(custom.last_day, today))


def settings_from(
    args: argparse.Namespace, clock: Clock, key_note: str | None = None
) -> AppSettings:
    """Return the session settings the arguments ask for."""
    today = clock.today()
    first_day, last_day = range_arguments(args)
    date_range = None
    if first_day or last_day:
        chosen = choose_range(first_day, last_day, today)
        date_range = chosen.date_range
        if chosen.note:
            print_note(chosen.note)
    options = source_options(args)
    remembered = remembered_view(args)
    drill_path = remembered.drill_path or DEFAULT_DRILL_PATH
    return AppSettings(
        demo=options.demo,
        offline=options.offline and not options.demo,
        profile=profile_name(args),
        date_range=date_range or remembered_range(remembered, today),
        drill_path=dimensions_argument(getattr(args, "group_by", None), drill_path),
        sort_column=remembered.sort_column or "cost",
        sort_descending=True if remembered.sort_descending is None else remembered.sort_descending,
        theme=remembered.theme,
        remember_view=True,
        clock=clock,
        key_note=key_note,
    )


def budgets_by_profile(settings: AppSettings) -> dict[str, Budgets]:
    """Return every profile's budgets from config.toml, or the demo's under --demo."""
    if settings.demo:
        return {settings.profile: parse_budgets(DEMO_BUDGETS, "demo")}
    return {name: profile.budgets for name, profile in load_config().profiles.items()}


def source_factory(options: SourceOptions, clock: Clock) -> SourceFactory:
    """Return how the app builds a profile's source: the cache in front of the live API.

    Offline, the cache alone (the key is ignored); with --no-cache, the live API alone.
    """

    from costtui.data.open import open_source

    def make_source(admin_key: AdminKey | None, profile: str) -> CostSource:
        offline = options.offline or admin_key is None
        return open_source(replace(options, profile=profile, offline=offline), admin_key, clock)

    return make_source


def demo_source(clock: Clock) -> DemoSource:
    """Return the demo organisation, its spike seeded near today (no httpx until needed)."""
    return DemoSource(DemoOrganization(spike_day=demo_spike_day(clock.today())))


def launch(args: argparse.Namespace, clock: Clock) -> int:
    """Build the app (the key lookup may block on the keyring), then run it.

    Start-up makes long-lived objects (modules, classes, the source, the widgets): the cyclic
    garbage collector is paused while they are made, until the app's view is up (the app then
    freezes them out of its later passes and resumes it).
    """
    gc.disable()
    try:
        app = build_app(args, clock)
        gc.freeze()
        app.run()
    finally:
        gc.enable()  # if the app stopped before its view was up
    return 0


def build_app(args: argparse.Namespace, clock: Clock) -> CostApp:
    """Build the app with its settings and source, before it starts.

    The demo is never cached; --offline reads only the cache and looks no key up.
    """
    try:
        settings = settings_from(args, clock)
    except (DateRangeError, UnknownDimensionError) as error:
        raise CliError(str(error), exit_code=2) from None
    options = source_options(args)
    try:
        settings = replace(settings, budgets=budgets_by_profile(settings))
    except ConfigError as error:
        raise CliError(str(error)) from None
    if settings.demo:
        demo = demo_source(clock)
        # Its first report (the range shown and the one before) is made in a thread from now
        # on, while Textual is imported and the app starts.
        shown = settings.date_range or preset_range(DEFAULT_PRESET, clock.today())
        demo.prepare_report(shown, API_GROUPINGS, clock)
        from costtui.tui.app import CostApp

        return CostApp(demo, settings)
    from costtui.data.secrets import KeyringUnavailable, resolve_key
    from costtui.tui.app import CostApp

    make_source = source_factory(options, clock)
    source: CostSource | None = None
    try:
        if settings.offline:
            source = make_source(None, settings.profile)
        else:
            resolved_key: AdminKey | None = None
            note: str | None
            try:
                resolved = resolve_key(settings.profile)
            except KeyringUnavailable as error:
                note = str(error)
            else:
                resolved_key, note = resolved.key, resolved.note
            settings = replace(settings, key_note=note)
            source = make_source(resolved_key, settings.profile) if resolved_key else None
    except (ConfigError, ValueError) as error:
        raise CliError(str(error)) from None
    return CostApp(source, settings, make_source=make_source)
