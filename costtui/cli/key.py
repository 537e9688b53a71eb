"""`costtui key set|status|delete`: keep the Admin key in the OS keyring, verified first."""

from __future__ import annotations

import argparse
import asyncio
import functools
import getpass
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TextIO

import httpx

from costtui.cli.common import (
    CliError,
    print_error,
    print_warning,
    profile_name,
)
from costtui.core.admin_key import AdminKey
from costtui.core.clock import Clock
from costtui.core.models import DEFAULT_PROFILE, Organization
from costtui.data.api import ApiError, resolve_base_url
from costtui.data.config import ConfigError, load_config
from costtui.data.open import live_client
from costtui.data.secrets import (
    ADMIN_KEY_ENV,
    KeyringUnavailable,
    delete_key,
    keyring_available,
    keyring_name,
    resolve_key,
    store_key,
)

_P = ParamSpec("_P")

ADMIN_KEY_HELP = (
    "Admin keys start with sk-ant-admin and are created by organisation admins at "
    "Console → Settings → Admin keys; a normal sk-ant-api… key is refused with 403"
)
KEY_DESCRIPTION = (
    f"The key comes from ${ADMIN_KEY_ENV} when it is set, else from the OS keyring "
    "(service 'costtui', user name = profile). It is never written to the config file."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `key` command and its set, status and delete actions."""
    key_parser = subparsers.add_parser(
        "key", help="save, show or delete the Admin key", description=KEY_DESCRIPTION
    )
    actions = key_parser.add_subparsers(
        title="actions", metavar="ACTION", dest="key_action", required=True
    )
    set_parser = actions.add_parser(
        "set",
        help="verify an Admin key and save it in the OS keyring",
        description="Read the key from a hidden prompt (or one line of stdin when piped), "
        "check it with GET /v1/organizations/me, then save it in the OS keyring. "
        + ADMIN_KEY_HELP
        + ".",
    )
    set_parser.add_argument(
        "--no-verify", action="store_true", help="save without calling the API first"
    )
    set_parser.set_defaults(func=run_key_set)
    status_parser = actions.add_parser(
        "status",
        help="show where the key comes from and which organisation it opens",
        description="Show where the key comes from (masked) and the organisation it belongs "
        "to. Exits 1 when there is no key or the API does not accept it.",
    )
    status_parser.add_argument(
        "--no-verify", action="store_true", help="do not call the API to name the organisation"
    )
    status_parser.set_defaults(func=run_key_status)
    delete_parser = actions.add_parser(
        "delete", help="delete the profile's key from the OS keyring"
    )
    delete_parser.set_defaults(func=run_key_delete)
    for parser in (set_parser, status_parser, delete_parser):
        _add_profile_option(parser)


def _add_profile_option(parser: argparse.ArgumentParser) -> None:
    """Add --profile without a default, so `costtui --profile X key …` is not overwritten."""
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="profile (organisation) to use; default $COSTTUI_PROFILE or 'default'",
    )


def _one_line_errors(command: Callable[_P, int]) -> Callable[_P, int]:
    """Report a CliError as one stderr line and return its exit code instead of raising."""

    @functools.wraps(command)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> int:
        try:
            return command(*args, **kwargs)
        except CliError as error:
            print_error(str(error))
            return error.exit_code
        except KeyboardInterrupt:
            print_error("cancelled; nothing was changed")
            return 130

    return run


@_one_line_errors
def run_key_set(
    args: argparse.Namespace,
    clock: Clock | None = None,
    *,
    stdin: TextIO | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    base_url: str | None = None,
) -> int:
    """Read, verify and save the key; `transport` and `base_url` let tests avoid the network."""
    profile = profile_name(args)
    available, note = keyring_available()
    if not available:
        raise CliError(f"cannot save the key: {note}")
    verify = not getattr(args, "no_verify", False)
    if verify:
        base_url = base_url or _profile_base_url(profile)
    key = _read_key(sys.stdin if stdin is None else stdin)
    if not key.looks_like_admin_key:
        print_warning(f"this does not look like an Admin key: {ADMIN_KEY_HELP}")
    organization = None
    if verify and base_url:
        organization = _fetch_organization(key, base_url, transport, "the key was not saved")
    try:
        store_key(profile, key)
    except KeyringUnavailable as error:
        raise CliError(f"the key was not saved: {error}") from None
    checked = f"organisation: {_printable(organization.name)}" if organization else "not verified"
    print(f"Saved the Admin key for profile {profile!r} ({checked}).")
    if _key_in_environment():
        print_warning(f"{ADMIN_KEY_ENV} is set; while it is, it is used instead of the saved key")
    return 0


@_one_line_errors
def run_key_status(
    args: argparse.Namespace,
    clock: Clock | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    base_url: str | None = None,
) -> int:
    """Print where the key comes from, masked, and the organisation it opens."""
    profile = profile_name(args)
    resolved = resolve_key(profile)
    if resolved.key is None:
        how = resolved.note or f"run `{_set_command(profile)}` or set {ADMIN_KEY_ENV}"
        raise CliError(f"no Admin key for profile {profile!r}: {how}")
    origin = (
        f"the environment variable {ADMIN_KEY_ENV}"
        if resolved.source == "environment"
        else f"the OS keyring ({keyring_name()})"
    )
    print(f"Profile: {profile}")
    print(f"Key: {resolved.key.masked()} (from {origin})")
    if getattr(args, "no_verify", False):
        return 0
    base_url = base_url or _profile_base_url(profile)
    print(f"API: {base_url}")
    organization = _fetch_organization(resolved.key, base_url, transport, "cannot check the key")
    print(f"Organisation: {_printable(organization.name)} ({_printable(organization.id)})")
    return 0


@_one_line_errors
def run_key_delete(args: argparse.Namespace, clock: Clock | None = None) -> int:
    """Delete the profile's key from the keyring and say whether there was one."""
    profile = profile_name(args)
    try:
        deleted = delete_key(profile)
    except KeyringUnavailable as error:
        raise CliError(f"cannot delete the key: {error}") from None
    if deleted:
        print(f"Deleted the Admin key of profile {profile!r} from the OS keyring.")
    else:
        print(f"No Admin key was saved for profile {profile!r}; nothing to delete.")
    if _key_in_environment():
        print_warning(f"{ADMIN_KEY_ENV} is still set in the environment and is still used")
    return 0


MAX_PIPED_CHARS = 64 * 1024
"""More piped text than this is certainly not one key: stop reading."""


def _read_key(stream: TextIO | None) -> AdminKey:
    """Read the key from a hidden prompt on a terminal, else exactly one line of piped stdin."""
    try:
        if stream is not None and stream.isatty():
            lines = [getpass.getpass("Admin key (input hidden): ")]
        else:
            text = stream.read(MAX_PIPED_CHARS + 1) if stream is not None else ""
            lines = [line for line in text.splitlines() if line.strip()]
    except EOFError:
        lines = []
    except UnicodeDecodeError:
        raise CliError("the key holds bytes that are not text: copy it again from the "
                       "Console") from None
    if not lines or not lines[0].strip():
        raise CliError(
            "no key given: paste the Admin key at the prompt, or pipe it on stdin "
            "(e.g. `pass show anthropic-admin | costtui key set`)"
        )
    if len(lines) > 1:
        raise CliError(
            f"stdin held {len(lines)} non-empty lines; pipe exactly one line: the key alone"
        )
    try:
        return AdminKey(lines[0])
    except ValueError as error:
        raise CliError(f"{error}; nothing was saved") from None


def _profile_base_url(profile: str) -> str:
    """Return the API base URL for a profile: $ANTHROPIC_BASE_URL, config.toml, or default."""
    try:
        return resolve_base_url(load_config().profile(profile).base_url)
    except (ConfigError, ValueError) as error:
        raise CliError(str(error)) from None


def _fetch_organization(
    key: AdminKey, base_url: str, transport: httpx.AsyncBaseTransport | None, failure: str
) -> Organization:
    """Call GET /v1/organizations/me with the key, turning any failure into a CliError."""

    async def fetch() -> Organization:
        async with live_client(key, DEFAULT_PROFILE, transport, base_url=base_url) as client:
            return await client.organization()

    try:
        return asyncio.run(fetch())
    except (ApiError, ValueError) as error:
        reason = str(error).replace(key.reveal(), key.masked())
    except httpx.HTTPError as error:
        reason = f"{type(error).__name__} while talking to {base_url}"
    raise CliError(f"{failure}: {reason}")


def _set_command(profile: str) -> str:
    """Return the `costtui key set` command line for a profile."""
    return "costtui key set" + ("" if profile == DEFAULT_PROFILE else f" --profile {profile}")


def _key_in_environment() -> bool:
    """Tell whether $ANTHROPIC_ADMIN_KEY is set, which wins over the keyring."""
    return bool(os.environ.get(ADMIN_KEY_ENV, "").strip())


def _printable(text: str) -> str:
    """Drop control characters from API-provided text before printing it."""
    return "".join(ch for ch in text if ch.isprintable())
