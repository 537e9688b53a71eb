"""Builds the cost source a command asked for: the demo organisation or the live API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from costtui.admin_key import AdminKey
from costtui.api import CostClient, resolve_base_url
from costtui.config import load_config
from costtui.demo import DEMO_BASE_URL, DEMO_KEY, DemoTransport


@dataclass(frozen=True)
class SourceOptions:
    """What the command line asked for about where data comes from."""

    demo: bool = False
    profile: str = "default"
    offline: bool = False
    no_cache: bool = False


def demo_client(transport: httpx.AsyncBaseTransport | None = None) -> CostClient:
    """Return a client over the embedded demo organisation (no key, no network)."""
    return CostClient(
        AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL, transport=transport or DemoTransport()
    )


def profile_base_url(profile: str) -> str:
    """Return the base URL for a profile: $ANTHROPIC_BASE_URL, the config file, or the default."""
    settings = load_config().profiles.get(profile)
    return resolve_base_url(settings.base_url if settings else None)


def live_client(
    admin_key: AdminKey, profile: str, transport: httpx.AsyncBaseTransport | None = None
) -> CostClient:
    """Return a client over the live Admin API for a profile."""
    return CostClient(admin_key, base_url=profile_base_url(profile), transport=transport)
