"""The data layer: the API client, the demo API, the cache, key storage and config."""

import sys

# httpx's own command line (click, rich.progress, pygments: a sixth of a start) is never run by
# costtui; marked absent, `import httpx` skips it (httpx catches that ImportError itself).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
