"""Admin API failures as typed errors whose text is always safe to show (cleaned, keys masked)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

from costtui.core.text import safe_line

STATUS_HINTS: dict[int, str] = {
    400: "the request was rejected as invalid",
    401: "the Admin key is malformed, revoked or expired: enter a new one",
    402: "the organisation has a billing problem: check Console → Settings → Billing",
    403: "the key lacks permission: a normal API key (sk-ant-api…) was probably used "
    "where an Admin key (sk-ant-admin…) is needed",
    404: "not found: check the base URL (ANTHROPIC_BASE_URL) and path",
    408: "the request timed out: retry later",
    409: "the request conflicted with another: retry",
    413: "the request was too large: choose a shorter date range",
    429: "rate limited by the API: wait a minute and retry",
    500: "the API had an internal error: retry later",
    504: "the API timed out: retry later or choose a shorter range",
    529: "the API is overloaded: retry later",
}
MAX_API_MESSAGE_CHARS = 300
"""The API's own error message is cut to this length: it is shown on one line."""


def _safe(text: str | None, limit: int = MAX_API_MESSAGE_CHARS) -> str | None:
    if text is None:
        return None
    cleaned = safe_line(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class ApiError(Exception):
    """An Admin API failure carrying status, error type, message and request id.

    Every text field is cleaned of control characters and has keys masked on the way in, so
    whatever shows the error (stderr, the TUI) shows only safe text.
    """

    def __init__(
        self,
        hint: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        api_message: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.hint = safe_line(hint)
        self.status = status
        self.error_type = _safe(error_type, 60)
        self.api_message = _safe(api_message)
        self.request_id = _safe(request_id, 80)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return the error as one human line: what happened, the API's words, the request id."""
        head = f"API error {self.status}" if self.status else "API error"
        if self.error_type:
            head += f" ({self.error_type})"
        parts = [f"{head}: {self.hint}"]
        if self.api_message:
            parts.append(f"API said: {self.api_message}")
        if self.request_id:
            parts.append(f"request-id {self.request_id}")
        return "; ".join(parts)


class AuthenticationError(ApiError):
    """The API rejected the key (401)."""


class PermissionDeniedError(ApiError):
    """The key is not allowed to read cost data (403); usually not an Admin key."""


class RateLimitedError(ApiError):
    """The API kept answering 429 after every retry, or asked to wait too long."""


class InvalidResponseError(ApiError):
    """The API answered with a body that is not JSON, too large, or not the documented shape."""


class ConnectionFailedError(ApiError):
    """The API could not be reached (DNS, TCP, TLS or timeout)."""


def error_for(response: httpx.Response, content: bytes, hint_suffix: str = "") -> ApiError:
    """Build the typed error for a failed HTTP response from its (already read) body."""
    status = response.status_code
    error_type: str | None = None
    api_message: str | None = None
    request_id = response.headers.get("request-id")
    try:
        body: Any = json.loads(content)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            error_type = error.get("type") if isinstance(error.get("type"), str) else None
            api_message = error.get("message") if isinstance(error.get("message"), str) else None
        if request_id is None and isinstance(body.get("request_id"), str):
            request_id = body["request_id"]
    hint = STATUS_HINTS.get(status) or (
        "the API had a server error: retry later" if status >= 500 else "the request failed"
    )
    error_class: type[ApiError] = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        429: RateLimitedError,
    }.get(status, ApiError)
    return error_class(
        hint + hint_suffix,
        status=status,
        error_type=error_type,
        api_message=api_message,
        request_id=request_id,
    )
