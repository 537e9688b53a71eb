"""Settings file and per-user paths: config.toml profiles, read-only and validated."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

APP_NAME = "costtui"
CONFIG_FILE_NAME = "config.toml"
PROFILE_SETTINGS = ("base_url",)
"""Settings a `[profiles.NAME]` table may hold."""
SECRET_SETTINGS = ("admin_key", "api_key")
"""Names refused anywhere in the file: the key lives in the keyring or the environment."""


class ConfigError(Exception):
    """The config file cannot be used; the one-line message names the file and says what to do."""


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """Settings of one profile (one organisation)."""

    name: str
    base_url: str | None = None
    """API base URL for this profile; None means $ANTHROPIC_BASE_URL or the default."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything read from config.toml."""

    path: Path
    """The file the settings came from (it may not exist)."""
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)

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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        where = f"{path}, line {found['line']}" if found else str(path)
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        raise ConfigError(f"{where}: invalid TOML ({reason}); fix the file or remove it") from None
    return Config(path, _parse_profiles(data, _Source(path, text)))


_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class _Source:
    """The file being validated, to point errors at a line."""

    path: Path
    text: str

    def error(self, message: str, key: str, profile: str | None = None) -> ConfigError:
        """Build a ConfigError naming the file and, when found, the line that sets `key`."""
        lines = self.text.splitlines()
        start = 0
        if profile is not None:
            header = re.compile(rf"^\s*\[\s*profiles\s*\.\s*[\"']?{re.escape(profile)}[\"']?\s*\]")
            start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
        setting = re.compile(rf"^\s*(?:[\w\"'-]+\s*\.\s*)*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start, len(lines)):
            if setting.match(lines[number]):
                return ConfigError(f"{self.path}, line {number + 1}: {message}")
        return ConfigError(f"{self.path}: {message}")


def _parse_profiles(data: dict[str, Any], source: _Source) -> dict[str, ProfileSettings]:
    """Validate the parsed TOML and build the profiles."""
    _refuse_secrets(data, source)
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise source.error("'profiles' must be a table like [profiles.default]", "profiles")
    profiles: dict[str, ProfileSettings] = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise source.error(f"[profiles.{name}] must be a table of settings", name)
        _refuse_secrets(table, source, name)
        for setting in table:
            if setting not in PROFILE_SETTINGS:
                message = (
                    f"unknown setting {setting!r} in [profiles.{name}]; "
                    f"the known settings are {', '.join(PROFILE_SETTINGS)}"
                )
                raise source.error(message, setting, name)
        profiles[name] = ProfileSettings(name, _base_url(table.get("base_url"), source, name))
    return profiles


def _refuse_secrets(table: dict[str, Any], source: _Source, profile: str | None = None) -> None:
    """Raise ConfigError if a table holds a key; the message never repeats the value."""
    for key in SECRET_SETTINGS:
        if key in table:
            where = f" in [profiles.{profile}]" if profile else ""
            option = f" --profile {profile}" if profile else ""
            message = (
                f"{key!r}{where} is not allowed: the key is never kept in the config file; "
                f"remove it and run `costtui key set{option}` (or set ANTHROPIC_ADMIN_KEY)"
            )
            raise source.error(message, key, profile)


def _base_url(value: object, source: _Source, profile: str) -> str | None:
    """Check a base_url setting: an absolute http(s) URL, or absent."""
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        message = f'base_url in [profiles.{profile}] must be a URL like "https://api.anthropic.com"'
        raise source.error(message, "base_url", profile)
    return str(value).rstrip("/")
