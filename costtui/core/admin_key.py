"""The Admin key as a secret type that only reveals itself at the call site."""

from __future__ import annotations

from typing import NoReturn

ADMIN_KEY_PREFIX = "sk-ant-admin"


class AdminKey:
    """An Admin API key whose str and repr are always masked."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        cleaned = secret.strip()
        if not cleaned:
            raise ValueError("the Admin key is empty")
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
        tail = self._secret[-3:] if len(self._secret) > 12 else ""
        prefix = "sk-ant-admin01-" if self._secret.startswith("sk-ant-admin01-") else ""
        if not prefix:
            prefix = "sk-ant-admin" if self.looks_like_admin_key else ""
        return f"{prefix}…{tail}"

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
