"""Untrusted text made safe to show: control characters made visible, keys masked.

Every string from the network, the cache or the config passes `clean_text` where it enters
costtui. A character that a terminal, a CSV reader or a bidi-aware viewer would act on, rather
than show, is replaced by its visible escape: `\\x1b` for ESC (C0, DEL and C1 controls, two hex
digits), `\\u202e` for a bidi override, line separator or lone surrogate (four hex digits). The
escape is made only of printable ASCII, so cleaning twice changes nothing.
"""

from __future__ import annotations

import re
from sys import intern

from costtui.core.admin_key import ADMIN_KEY_PREFIX, mask_key

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 (TAB, LF and CR included), DEL, C1
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff]"  # lone surrogates (JSON can carry them; no encoder can write them)
)
_KEY = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
"""Anything that looks like an Anthropic key (Admin or API)."""
MIN_SECRET_LENGTH = 20
"""Shorter matches are prefixes ("sk-ant-api…", a masked "sk-ant-admin01-…"): nothing to hide."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean_text(text: str) -> str:
    """Return the text with every control, bidi or surrogate character replaced by its escape."""
    return _UNSAFE.sub(_visible, text)


_SHARED: dict[str, str] = {}
"""Texts seen so far, cleaned and interned: the same few hundred names repeat on every day."""
_MAX_SHARED = 100_000


def shared_clean_text(text: str) -> str:
    """Return `clean_text(text)` as one shared (interned) copy, remembering it for next time."""
    cleaned = _SHARED.get(text)
    if cleaned is None:
        cleaned = intern(clean_text(text))
        if len(_SHARED) < _MAX_SHARED:
            _SHARED[text] = cleaned
    return cleaned


def clean_optional(text: str | None) -> str | None:
    """Return `clean_text(text)`, keeping None as None."""
    return None if text is None else clean_text(text)


def _masked(match: re.Match[str]) -> str:
    secret = match.group()
    if len(secret) < MIN_SECRET_LENGTH:
        return secret
    if secret.startswith(ADMIN_KEY_PREFIX):
        return mask_key(secret)
    tail = secret[-3:] if len(secret) > 12 else ""
    return f"sk-ant-…{tail}"


def mask_secrets(text: str, *secrets: str) -> str:
    """Return the text with the given secrets and anything shaped like a key masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_key(secret))
    return _KEY.sub(_masked, text)


def safe_line(text: str, *secrets: str) -> str:
    """Return text fit for one line of output: controls made visible, keys masked."""
    return mask_secrets(clean_text(text), *secrets)
