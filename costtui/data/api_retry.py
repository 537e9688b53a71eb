"""When a failed request is worth another try, and how long to wait before it."""

from __future__ import annotations

import email.utils
import random
import ssl
from datetime import datetime

import httpx

from costtui.core.text import clean_text

RETRYABLE_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_RETRY_AFTER_SECONDS = 60.0
"""A server asking to wait longer than this is not waited for: the error says when to retry."""


def server_delay(response: httpx.Response, now: datetime) -> float | None:
    """Return the wait the server asked for (retry-after-ms or retry-after), if any."""
    header_ms = response.headers.get("retry-after-ms")
    header_s = response.headers.get("retry-after")
    try:
        if header_ms is not None:
            return max(0.0, float(header_ms) / 1000)
        if header_s is not None:
            return max(0.0, float(header_s))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(header_s or "")
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment is not None and moment.tzinfo is not None:
            return max(0.0, (moment - now).total_seconds())
    return None


def backoff(retries_done: int) -> float:
    """Return the exponential backoff with jitter: 0.5 s doubling up to 8 s."""
    backoff: float = min(0.5 * 2.0**retries_done, 8.0)
    return backoff * (1 - 0.25 * random.random())


def wait_text(seconds: float) -> str:
    """Return a wait as "45 s", "12 min" or "3 h 5 min"."""
    if seconds != seconds or seconds > 1e9:  # NaN or absurd
        return "a very long time"
    whole = int(seconds)
    if whole < 120:
        return f"{whole} s"
    minutes = (whole + 59) // 60
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def should_retry(response: httpx.Response) -> bool:
    """Tell whether a failed response may be retried (x-should-retry wins)."""
    override = response.headers.get("x-should-retry")
    if override == "true":
        return True
    if override == "false":
        return False
    return response.status_code in RETRYABLE_STATUSES


def hopeless_failure(error: BaseException, base_url: str) -> str | None:
    """Name a transport failure that a retry cannot fix (TLS trust, a bad header), else None."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            reason = clean_text(seen.verify_message or "verification failed")
            return f"TLS certificate not trusted for {base_url} ({reason}): check the base URL"
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, (httpx.LocalProtocolError, UnicodeEncodeError)):
        return (
            "the request could not be sent: a header value is invalid "
            "(the Admin key holds characters a header cannot carry): enter the key again"
        )
    return None


RETRY_WORDS = {408: "timed out", 409: "conflict", 429: "rate limited", 500: "server error",
               502: "bad gateway", 503: "unavailable", 504: "gateway timeout", 529: "overloaded"}
"""How the progress line names a status it retries after."""


def retry_reason(status: int | None) -> str:
    """Return why a request is tried again: "429 rate limited", or no answer at all."""
    if status is None:
        return "no answer from the API"
    return f"{status} {RETRY_WORDS.get(status, 'error')}"
