"""Where the Admin API is: the base URL from the environment, the profile or the default."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from costtui.core.text import clean_text

DEFAULT_BASE_URL = "https://api.anthropic.com"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """Return the base URL without a trailing slash; refuse odd characters, credentials, and
    plain http off loopback."""
    stripped = url.strip()
    shown = clean_text(stripped)
    if any(ch.isspace() or not ch.isprintable() for ch in stripped):
        raise ValueError(
            f"base URL {shown!r} holds spaces or control characters: "
            "use https://api.anthropic.com"
        )
    not_http = f"base URL {shown!r} is not an http(s) URL: use https://api.anthropic.com"
    try:
        parts = urlsplit(stripped)
        hostname = parts.hostname
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        raise ValueError(not_http) from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise ValueError(not_http)
    if has_credentials:
        raise ValueError(
            "the base URL holds a user name or password: remove them "
            "(the Admin key is the only credential sent)"
        )
    if parts.scheme == "http" and not _is_loopback(hostname):
        raise ValueError(
            f"base URL {shown!r} uses plain http to a non-loopback host, which would expose "
            "the Admin key: use https"
        )
    return stripped.rstrip("/")


def resolve_base_url(profile_base_url: str | None = None) -> str:
    """Return $ANTHROPIC_BASE_URL, else the profile's base URL, else the public API."""
    chosen = os.environ.get("ANTHROPIC_BASE_URL") or profile_base_url or DEFAULT_BASE_URL
    return validate_base_url(chosen)
