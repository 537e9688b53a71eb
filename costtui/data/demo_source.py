"""The demo as a cost source whose first answers skip HTTP, so its first paint waits for no httpx.

The first /me and workspaces are the bodies the demo API serves, decoded by the client's own
parsers; the first cost report, fully grouped, is made straight from the organisation's charges
as the client decodes them (the same keys, cents and scale: tests/data/test_demo_source.py),
any other grouping from the body (msgspec and the page decoder are imported then). Later calls
(refreshes, tokens, keys) go through the real client over the in-process DemoTransport; httpx
is imported then, after the first paint.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Future
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costtui.core.dates import DateRange
from costtui.core.models import LINE_KEY_FIELDS, DayBucket, LineKey, Organization, Workspace
from costtui.core.validation import MAX_CENT_DECIMALS
from costtui.data.api_parse import (
    check_window,
    parse_cost_page,
    parse_organization,
    parse_workspaces_page,
)
from costtui.data.bucket_columns import normalized, shared_key
from costtui.data.demo_org import DemoOrganization, cost_report_body
from costtui.data.progress import FetchProgress, ProgressCallback
from costtui.data.source import range_with_previous, report_from

if TYPE_CHECKING:
    from costtui.core.clock import Clock
    from costtui.core.models import LoadedReport
    from costtui.data.api import CostClient
    from costtui.data.demo import DemoApi

DEMO_FIRST_REPORT_THREAD = "demo-first-report"
"""The name of the thread `DemoSource.prepare` starts."""
WINDOW_DAYS = 31
"""The client's window (MAX_BUCKETS_PER_PAGE): the demo answers each in one page."""
API_GROUPINGS = ("workspace_id", "description")
"""The API groupings the cost report accepts (the client's API_GROUPINGS)."""
LINE_FIELDS = LINE_KEY_FIELDS[2:]
"""A line key's fields after currency and workspace, as demo lines hold them."""


def _as_served(body: dict[str, Any]) -> bytes:
    """Return a body as the demo API sends it (msgspec's compact JSON)."""
    import msgspec

    return msgspec.json.encode(body)


def _as_json(body: dict[str, Any]) -> bytes:
    """Return a body as compact JSON (what the client's json parser reads of /me, workspaces)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def scaled_cents(amounts: list[Decimal]) -> tuple[tuple[int, ...], int]:
    """Return exact amounts as integers at one shared scale, as the client reads their texts.

    The scale is the most decimals any amount has (at most MAX_CENT_DECIMALS once trailing
    zeros go), as `api_columns.scaled_amounts` makes it of the texts the demo API sends.
    """
    if not amounts:
        return (), 0
    # Each amount's decimals once trailing zeros go, read off its fixed-point text (a quarter
    # of the CPU of normalize().as_tuple(), which lists every digit).
    scale = max(len(format(amount, "f").partition(".")[2].rstrip("0")) for amount in amounts)
    units = tuple(int(amount.scaleb(scale)) for amount in amounts)
    return normalized(units, scale) if scale > MAX_CENT_DECIMALS else (units, scale)


def _decoded(content: bytes) -> Any:
    """Decode a body as the client does for /me and workspaces (exact decimals)."""
    return json.loads(content, parse_float=Decimal)


def day_bucket(org: DemoOrganization, day: date, known: dict[tuple[str | None, int], LineKey],
               ) -> DayBucket:
    """Return a day's bucket by workspace and description as the client decodes it from the API.

    Each charge is a line (the API's body lists them so), its amount the text the API sends.
    `known` holds the keys of (workspace, line) pairs already seen (the lines live as long as
    the organisation).
    """
    entries = org.charges(day)
    keys = []
    for workspace, line, _, _ in entries:
        key = known.get((workspace, id(line)))
        if key is None:
            raw = ("USD", workspace, *(getattr(line, field) for field in LINE_FIELDS))
            key = known[workspace, id(line)] = shared_key(raw)
        keys.append(key)
    amounts, scale = scaled_cents([amount for _, _, amount, _ in entries])
    return DayBucket.from_columns(day, tuple(keys), amounts, scale)


def window_buckets(org: DemoOrganization, window: DateRange, groups: list[str]) -> list[DayBucket]:
    """Return one window's buckets as the client decodes the demo API's page for it."""
    if groups == list(API_GROUPINGS):
        known: dict[tuple[str | None, int], LineKey] = {}
        return [day_bucket(org, day, known) for day in window.days()]
    from costtui.data.api_columns import decode_cost_page, shared_bucket

    where = f"cost_report page 1 of {window}"
    content = _as_served(cost_report_body(org, window.days(), groups, None))
    fast = decode_cost_page(content)
    if fast is not None:
        buckets = fast[0]
    else:
        buckets = [shared_bucket(bucket) for bucket in
                   parse_cost_page(_decoded(content), where)[0]]
    return check_window(buckets, window, f"cost_report of {window}")


class DemoSource:
    """The demo organisation: first answers made in-process, every later one over the client."""

    def __init__(self, org: DemoOrganization) -> None:
        self.org = org
        self.api: DemoApi | None = None
        """The in-process demo API behind the client, once the client is made."""
        self._client: CostClient | None = None
        self._making = threading.Lock()
        self._direct = {"organization", "workspaces", "cost_buckets"}
        """The calls still answered in-process (each only once)."""
        self._prepared: tuple[DateRange, tuple[str, ...], Future[list[DayBucket]]] | None = None
        """The first cost report, started early in a thread: range, grouping and result."""
        self._first_report: tuple[DateRange, tuple[str, ...], Future[LoadedReport]] | None = None
        """The app's first report made from those buckets in the same thread, if asked for."""

    @property
    def uses_cache(self) -> bool:
        """The demo is never cached."""
        return False

    @property
    def offline(self) -> bool:
        """The demo always answers."""
        return False

    @property
    def client(self) -> CostClient:
        """Return the real client over the in-process demo API (made, with httpx, when asked)."""
        with self._making:
            if self._client is None:
                from costtui.data.demo import DemoApi, DemoTransport
                from costtui.data.open import demo_client

                self.api = DemoApi(self.org)
                self._client = demo_client(DemoTransport(self.api))
            return self._client

    async def _made_client(self) -> CostClient:
        """Return the client, made in a thread the first time (off the UI loop)."""
        if self._client is None:  # importing httpx and the client: tens of ms of work
            return await asyncio.to_thread(lambda: self.client)
        return self._client

    def _first(self, call: str) -> bool:
        """Tell whether `call` is answered in-process this time (its first time)."""
        if call in self._direct:
            self._direct.discard(call)
            return True
        return False

    def _organization(self) -> Organization:
        """Return the organisation as the client decodes the demo API's /me."""
        body = {"id": self.org.org_id, "name": self.org.name, "type": "organization"}
        return parse_organization(_decoded(_as_json(body)))

    def _workspaces(self) -> list[Workspace]:
        """Return every workspace as the client decodes the demo API's one page of them."""
        listed = self.org.workspaces
        body = {"data": listed, "has_more": False,
                "first_id": listed[0]["id"] if listed else None,
                "last_id": listed[-1]["id"] if listed else None}
        return parse_workspaces_page(_decoded(_as_json(body)))[0]

    async def organization(self) -> Organization:
        """Return the demo organisation."""
        if not self._first("organization"):
            return await (await self._made_client()).organization()
        return self._organization()

    async def workspaces(self) -> list[Workspace]:
        """Return every demo workspace, archived ones included."""
        if not self._first("workspaces"):
            return await (await self._made_client()).workspaces()
        return self._workspaces()

    def prepare(self, date_range: DateRange, api_group_by: tuple[str, ...]) -> None:
        """Start making the first cost report in a thread now (before the UI is even built)."""
        self._start(date_range, api_group_by, None)

    def prepare_report(self, shown: DateRange, api_group_by: tuple[str, ...], clock: Clock) -> None:
        """Start making the app's first report of `shown` (and the period before) in a thread.

        Its buckets are prepared as `prepare` does; the report is taken with `take_report`.
        """
        self._start(range_with_previous(shown), api_group_by, (shown, clock))

    def _start(self, date_range: DateRange, api_group_by: tuple[str, ...],
               report_of: tuple[DateRange, Clock] | None) -> None:
        """Start the thread making the buckets, then the report of `report_of` if given."""
        made: Future[list[DayBucket]] = Future()
        report: Future[LoadedReport] = Future()

        def make() -> None:
            try:
                made.set_result(self._buckets(date_range, api_group_by))
            except BaseException as error:  # handed to whoever awaits the report
                made.set_exception(error)
            if report_of is None:
                return
            try:
                report.set_result(self._report(report_of[0], api_group_by, made.result(),
                                               report_of[1]))
            except BaseException as error:
                report.set_exception(error)

        self._prepared = (date_range, api_group_by, made)
        if report_of is not None:
            self._first_report = (report_of[0], api_group_by, report)
        threading.Thread(target=make, name=DEMO_FIRST_REPORT_THREAD, daemon=True).start()

    def _report(self, shown: DateRange, api_group_by: tuple[str, ...],
                buckets: list[DayBucket], clock: Clock) -> LoadedReport:
        """Return the report `load_report` makes of these buckets and the in-process names."""
        names = {workspace.id: workspace.name for workspace in self._workspaces()}
        return report_from(self, shown, api_group_by, (self._organization().name, names, []),
                           buckets, clock=clock)

    def take_report(self, shown: DateRange,
                    api_group_by: tuple[str, ...]) -> Future[LoadedReport] | None:
        """Return the first report being made for `shown`, if it was: its answers are used.

        The organisation, workspaces and costs were answered in-process for it: later calls
        go over the client. None if no report (or one of other days) was prepared.
        """
        first, self._first_report = self._first_report, None
        if first is None or first[:2] != (shown, api_group_by):
            return None
        self._prepared = None
        self._direct.clear()
        return first[2]

    @property
    def prepared(self) -> tuple[DateRange, tuple[str, ...]] | None:
        """Return the range and grouping started by `prepare`, if any."""
        return self._prepared[:2] if self._prepared is not None else None

    def _buckets(self, date_range: DateRange, api_group_by: tuple[str, ...]) -> list[DayBucket]:
        """Return the range's buckets as the client would decode the demo API's pages."""
        unknown = [name for name in api_group_by if name not in API_GROUPINGS]
        if unknown:
            raise ValueError(f"unknown API grouping {unknown[0]!r}: use {API_GROUPINGS}")
        groups = list(api_group_by)
        return [bucket for window in date_range.windows(WINDOW_DAYS)
                for bucket in window_buckets(self.org, window, groups)]

    async def cost_buckets(
        self,
        date_range: DateRange,
        api_group_by: tuple[str, ...] = (),
        on_progress: ProgressCallback | None = None,
        *,
        refresh: bool = False,
    ) -> list[DayBucket]:
        """Return a bucket per day of the range (made in a thread the first time)."""
        if not self._first("cost_buckets"):
            client = await self._made_client()
            return await client.cost_buckets(date_range, api_group_by, on_progress,
                                             refresh=refresh)
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[:2] == (date_range, api_group_by):
            buckets = await asyncio.wrap_future(prepared[2])
        else:
            buckets = await asyncio.to_thread(self._buckets, date_range, api_group_by)
        if on_progress is not None:
            windows = len(date_range.windows(WINDOW_DAYS))
            on_progress(FetchProgress(windows, windows, windows))
        return buckets

    def take_warnings(self) -> list[str]:
        """Return the client's warnings, if it was made (the in-process answers have none)."""
        return self._client.take_warnings() if self._client is not None else []

    async def aclose(self) -> None:
        """Close the client's connections, if it was made."""
        if self._client is not None:
            await self._client.aclose()
