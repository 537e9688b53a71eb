"""Where the Admin key comes from: $ANTHROPIC_ADMIN_KEY first, then the OS keyring.

Keyring calls may block (D-Bus, a locked keychain): call them before `App.run()` or in a
`@work(thread=True)` worker, never on the UI thread. keyring itself is imported at the first
keyring call, so start-up paths that never need it (the demo, an env key) do not load it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from costtui.core.admin_key import AdminKey

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

ADMIN_KEY_ENV = "ANTHROPIC_ADMIN_KEY"
KEYRING_SERVICE = "costtui"
"""Keyring service name; the keyring user name is the profile name."""

KeySource = Literal["environment", "keyring"]

_T = TypeVar("_T")


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used; the one-line message says why and never holds the key."""

    def __init__(self, reason: str, advice: str) -> None:
        super().__init__(f"{reason}: {advice}")
        self.reason = reason
        """What went wrong, without the way forward."""


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """The key found for a profile, where it came from, and any keyring problem met."""

    key: AdminKey | None
    source: KeySource | None
    note: str | None = None
    """One line explaining a keyring problem (naming ANTHROPIC_ADMIN_KEY), else None."""


def resolve_key(profile: str, env: Mapping[str, str] | None = None) -> ResolvedKey:
    """Return the key from $ANTHROPIC_ADMIN_KEY, else from the keyring, else none with a note."""
    from_env = (os.environ if env is None else env).get(ADMIN_KEY_ENV, "").strip()
    if from_env:
        try:
            return ResolvedKey(AdminKey(from_env), "environment")
        except ValueError as error:
            return ResolvedKey(None, None, f"{ADMIN_KEY_ENV} is not usable: {error}")
    try:
        stored = _call(lambda backend: backend.get_password(KEYRING_SERVICE, profile))
    except KeyringUnavailable as exc:
        return ResolvedKey(None, None, str(exc))
    if stored is None or not stored.strip():
        return ResolvedKey(None, None)
    try:
        return ResolvedKey(AdminKey(stored), "keyring")
    except ValueError as error:
        return ResolvedKey(None, None, f"the key saved in the keyring is not usable ({error}); "
                                       f"run `costtui key set` to replace it")


def store_key(profile: str, key: AdminKey) -> None:
    """Save the key in the keyring under the profile's name, or raise KeyringUnavailable."""
    secret = key.reveal()
    _call(lambda backend: backend.set_password(KEYRING_SERVICE, profile, secret), secret)


def delete_key(profile: str) -> bool:
    """Remove the profile's key from the keyring and tell whether there was one."""

    def delete(backend: KeyringBackend) -> bool:
        if backend.get_password(KEYRING_SERVICE, profile) is None:
            return False
        backend.delete_password(KEYRING_SERVICE, profile)
        return True

    return _call(delete)


def keyring_available() -> tuple[bool, str | None]:
    """Tell whether a usable keyring backend is installed, with a one-line note if not."""
    try:
        _call(lambda backend: None)
    except KeyringUnavailable as exc:
        return False, str(exc)
    return True, None


def keyring_name() -> str:
    """Return a display name of the keyring backend in use."""
    try:
        return _call(lambda backend: str(backend.name))
    except KeyringUnavailable:
        return "no keyring"


def _call(operation: Callable[[KeyringBackend], _T], secret: str | None = None) -> _T:
    """Run one keyring operation, turning every backend failure into KeyringUnavailable."""
    import keyring
    import keyring.errors

    try:
        backend = keyring.get_keyring()
        _check_usable(backend)
        return operation(backend)
    except KeyringUnavailable:
        raise
    except keyring.errors.NoKeyringError:
        raise _no_backend() from None
    except keyring.errors.KeyringLocked:
        reason = "the keyring is locked (keyring.errors.KeyringLocked)"
        raise KeyringUnavailable(reason, f"unlock it, or set {ADMIN_KEY_ENV}") from None
    except Exception as exc:  # backends raise D-Bus, OS and RuntimeError failures too
        advice = f"set {ADMIN_KEY_ENV}, or repair the keyring backend"
        raise KeyringUnavailable(_describe(exc, secret), advice) from None


def _no_backend() -> KeyringUnavailable:
    """Build the error for a machine without a keyring backend (CI, containers, SSH)."""
    return KeyringUnavailable(
        "no keyring backend on this machine (keyring.errors.NoKeyringError)",
        f"set {ADMIN_KEY_ENV} or install a backend such as keyrings.alt",
    )


def _check_usable(backend: KeyringBackend) -> None:
    """Refuse the fail and null backends, which cannot keep a key."""
    kind = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if kind == "keyring.backends.fail.Keyring":
        raise _no_backend()
    if kind == "keyring.backends.null.Keyring":
        advice = f"set {ADMIN_KEY_ENV} or configure another keyring backend"
        raise KeyringUnavailable(f"the keyring is disabled ({kind})", advice)


def _describe(exc: Exception, secret: str | None) -> str:
    """Describe a backend failure in one line, scrubbed of the secret."""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
    detail = next(iter(str(exc).strip().splitlines()), "")
    if secret:
        detail = detail.replace(secret, "…")
    detail = f": {detail[:160]}" if detail else ""
    return f"the keyring failed ({kind}{detail})"
