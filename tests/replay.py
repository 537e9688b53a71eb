"""Replays recorded Admin API exchanges (JSON files under tests/recordings) to the real client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

RECORDINGS = Path(__file__).with_name("recordings")


def normalise_query(query: dict[str, Any]) -> dict[str, list[str]]:
    """Return a query as key -> list of string values, so order does not matter."""
    return {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in query.items()
    }


def request_query(request: httpx.Request) -> dict[str, list[str]]:
    """Return the decoded query of a request as key -> list of values."""
    found: dict[str, list[str]] = {}
    for key, value in request.url.params.multi_items():
        found.setdefault(key, []).append(value)
    return found


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers each request with the recorded response whose method, path and query match."""

    def __init__(self, *names: str) -> None:
        self.exchanges: list[dict[str, Any]] = []
        for name in names:
            self.exchanges += json.loads((RECORDINGS / name).read_text())["exchanges"]
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Return the matching recorded response, or fail the test loudly."""
        self.requests.append(request)
        query = request_query(request)
        for exchange in self.exchanges:
            recorded = exchange["request"]
            if (
                recorded["path"] == request.url.path
                and normalise_query(recorded.get("query", {})) == query
            ):
                response = exchange["response"]
                body = response["body"]
                content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                return httpx.Response(
                    response["status"],
                    headers={"content-type": "application/json", **response.get("headers", {})},
                    content=content,
                    request=request,
                )
        raise AssertionError(f"no recorded response for {request.method} {request.url}")
