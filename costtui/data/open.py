"""The one way to open a cost source: the demo, the cache alone, or the live API behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from costtui.core.admin_key import AdminKey
from costtui.core.clock import Clock
from costtui.data.api import CostClient, resolve_base_url
from costtui.data.config import load_config
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoTransport
from costtui.data.source import CostSource
from costtui.data.source_options import SourceFactory, SourceOptions

__all__ = ["SourceFactory", "SourceOptions", "demo_client", "live_client", "open_source",
           "profile_base_url"]

if TYPE_CHECKING:
    from costtui.data.cache import CostCache

def open_source(
    options: SourceOptions,
    admin_key: AdminKey | None,
    clock: Clock,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    cache: CostCache | None = None,
) -> CostSource:
    """Build the source the options ask for: key → client → cache → source, the one way.

    The demo is embedded (no key, never cached, --offline ignored); offline is the cache alone
    (no key); otherwise the live API, behind the cache unless --no-cache. It never touches the
    network itself and may raise ValueError or ConfigError (a bad base URL).
    The cache's modules (sqlite3 among them) are imported only when a cache is used.
    """
    if options.demo:
        return demo_client(transport)
    from costtui.data.cache import CostCache
    from costtui.data.cached_source import CachedSource

    if options.offline:
        return CachedSource(None, cache or CostCache(clock=clock), profile=options.profile,
                            offline=True)
    if admin_key is None:
        raise ValueError(f"no Admin key for profile {options.profile!r}")
    client = live_client(admin_key, options.profile, transport, clock=clock)
    if options.no_cache:
        return client
    return CachedSource(client, cache or CostCache(clock=clock), profile=options.profile)


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
    admin_key: AdminKey,
    profile: str,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    base_url: str | None = None,
    clock: Clock | None = None,
) -> CostClient:
    """Return a client over the live Admin API for a profile (or an explicit base URL)."""
    return CostClient(admin_key, base_url=base_url or profile_base_url(profile),
                      transport=transport, clock=clock)
