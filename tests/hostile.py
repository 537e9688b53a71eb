"""A hostile Admin API, in process: the demo organisation with one way of misbehaving at a time."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import ssl
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx

from costtui.data.demo import DemoApi, DemoOrganization

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x9b31m\u202egnp.exe\u2066\x00\t\n"
"""Screen clear, window title, clipboard write, 8-bit CSI, bidi override, isolate, NUL, TAB, LF."""
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)")

UNSAFE_BYTES = re.compile(
    rb"[\x00-\x09\x0b-\x1f\x7f]"  # C0 but LF, and DEL
    rb"|\xc2[\x80-\x9f]"  # C1, UTF-8 encoded
    rb"|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]"  # line separators, bidi overrides and isolates
    rb"|\xed[\xa0-\xbf]"  # surrogates (surrogatepass)
)
"""A byte sequence a terminal or viewer acts on instead of showing; output must hold none."""

MODES = (
    "honest",
    "escape_names",
    "formula_names",
    "echo_key",
    "retry_after_long",
    "repeat_page",
    "repeat_after_id",
    "trickle",
    "huge_body",
    "gzip_bomb",
    "missing_day",
    "duplicate_day",
    "offset_day",
    "euro",
    "huge_amount",
    "tls_untrusted",
)


def unsafe_bytes(data: bytes) -> list[bytes]:
    """Return every raw control, C1, bidi or surrogate sequence found in the bytes."""
    return UNSAFE_BYTES.findall(data)


class _Trickle(httpx.AsyncByteStream):
    """A body that sends one byte and then nothing, for ever."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{"
        await asyncio.Event().wait()


class HostileTransport(httpx.AsyncBaseTransport):
    """Serves the demo organisation through the real client, corrupted as `mode` says."""

    def __init__(self, mode: str, organization: DemoOrganization | None = None) -> None:
        assert mode in MODES, mode
        self.mode = mode
        self.api = DemoApi(organization or DemoOrganization(), check_key=False)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer like the demo API would, then misbehave."""
        self.requests.append(request)
        await request.aread()
        mode, path = self.mode, request.url.path
        if mode == "tls_untrusted":
            cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
            cause.verify_message = "self-signed certificate"
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]") from cause
        if mode == "echo_key":
            key = request.headers.get("x-api-key", "")
            body = {"type": "error", "error": {"type": "authentication_error",
                                               "message": f"invalid x-api-key: {key}\x1b[2J"}}
            return httpx.Response(401, json=body, headers={"request-id": "req_\x1b]0;x\x07"})
        if mode == "retry_after_long":
            return httpx.Response(429, headers={"retry-after": "3600"}, json={
                "type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
        if mode == "trickle" and path.endswith("cost_report"):
            return httpx.Response(200, stream=_Trickle())
        if mode == "huge_body" and path.endswith("cost_report"):
            return httpx.Response(200, content=b" " * (2 * 1024 * 1024) + b"{}")
        if mode == "gzip_bomb" and path.endswith("cost_report"):
            bomb = gzip.compress(b" " * (8 * 1024 * 1024) + b"{}")
            return httpx.Response(200, content=bomb, headers={"content-encoding": "gzip"})
        if mode in ("repeat_page", "repeat_after_id"):  # the demo would refuse the token
            url = request.url.copy_remove_param("page").copy_remove_param("after_id")
            request = httpx.Request("GET", url, headers=request.headers)
        answer = self.api.handle(request)
        if answer.status_code != 200:
            return answer
        body = json.loads(answer.content)
        self._corrupt(path, body)
        return httpx.Response(200, json=body, headers={"request-id": "req_hostile"})

    def _corrupt(self, path: str, body: dict[str, Any]) -> None:
        mode = self.mode
        if path.endswith("/me") and mode == "escape_names":
            body["name"] = f"Acme{ESCAPES}"
        elif path.endswith("workspaces"):
            if mode in ("escape_names", "formula_names"):
                for index, workspace in enumerate(body["data"]):
                    workspace["name"] = (f"WS{index}{ESCAPES}" if mode == "escape_names"
                                         else FORMULAS[index % len(FORMULAS)])
            if mode == "repeat_after_id":
                body["has_more"], body["last_id"] = True, "wrkspc_same"
        elif path.endswith("cost_report"):
            self._corrupt_costs(body)

    def _corrupt_costs(self, body: dict[str, Any]) -> None:
        mode, buckets = self.mode, body["data"]
        if mode == "escape_names":
            for bucket in buckets:
                for item in bucket["results"]:
                    if item["description"]:
                        item["description"] = item["description"] + ESCAPES
                    if item["model"]:
                        item["model"] = "\x1b[31m" + item["model"]
        elif mode == "repeat_page":
            body["has_more"], body["next_page"] = True, "page_same"
        elif mode == "missing_day" and len(buckets) > 1:
            del buckets[1]
        elif mode == "duplicate_day" and buckets:
            buckets.append(buckets[0])
        elif mode == "offset_day" and buckets:
            buckets[0]["starting_at"] = buckets[0]["starting_at"].replace("Z", "+14:00")
        elif mode in ("euro", "huge_amount"):
            for bucket in buckets:
                for item in bucket["results"][:1]:
                    if mode == "euro":
                        item["currency"] = "EUR"
                    else:
                        item["amount"] = "1e400"


def first_missing_day(transport: HostileTransport) -> date | None:
    """Return the day `missing_day` drops from the first cost_report page, if it ran."""
    for request in transport.requests:
        if request.url.path.endswith("cost_report"):
            start = date.fromisoformat(request.url.params["starting_at"][:10])
            return date.fromordinal(start.toordinal() + 1)
    return None
