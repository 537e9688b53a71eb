"""The data layer: the API client, the demo API, the cache, key storage and config."""

import sys

# httpx's package __init__ imports its command-line tool (click, pygments, rich.syntax, about
# 20 ms when click happens to be installed) only to offer `httpx.main`, which costtui never
# uses; a None entry makes that import fail fast and httpx falls back to its stub.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
