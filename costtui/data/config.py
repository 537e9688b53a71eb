"""Settings file and per-user paths: config.toml profiles, read-only and validated."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from costtui.core.budgets import BudgetConfigError, Budgets, parse_budgets
from costtui.core.text import clean_text

APP_NAME = "costtui"
CONFIG_FILE_NAME = "config.toml"
PROFILE_SETTINGS = ("base_url", "budgets")
"""Settings a `[profiles.NAME]` table may hold."""
SECRET_SETTINGS = ("admin_key", "api_key", "key", "anthropic_admin_key", "anthropic_api_key")
"""Names refused anywhere in the file (any case, - or _): the key lives in the keyring or env."""
KEY_MARKER = "sk-ant-"
"""A value holding this looks like a key and is refused, whatever its name."""


class ConfigError(Exception):
    """The config file cannot be used; the one-line message names the file and says what to do."""


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """Settings of one profile (one organisation)."""

    name: str
    base_url: str | None = None
    """API base URL for this profile; None means $ANTHROPIC_BASE_URL or the default."""
    budgets: Budgets = field(default_factory=Budgets)
    """Monthly budgets of `[profiles.NAME.budgets]`; empty when the table is absent."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything read from config.toml."""

    path: Path
    """The file the settings came from (it may not exist)."""
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """One line per unknown name in the file, naming the file and line."""

    def profile(self, name: str) -> ProfileSettings:
        """Return the settings of a profile, or defaults when the file does not mention it."""
        return self.profiles.get(name) or ProfileSettings(name)


def config_dir() -> Path:
    """Return the per-user config directory (honours XDG_CONFIG_HOME), computed now."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Return the per-user cache directory (honours XDG_CACHE_HOME), computed now."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """Return the path of config.toml."""
    return config_dir() / CONFIG_FILE_NAME


def load_config(path: Path | None = None) -> Config:
    """Read and validate config.toml; a missing file gives defaults, a bad one ConfigError."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read {path}: {reason}; fix the file or remove it") from None
    if sys.version_info >= (3, 11):  # imported only when there is a file to read
        import tomllib
    else:  # pragma: no cover - exercised only on Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        where = f"{path}, line {found['line']}" if found else str(path)
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        raise ConfigError(f"{where}: invalid TOML ({reason}); fix the file or remove it") from None
    source = _Source(path, text)
    _refuse_key_values(data, source)
    profiles, profile_warnings = _parse_profiles(data, source)
    warnings = tuple(
        source.locate(
            f"unknown setting {clean_text(name)!r} is ignored; the file holds only "
            "[profiles.NAME] tables with base_url and budgets",
            name,
        )
        for name in data
        if name != "profiles"
    )
    return Config(path, profiles, warnings + profile_warnings)


_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class _Source:
    """The file being validated, to point errors at a line."""

    path: Path
    text: str

    def error(self, message: str, key: str, profile: str | None = None) -> ConfigError:
        """Build a ConfigError naming the file and, when found, the line that sets `key`."""
        return ConfigError(self.locate(message, key, profile))

    def locate(self, message: str, key: str, profile: str | None = None) -> str:
        """Return the message prefixed with the file and, when found, the line that sets `key`."""
        lines = self.text.splitlines()
        start = 0
        if profile is not None:
            header = re.compile(rf"^\s*\[\s*profiles\s*\.\s*[\"']?{re.escape(profile)}[\"']?\s*\]")
            start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
        setting = re.compile(rf"^\s*(?:[\w\"'-]+\s*\.\s*)*[\"']?{re.escape(key)}[\"']?\s*="
                             rf"|^\s*\[+\s*[\"']?{re.escape(key)}[\"']?\s*[\].]")
        for number in range(start, len(lines)):
            if setting.match(lines[number]):
                return f"{self.path}, line {number + 1}: {message}"
        return f"{self.path}: {message}"


def _parse_profiles(
    data: dict[str, Any], source: _Source
) -> tuple[dict[str, ProfileSettings], tuple[str, ...]]:
    """Validate the parsed TOML and build the profiles; unknown settings become warnings."""
    _refuse_secrets(data, source)
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise source.error("'profiles' must be a table like [profiles.default]", "profiles")
    profiles: dict[str, ProfileSettings] = {}
    warnings: list[str] = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise source.error(f"[profiles.{name}] must be a table of settings", name)
        _refuse_secrets(table, source, name)
        warnings += [
            source.locate(f"unknown setting {clean_text(setting)!r} in "
                          f"[profiles.{clean_text(name)}] is ignored; the known settings are "
                          f"{', '.join(PROFILE_SETTINGS)}", setting, name)
            for setting in table if setting not in PROFILE_SETTINGS
        ]
        try:
            budgets = parse_budgets(table.get("budgets"), clean_text(name))
        except BudgetConfigError as error:
            raise source.error(str(error), error.key, name) from None
        profiles[name] = ProfileSettings(name, _base_url(table.get("base_url"), source, name),
                                         budgets)
        if clean_text(name) != name:
            raise source.error("a profile name holds control characters: rename it", name)
    return profiles, tuple(warnings)


def _refuse_secrets(table: dict[str, Any], source: _Source, profile: str | None = None) -> None:
    """Raise ConfigError if a table holds a key; the message never repeats the value."""
    for key in table:
        if key.lower().replace("-", "_") in SECRET_SETTINGS:
            where = f" in [profiles.{profile}]" if profile else ""
            option = f" --profile {profile}" if profile else ""
            message = (
                f"{key!r}{where} is not allowed: the key is never kept in the config file; "
                f"remove it and run `costtui key set{option}` (or set ANTHROPIC_ADMIN_KEY)"
            )
            raise source.error(message, key, profile)


def _refuse_key_values(value: object, source: _Source, name: str = "", profile: str | None = None,
                       ) -> None:
    """Raise ConfigError if any value, however nested, looks like a key (never repeating it)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            inner_profile = key if name == "profiles" and isinstance(inner, dict) else profile
            _refuse_key_values(inner, source, key, inner_profile)
    elif isinstance(value, list):
        for inner in value:
            _refuse_key_values(inner, source, name, profile)
    elif isinstance(value, str) and KEY_MARKER in value:
        message = (
            f"{clean_text(name)!r} holds what looks like an Anthropic key ({KEY_MARKER}…), which "
            "is never kept in the config file: remove it and run `costtui key set` "
            "(or set ANTHROPIC_ADMIN_KEY)"
        )
        raise source.error(message, name, profile)


def _base_url(value: object, source: _Source, profile: str) -> str | None:
    """Check a base_url setting: an absolute http(s) URL without credentials, or absent."""
    if value is None:
        return None
    where = f"base_url in [profiles.{clean_text(profile)}]"
    if isinstance(value, str) and any(ch.isspace() or not ch.isprintable() for ch in value):
        raise source.error(f"{where} holds spaces or control characters", "base_url", profile)
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        has_credentials = parts is not None and (parts.username or parts.password) is not None
    except ValueError:
        parts, has_credentials = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        message = f'{where} must be a URL like "https://api.anthropic.com"'
        raise source.error(message, "base_url", profile)
    if has_credentials:
        message = f"{where} holds a user name or password: remove them (never put secrets here)"
        raise source.error(message, "base_url", profile)
    return str(value).rstrip("/")
