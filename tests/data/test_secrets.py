"""Key lookup order, keyring failures, and config.toml validation (the key never goes there)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from costtui.core.admin_key import AdminKey
from costtui.data.config import (
    ConfigError,
    ProfileSettings,
    cache_dir,
    config_dir,
    config_path,
    load_config,
)
from costtui.data.secrets import (
    KEYRING_SERVICE,
    KeyringUnavailable,
    ResolvedKey,
    delete_key,
    keyring_available,
    resolve_key,
    store_key,
)
from tests.conftest import SENTINEL_KEY, MemoryKeyring

OTHER_KEY = "sk-ant-admin01-other-key-000000000000Zz0"


class BrokenKeyring(KeyringBackend):
    """A backend that fails like a D-Bus Secret Service gone away, quoting what it was given."""

    priority = 0.5  # type: ignore[assignment]

    def __init__(self, error: Callable[[str], Exception]) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error(password)

    def delete_password(self, service: str, username: str) -> None:
        raise self.error(username)


def dbus_error(detail: str) -> Exception:
    """Imitate a jeepney/dbus failure whose message echoes its input over two lines."""
    return RuntimeError(f"org.freedesktop.DBus.Error.ServiceUnknown: {detail}\nsecond line")


# --- resolution order -------------------------------------------------------------------------


def test_environment_wins_over_keyring(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    store_key("default", AdminKey(OTHER_KEY))
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", f"  {SENTINEL_KEY}\n")
    resolved = resolve_key("default")
    assert resolved == ResolvedKey(AdminKey(SENTINEL_KEY), "environment", None)


def test_explicit_env_mapping_replaces_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", OTHER_KEY)
    assert resolve_key("default", env={}).key is None
    resolved = resolve_key("default", env={"ANTHROPIC_ADMIN_KEY": SENTINEL_KEY})
    assert resolved.key == AdminKey(SENTINEL_KEY)


def test_blank_environment_variable_falls_through_to_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store_key("default", AdminKey(SENTINEL_KEY))
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "   ")
    assert resolve_key("default") == ResolvedKey(AdminKey(SENTINEL_KEY), "keyring", None)


def test_keyring_uses_service_costtui_and_profile_as_user(memory_keyring: MemoryKeyring) -> None:
    store_key("work", AdminKey(SENTINEL_KEY))
    assert memory_keyring.passwords == {(KEYRING_SERVICE, "work"): SENTINEL_KEY}
    assert KEYRING_SERVICE == "costtui"


def test_profiles_are_isolated() -> None:
    store_key("work", AdminKey(SENTINEL_KEY))
    store_key("home", AdminKey(OTHER_KEY))
    assert resolve_key("work").key == AdminKey(SENTINEL_KEY)
    assert resolve_key("home").key == AdminKey(OTHER_KEY)
    assert resolve_key("default") == ResolvedKey(None, None, None)
    assert delete_key("work") is True
    assert resolve_key("work").key is None
    assert resolve_key("home").key == AdminKey(OTHER_KEY)


def test_delete_tells_whether_there_was_a_key() -> None:
    assert delete_key("default") is False
    store_key("default", AdminKey(SENTINEL_KEY))
    assert delete_key("default") is True
    assert delete_key("default") is False


def test_resolved_key_repr_is_masked() -> None:
    store_key("default", AdminKey(SENTINEL_KEY))
    resolved = resolve_key("default")
    assert SENTINEL_KEY not in repr(resolved)
    assert SENTINEL_KEY not in str(resolved)
    assert "…" in repr(resolved)


# --- keyring failures -------------------------------------------------------------------------


def test_no_keyring_backend_is_reported_not_raised(no_keyring: KeyringBackend) -> None:
    resolved = resolve_key("default")
    assert resolved.key is None and resolved.source is None
    assert resolved.note is not None
    assert "NoKeyringError" in resolved.note
    assert "ANTHROPIC_ADMIN_KEY" in resolved.note
    assert "\n" not in resolved.note
    assert keyring_available() == (False, resolved.note)


def test_no_keyring_backend_still_allows_the_environment(
    no_keyring: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", SENTINEL_KEY)
    assert resolve_key("default") == ResolvedKey(AdminKey(SENTINEL_KEY), "environment", None)


def test_no_keyring_backend_refuses_store_and_delete(no_keyring: KeyringBackend) -> None:
    with pytest.raises(KeyringUnavailable, match="ANTHROPIC_ADMIN_KEY") as stored:
        store_key("default", AdminKey(SENTINEL_KEY))
    with pytest.raises(KeyringUnavailable, match="ANTHROPIC_ADMIN_KEY"):
        delete_key("default")
    assert SENTINEL_KEY not in str(stored.value)


def test_keyring_available_with_a_real_backend() -> None:
    assert keyring_available() == (True, None)


def test_null_backend_counts_as_unavailable() -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    available, note = keyring_available()
    assert available is False
    assert note is not None and "disabled" in note and "ANTHROPIC_ADMIN_KEY" in note
    with pytest.raises(KeyringUnavailable):
        store_key("default", AdminKey(SENTINEL_KEY))


def test_backend_exceptions_become_one_scrubbed_line() -> None:
    keyring.set_keyring(BrokenKeyring(dbus_error))
    with pytest.raises(KeyringUnavailable) as stored:
        store_key("default", AdminKey(SENTINEL_KEY))
    message = str(stored.value)
    assert "RuntimeError" in message and "ServiceUnknown" in message
    assert "ANTHROPIC_ADMIN_KEY" in message
    assert SENTINEL_KEY not in message
    assert "\n" not in message
    assert stored.value.__cause__ is None and stored.value.__suppress_context__
    resolved = resolve_key("default")
    assert resolved.key is None
    assert resolved.note is not None and "RuntimeError" in resolved.note


def test_locked_keyring_says_to_unlock() -> None:
    keyring.set_keyring(BrokenKeyring(lambda _: keyring.errors.KeyringLocked("locked")))
    note = resolve_key("default").note
    assert note is not None and "locked" in note and "ANTHROPIC_ADMIN_KEY" in note


def test_backend_detection_failure_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> KeyringBackend:
        raise keyring.errors.InitError("cannot start the backend")

    monkeypatch.setattr(keyring, "get_keyring", explode)
    assert keyring_available()[0] is False
    with pytest.raises(KeyringUnavailable, match="InitError"):
        delete_key("default")


# --- config.toml ------------------------------------------------------------------------------


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_follow_xdg_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config_path() == tmp_path / "config_home" / "costtui" / "config.toml"
    assert cache_dir() == tmp_path / "cache_home" / "costtui"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert config_dir() == tmp_path / "elsewhere" / "costtui"


def test_missing_config_gives_defaults() -> None:
    config = load_config()
    assert config.profiles == {}
    assert config.profile("work") == ProfileSettings("work", None)


def test_profiles_are_read() -> None:
    write_config('[profiles.default]\n\n[profiles.work]\nbase_url = "https://proxy.example.com/"\n')
    config = load_config()
    assert config.profile("default") == ProfileSettings("default", None)
    assert config.profile("work") == ProfileSettings("work", "https://proxy.example.com")


def test_broken_toml_names_file_and_line() -> None:
    path = write_config('[profiles.work]\nbase_url = "https://x\n')
    with pytest.raises(ConfigError) as error:
        load_config()
    message = str(error.value)
    assert message.startswith(f"{path}, line 2: invalid TOML")
    assert "fix the file or remove it" in message
    assert "\n" not in message


def test_wrong_type_names_file_and_line_of_the_right_profile() -> None:
    path = write_config(
        '[profiles.home]\nbase_url = "https://a.example.com"\n\n[profiles.work]\nbase_url = 5\n'
    )
    with pytest.raises(ConfigError, match=r"base_url in \[profiles\.work\] must be a URL") as error:
        load_config()
    assert str(error.value).startswith(f"{path}, line 5: ")


def test_an_unknown_profile_setting_is_a_warning_with_file_and_line() -> None:
    path = write_config('[profiles.work]\nbase-url = "https://x.example.com"\n')
    config = load_config()
    assert config.warnings == (
        f"{path}, line 2: unknown setting 'base-url' in [profiles.work] is ignored; the known "
        "settings are base_url, budgets",)
    assert config.profiles["work"].base_url is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('profiles = "work"\n', 1, "'profiles' must be a table"),
        ("[profiles]\nwork = 3\n", 2, "[profiles.work] must be a table"),
        ('[profiles.work]\nbase_url = "ftp://x.example.com"\n', 2, "must be a URL"),
    ],
)
def test_invalid_settings_are_explained(text: str, line: int, fragment: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).startswith(f"{path}, line {line}: ")
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        f'admin_key = "{SENTINEL_KEY}"\n',
        f'[profiles.work]\nbase_url = "https://a.example.com"\nadmin_key = "{SENTINEL_KEY}"\n',
        f'profiles.work.api_key = "{SENTINEL_KEY}"\n',
    ],
)
def test_a_key_in_the_config_is_refused_without_repeating_it(text: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError, match="costtui key set") as error:
        load_config()
    message = str(error.value)
    assert str(path) in message and ", line " in message
    assert SENTINEL_KEY not in message
    assert "ANTHROPIC_ADMIN_KEY" in message


def test_unreadable_config_is_a_config_error() -> None:
    config_path().mkdir(parents=True)
    with pytest.raises(ConfigError, match="cannot read .*config.toml"):
        load_config()
