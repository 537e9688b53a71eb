"""Refresh the recorded Admin API responses from a real organisation (for maintainers).

Usage: ANTHROPIC_ADMIN_KEY=... python tests/record_responses.py --from 2025-08-01 --to 2025-09-09
       --out tests/recordings/live.json [--group-by workspace_id,description] [--anonymize]
The key is read from ANTHROPIC_ADMIN_KEY or the keyring, sent only as a header, never recorded:
request headers are not written at all, and the file is refused if the key text appears in it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costtui.core.dates import DateRange, parse_day  # noqa: E402
from costtui.data.api import CostClient, resolve_base_url  # noqa: E402
from costtui.data.secrets import resolve_key  # noqa: E402

KEPT_RESPONSE_HEADERS = ("request-id", "retry-after", "content-type")


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the network and keeps method, path, query and response body."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self.exchanges: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward one request and record it without its headers."""
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        values: dict[str, list[str]] = {}
        for key, value in request.url.params.multi_items():
            values.setdefault(key, []).append(value)
        query = {k: v if k.endswith("[]") else v[0] for k, v in values.items()}
        try:
            body: Any = json.loads(content)
        except ValueError:
            body = content.decode(errors="replace")
        self.exchanges.append({
            "request": {"method": request.method, "path": request.url.path, "query": query},
            "response": {
                "status": response.status_code,
                "headers": {k: v for k, v in response.headers.items()
                            if k.lower() in KEPT_RESPONSE_HEADERS},
                "body": body,
            },
        })
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request)


def anonymise(text: str) -> str:
    """Replace workspace ids and the organisation's and workspaces' names with stable fakes."""
    document = json.loads(text)
    ids = sorted(set(re.findall(r"wrkspc_[A-Za-z0-9]+", text)))
    mapping = {ws_id: f"wrkspc_01ANON{n:014d}" for n, ws_id in enumerate(ids)}
    for exchange in document["exchanges"]:
        body = exchange["response"]["body"]
        if isinstance(body, dict) and exchange["request"]["path"].endswith("/me"):
            body["name"] = "Recorded Organisation"
        if isinstance(body, dict) and exchange["request"]["path"].endswith("/workspaces"):
            for n, workspace in enumerate(body.get("data", [])):
                workspace["name"] = f"Workspace {n + 1}"
    text = json.dumps(document, indent=1)
    for real, fake in mapping.items():
        text = text.replace(real, fake)
    return text


async def record(
    date_range: DateRange,
    grouping: tuple[str, ...],
    *,
    base_url: str | None = None,
    inner: httpx.AsyncBaseTransport | None = None,
) -> RecordingTransport:
    """Run the same calls the app makes and return what was recorded."""
    resolved = resolve_key("default")
    if resolved.key is None:
        raise SystemExit("record_responses: set ANTHROPIC_ADMIN_KEY or run 'costtui key set'")
    transport = RecordingTransport(inner)
    async with CostClient(
        resolved.key, base_url=base_url or resolve_base_url(), transport=transport
    ) as client:
        await client.organization()
        await client.workspaces()
        await client.cost_buckets(date_range, grouping)
    secret = resolved.key.reveal()
    if secret in json.dumps(transport.exchanges):
        raise SystemExit("record_responses: the key appeared in a response; nothing written")
    return transport


def main() -> None:
    """Parse options, record, scrub and write the recording file."""
    parser = argparse.ArgumentParser(description="Refresh recorded Admin API responses.")
    parser.add_argument("--from", dest="first", required=True)
    parser.add_argument("--to", dest="last", required=True)
    parser.add_argument("--group-by", default="workspace_id,description")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--anonymize", action="store_true")
    args = parser.parse_args()
    date_range = DateRange(parse_day(args.first), parse_day(args.last))
    grouping = tuple(name for name in args.group_by.split(",") if name)
    transport = asyncio.run(record(date_range, grouping))
    text = json.dumps({"comment": f"Recorded {date_range} grouped by {grouping}.",
                       "exchanges": transport.exchanges}, indent=1)
    args.out.write_text((anonymise(text) if args.anonymize else text) + "\n")
    print(f"wrote {len(transport.exchanges)} exchanges to {args.out}")


if __name__ == "__main__":
    main()
