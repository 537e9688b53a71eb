"""Builds the cost source a command asked for: the demo organisation or the live API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from costtui.core.admin_key import AdminKey
from costtui.core.clock import Clock
from costtui.data.api import CostClient, resolve_base_url
from costtui.data.cache import CostCache
from costtui.data.cached_source import CachedSource
from costtui.data.config import load_config
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoTransport
from costtui.data.source import CostSource

SourceFactory = Callable[[AdminKey | None, str], CostSource]
"""Builds the source of a profile from its Admin key (None only when offline: no key is used).

It may raise ValueError or ConfigError (a bad base URL); it never touches the network itself.
"""


@dataclass(frozen=True)
class SourceOptions:
    """What the command line asked for about where data comes from."""

    demo: bool = False
    profile: str = "default"
    offline: bool = False
    no_cache: bool = False

    @property
    def needs_key(self) -> bool:
        """Tell whether the live API (hence a key) is needed: not for --demo or --offline."""
        return not (self.demo or self.offline)


def with_cache(
    client: CostSource | None,
    options: SourceOptions,
    clock: Clock,
    cache: CostCache | None = None,
) -> CostSource:
    """Put the local cache in front of a client unless --no-cache or --demo; offline needs none.

    The demo is embedded and offline by nature, so --demo ignores --offline and the cache.
    """
    if (options.no_cache or options.demo) and client is not None:
        return client
    return CachedSource(client, cache or CostCache(clock=clock), profile=options.profile,
                        offline=options.offline)


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
