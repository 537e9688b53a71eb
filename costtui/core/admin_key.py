"""The Admin key as a secret type that only reveals itself at the call site."""

from __future__ import annotations

from typing import NoReturn

ADMIN_KEY_PREFIX = "sk-ant-admin"
MAX_KEY_LENGTH = 512
"""Longer text is no key (real ones are about 100 characters); it would fail every request."""


def key_problem(text: str) -> str | None:
    """Say what is wrong with a key's text, never repeating it, or return None when usable."""
    if not text:
        return "the Admin key is empty"
    if len(text) > MAX_KEY_LENGTH:
        return (f"the key is {len(text)} characters long, more than the {MAX_KEY_LENGTH} a key "
                "can have: copy the key alone again from the Console")
    if any(ch.isspace() for ch in text):
        return "the key holds spaces or line breaks inside it: copy it again, the key alone"
    if not (text.isascii() and text.isprintable()):
        return ("the key holds characters that are not plain printable ASCII: copy it again "
                "from the Console")
    return None


def mask_key(secret: str) -> str:
    """Return a display form of a key: the prefix and the last three characters."""
    tail = secret[-3:] if len(secret) > 12 else ""
    prefix = "sk-ant-admin01-" if secret.startswith("sk-ant-admin01-") else ""
    if not prefix:
        prefix = ADMIN_KEY_PREFIX if secret.startswith(ADMIN_KEY_PREFIX) else ""
    return f"{prefix}…{tail}"


class AdminKey:
    """An Admin API key whose str and repr are always masked."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        cleaned = secret.strip()
        problem = key_problem(cleaned)
        if problem:
            raise ValueError(problem)
        self._secret = cleaned

    def reveal(self) -> str:
        """Return the secret itself; call only where a request header is built."""
        return self._secret

    @property
    def looks_like_admin_key(self) -> bool:
        """Tell whether the key has the Admin key prefix (normal API keys get 403s)."""
        return self._secret.startswith(ADMIN_KEY_PREFIX)

    def masked(self) -> str:
        """Return a display form that shows the prefix and the last three characters."""
        return mask_key(self._secret)

    def __repr__(self) -> str:
        return f"AdminKey({self.masked()!r})"

    def __str__(self) -> str:
        return self.masked()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdminKey) and other._secret == self._secret

    def __hash__(self) -> int:
        return hash(("AdminKey", self._secret))

    def __reduce__(self) -> NoReturn:
        raise TypeError("an AdminKey cannot be pickled")
