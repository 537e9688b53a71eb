"""Start the TUI from command-line arguments: settings, key and source first, then App.run()."""

from __future__ import annotations

import argparse
from dataclasses import replace

from costtui.admin_key import AdminKey
from costtui.app_settings import AppSettings
from costtui.cli_common import CliError, dimensions_argument, profile_name, range_arguments
from costtui.config import ConfigError
from costtui.dates import DateRangeError, parse_range, utc_today
from costtui.report import UnknownDimensionError
from costtui.secrets import KeyringUnavailable, resolve_key
from costtui.source import CostSource
from costtui.view_state import DEFAULT_DRILL_PATH
from costtui.wiring import demo_client, live_client


def drill_path_from(args: argparse.Namespace) -> tuple[str, ...]:
    """Return the --group-by drill path if the command line has one, else the default."""
    return dimensions_argument(getattr(args, "group_by", None), DEFAULT_DRILL_PATH)


def settings_from(args: argparse.Namespace, key_note: str | None = None) -> AppSettings:
    """Return the session settings the arguments ask for."""
    today = utc_today()
    first_day, last_day = range_arguments(args)
    date_range = parse_range(first_day, last_day, today) if first_day or last_day else None
    return AppSettings(
        demo=bool(getattr(args, "demo", False)),
        profile=profile_name(args),
        date_range=date_range,
        drill_path=drill_path_from(args),
        today=today,
        key_note=key_note,
    )


def launch(args: argparse.Namespace) -> int:
    """Resolve the key (it may block on the keyring) before the app starts, then run it."""
    from costtui.app import CostApp

    try:
        settings = settings_from(args)
    except (DateRangeError, UnknownDimensionError) as error:
        raise CliError(str(error), exit_code=2) from None
    source: CostSource | None
    if settings.demo:
        source = demo_client()
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
        try:
            source = live_client(resolved_key, settings.profile) if resolved_key else None
        except (ConfigError, ValueError) as error:
            raise CliError(str(error)) from None

    def make_source(admin_key: AdminKey) -> CostSource:
        return live_client(admin_key, settings.profile)

    CostApp(source, settings, make_source=None if settings.demo else make_source).run()
    return 0
