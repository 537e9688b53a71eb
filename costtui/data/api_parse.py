"""Admin API response bodies parsed and checked against what was asked, text cleaned on entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, TypeVar

from costtui.core.dates import DateRange
from costtui.core.models import (
    LINE_KEY_FIELDS,
    CostItem,
    DayBucket,
    Organization,
    Workspace,
)
from costtui.core.text import clean_text, shared_clean_text
from costtui.core.validation import PLAIN_AMOUNT, amount_problem, currency_problem
from costtui.data.api_errors import InvalidResponseError

ITEM_DIMENSION_KEYS = LINE_KEY_FIELDS[1:]
"""CostItem's dimension keys: a line's key fields after its currency."""


def _invalid(message: str) -> InvalidResponseError:
    return InvalidResponseError(f"invalid response: {message}")


def parse_amount(raw: Any, where: str) -> Decimal:
    """Parse an amount in cents exactly; refuse what cannot be summed exactly."""
    if isinstance(raw, str) and PLAIN_AMOUNT.fullmatch(raw):
        return Decimal(raw)  # The common case: sound by its very shape.
    try:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            raise TypeError("not a number")
        amount = Decimal(raw)
    except (TypeError, ValueError, InvalidOperation):
        raise _invalid(f"a result in {where} has no valid 'amount'") from None
    problem = amount_problem(amount)
    if problem:
        raise _invalid(f"a result in {where}: {problem}")
    return amount


def _parse_item(day: date, raw: Any, where: str) -> CostItem:
    """Parse one CostItem dict, keeping unknown enum values as they come (cleaned)."""
    if not isinstance(raw, dict):
        raise _invalid(f"a result in {where} is not an object")
    if "amount" not in raw:
        raise _invalid(f"a result in {where} has no valid 'amount'")
    amount = parse_amount(raw["amount"], where)
    dimensions = [raw.get(key) for key in ITEM_DIMENSION_KEYS]
    currency = raw.get("currency")
    checked = zip((*ITEM_DIMENSION_KEYS, "currency"), (*dimensions, currency), strict=True)
    for key, value in checked:
        if value is not None and not isinstance(value, str):
            raise _invalid(f"'{key}' in {where} is not a string")
    currency_text = "USD" if currency is None else shared_clean_text(currency)
    problem = currency_problem(currency_text)
    if problem:
        raise InvalidResponseError(f"refused the data of {where}: {problem}")
    shared = [None if value is None else shared_clean_text(value) for value in dimensions]
    return CostItem(day, amount, currency_text, *shared)


def parse_bucket_day(text: Any) -> date:
    """Return the UTC day a bucket starts on; ValueError unless it starts at UTC midnight."""
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("not a timestamp")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.utcoffset() != timedelta(0):
        raise ValueError("not UTC")
    if moment.timetz().replace(tzinfo=None) != time():
        raise ValueError("not midnight")
    return moment.date()


def _parse_bucket(raw_bucket: Any, where: str) -> DayBucket:
    if not isinstance(raw_bucket, dict) or not isinstance(raw_bucket.get("results"), list):
        raise _invalid(f"a bucket in {where} has no 'results'")
    try:
        day = parse_bucket_day(raw_bucket.get("starting_at"))
    except (ValueError, OverflowError):
        raise _invalid(f"a bucket in {where} has no valid 'starting_at' (a UTC midnight)") from None
    ending_at = raw_bucket.get("ending_at")
    if ending_at is not None:
        try:
            end_day = parse_bucket_day(ending_at)
        except (ValueError, OverflowError):
            end_day = None
        if end_day is None or end_day - day != timedelta(days=1):
            raise _invalid(f"the bucket of {day} in {where} does not last one UTC day")
    items = tuple(_parse_item(day, raw, f"{where}, {day}") for raw in raw_bucket["results"])
    return DayBucket(day, items)


def parse_cost_page(body: Any, where: str) -> tuple[list[DayBucket], str | None]:
    """Parse one cost_report page into day buckets and the next page token."""
    data, next_page = page_data(body, where)
    return [_parse_bucket(raw_bucket, where) for raw_bucket in data], next_page


class _Dated(Protocol):
    @property
    def day(self) -> date: ...


_DayT = TypeVar("_DayT", bound=_Dated)


def check_window(days: Sequence[_DayT], window: DateRange, where: str) -> list[_DayT]:
    """Return a window's days (cost buckets, usage days) oldest first, after checking each
    came at most once, inside it.

    A day the API left out is not invented as $0: it stays missing (and is not cached).
    """
    seen: set[date] = set()
    for each in days:
        if not window.first_day <= each.day <= window.last_day:
            raise _invalid(f"{where} holds {each.day}, which was not asked for")
        if each.day in seen:
            raise _invalid(f"{where} holds {each.day} twice")
        seen.add(each.day)
    return sorted(days, key=lambda each: each.day)


def next_page_params(
    params: dict[str, Any], next_page: str, seen_tokens: set[str], where: str
) -> dict[str, Any]:
    """Return the query of the page after `where`, refusing a page token sent before."""
    if next_page in seen_tokens:
        raise _invalid(f"{where} repeats the page token of an earlier page")
    seen_tokens.add(next_page)
    return {**params, "page": next_page}


def too_many_pages(report: str, window: DateRange) -> InvalidResponseError:
    """Return the error of a report whose pages outnumber the days of its window."""
    return _invalid(f"{report} of {window} has more pages than its {window.day_count} day(s) "
                    "can fill")


def page_data(body: Any, where: str) -> tuple[list[Any], str | None]:
    """Return a report page's raw day buckets and its next page token (None on the last)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _invalid(f"{where} has no 'data' list")
    next_page = body.get("next_page") if body.get("has_more") else None
    if body.get("has_more") and not (isinstance(next_page, str) and next_page):
        raise _invalid(f"{where} has_more but no next_page")
    return body["data"], next_page


def parse_organization(body: Any) -> Organization:
    """Parse the /me body into the organisation (id and name cleaned)."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise _invalid("the organisation (me) has no 'id'")
    org_id = clean_text(body["id"])
    name = body.get("name")
    return Organization(org_id, clean_text(name) if isinstance(name, str) and name else org_id)


def parse_workspaces_page(body: Any) -> tuple[list[Workspace], str | None]:
    """Parse one workspaces page into workspaces and the after_id of the next page, if any."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _invalid("workspaces has no 'data' list")
    workspaces = [
        Workspace(
            clean_text(raw["id"]),
            clean_text(raw["name"] if isinstance(raw.get("name"), str) else raw["id"]),
            archived=raw.get("archived_at") is not None,
        )
        for raw in body["data"]
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
    ]
    last_id = body.get("last_id")
    more = bool(body.get("has_more")) and isinstance(last_id, str) and bool(last_id)
    return workspaces, last_id if more else None

