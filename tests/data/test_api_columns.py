"""The msgspec fast path and the json referee give identical buckets, or the referee decides."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.core.models import DayBucket
from costtui.data import api
from costtui.data.api import CostClient, InvalidResponseError
from costtui.data.api_columns import decode_compact_page, decode_cost_page
from costtui.data.api_parse import parse_cost_page
from costtui.data.demo import DEMO_BASE_URL, DEMO_KEY, DemoApi, DemoTransport
from tests.data.test_hostile_property import pages
from tests.hostile import MODES, HostileTransport
from tests.recorded import RECORDED, RESLICED, recording

WHERE = "cost_report page 1 of 2026-10-01..2026-10-03"


def refereed(content: bytes) -> tuple[list[DayBucket], str | None] | str:
    """Return what the strict json parser makes of a page: buckets and token, or its message."""
    try:
        return parse_cost_page(json.loads(content, parse_float=Decimal), WHERE)
    except InvalidResponseError as error:
        return error.hint
    except (ValueError, RecursionError):
        return "not valid JSON"


def assert_same_or_refereed(content: bytes) -> str:
    """Check the fast path either matches the referee exactly or leaves the page to it."""
    compact = decode_compact_page(content)
    fast, referee = decode_cost_page(content), refereed(content)
    if compact is not None:
        assert compact == fast, "the compact path and the typed path disagree"
    if fast is None:
        return "refereed"
    assert not isinstance(referee, str), f"the fast path took a page the referee refuses: {referee}"
    fast_buckets, fast_token = fast
    referee_buckets, referee_token = referee
    assert fast_token == referee_token
    assert fast_buckets == referee_buckets
    for mine, theirs in zip(fast_buckets, referee_buckets, strict=True):
        assert mine.keys == theirs.keys
        if theirs.scale <= 9:  # The referee keeps trailing zeros past the ninth decimal.
            assert (mine.amounts, mine.scale) == (theirs.amounts, theirs.scale)
        assert [item.amount_cents for item in mine.items] == [
            item.amount_cents for item in theirs.items]
    return "fast"


def recorded_pages() -> list[bytes]:
    """Return the body of every recorded cost_report page, re-encoded as the API sends it."""
    return [json.dumps(exchange["response"]["body"]).encode()
            for name in (RECORDED, RESLICED, "cost_report_ungrouped.json")
            for exchange in recording(name)
            if exchange["request"]["path"].endswith("/cost_report")
            and exchange["response"]["status"] == 200]


def test_every_recorded_page_takes_the_fast_path_with_the_referees_buckets() -> None:
    contents = recorded_pages()
    assert len(contents) >= 4
    assert {assert_same_or_refereed(content) for content in contents} == {"fast"}


def hostile_page(mode: str) -> bytes | None:
    """Return the first cost_report body a hostile API serves in a mode, if it serves one."""
    transport = HostileTransport(mode)
    request = httpx.Request(
        "GET", "https://api.anthropic.com/v1/organizations/cost_report?starting_at="
        "2026-10-01T00:00:00Z&ending_at=2026-10-04T00:00:00Z&limit=31"
        "&group_by[]=workspace_id&group_by[]=description")
    try:
        response = asyncio.run(transport.handle_async_request(request))
    except httpx.HTTPError:
        return None
    if response.status_code != 200 or not isinstance(response.stream, httpx.ByteStream):
        return None
    return response.content


@pytest.mark.parametrize("mode", [m for m in MODES if m not in ("trickle", "tls_untrusted")])
def test_hostile_pages_take_the_fast_path_only_where_the_referee_agrees(mode: str) -> None:
    content = hostile_page(mode)
    if content is None:
        return
    outcome = assert_same_or_refereed(content)
    refused = isinstance(refereed(content), str)
    assert outcome == ("refereed" if refused else "fast"), mode


def test_refused_values_go_to_the_referee_whose_message_the_user_sees() -> None:
    day = {"starting_at": "2026-10-01T00:00:00Z", "ending_at": "2026-10-02T00:00:00Z"}

    def page(**item: Any) -> bytes:
        return json.dumps({"data": [{**day, "results": [{"amount": "1", **item}]}],
                           "has_more": False, "next_page": None}).encode()

    for content, message in [
        (page(currency="EUR"), "refused the data of"),
        (page(amount="1e400"), "amount is out of range"),
        (page(amount="0.0000000001"), "more than 9 decimal places"),
        (page(amount=1.5), None),  # a JSON number: exact as Decimal, the referee accepts it
        (page(workspace_id=7), "'workspace_id' in"),
        (page(amount="1,2"), "has no valid 'amount'"),  # one amount, not two
        (page(amount=""), "has no valid 'amount'"),
    ]:
        assert decode_cost_page(content) is None
        referee = refereed(content)
        if message is None:
            assert not isinstance(referee, str)
        else:
            assert isinstance(referee, str) and message in referee


def test_equal_keys_are_one_object_across_days_and_pages() -> None:
    fast = [decode_cost_page(content) for content in recorded_pages()]
    keys = [key for page in fast if page for bucket in page[0] for key in bucket.keys]
    by_value: dict[object, object] = {}
    for key in keys:
        assert by_value.setdefault(key, key) is key
    assert len(by_value) < len(keys) / 10


def test_amounts_of_different_precision_share_one_exact_scale() -> None:
    results = [{"amount": text} for text in
               ("123.78912", "0.1", "1500", "-2.50", "0.000000001", "7.", "1.2300000000000")]
    content = json.dumps({"data": [{"starting_at": "2026-10-01T00:00:00Z",
                                    "results": results}]}).encode()
    decoded = decode_cost_page(content)
    assert decoded is not None
    (bucket,), token = decoded
    assert token is None and bucket.day == date(2026, 10, 1) and bucket.scale == 9
    assert bucket.amounts == (123789120000, 100000000, 1500000000000, -2500000000, 1,
                              7000000000, 1230000000)
    assert bucket.keys[0] == ("USD", *(None,) * 8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=pages)
def test_any_generated_page_gives_the_referees_buckets_or_goes_to_it(body: dict[str, Any]) -> None:
    assert_same_or_refereed(json.dumps(body).encode("utf-8", "surrogatepass"))


async def test_a_page_decodes_in_a_thread_while_the_event_loop_keeps_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoding, loop_ran = threading.Event(), threading.Event()

    def decode(content: bytes) -> tuple[list[DayBucket], str | None] | None:
        decoding.set()
        assert loop_ran.wait(timeout=60), "the event loop was blocked while a page decoded"
        return decode_cost_page(content)

    async def notice_decoding() -> None:
        await asyncio.to_thread(decoding.wait)  # resumes only if the loop runs meanwhile
        loop_ran.set()

    monkeypatch.setattr(api, "decode_cost_page", decode)
    day = date(2026, 10, 1)
    async with CostClient(AdminKey(DEMO_KEY), base_url=DEMO_BASE_URL,
                          transport=DemoTransport(DemoApi())) as client:
        buckets, _ = await asyncio.gather(
            client.cost_buckets(DateRange(day, day), ("workspace_id",)), notice_decoding())
    assert [bucket.day for bucket in buckets] == [day] and buckets[0].keys


def compact(body: Any, *, ascii_only: bool = True) -> bytes:
    """Return a page as the API lays it out: no spaces, fields in the order given."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass")


def test_every_recorded_page_in_the_compact_layout_is_split_with_the_referees_buckets() -> None:
    contents = [compact(json.loads(content)) for content in recorded_pages()]
    assert all(decode_compact_page(content) is not None for content in contents)
    assert {assert_same_or_refereed(content) for content in contents} == {"fast"}


def one_day(*lines: str) -> bytes:
    """Return a page of one day whose results array is the given line texts, verbatim."""
    return (b'{"data":[{"starting_at":"2026-10-01T00:00:00Z","ending_at":"2026-10-02T00:00:00Z",'
            b'"results":[' + ",".join(lines).encode() + b']}],"has_more":false,"next_page":null}')


SOUND = '{"amount":"1.5","currency":"USD","workspace_id":"wrkspc_a","description":"x"}'


@pytest.mark.parametrize(
    ("lines", "split"),
    [
        ((SOUND, SOUND.replace("1.5", "-2")), True),
        # Text that looks like a line start inside a string is only text (its quotes are escaped).
        ((SOUND.replace('"x"', r'"a\",{\"amount\":\"9\"}"'), SOUND), True),
        ((SOUND.replace('"x"', r'"ends in a backslash \\"'),), True),
        # A nested object starting like a line, an escaped second amount, a duplicate amount:
        ((SOUND.replace('"x"', '{"amount":"9"}'),), False),
        ((SOUND.replace('"description"', r'"\u0061mount"'),), False),
        ((SOUND.replace('"currency"', '"amount"'),), False),
        ((SOUND.replace('"x"', '"x","extra":[{"amount":"9"}]'),), False),
        ((SOUND.replace("1.5", "1,5"),), False),
        ((SOUND.replace("1.5", r"1\u002e5"),), False),
        ((SOUND.replace('"amount":', '"amount": '),), False),
        (('{"currency":"USD","amount":"1.5"}',), False),
        ((SOUND.replace("USD", "EUR"),), False),
        ((SOUND.replace('"x"', "7"),), False),
        ((SOUND[:-1],), False),
    ],
)
def test_the_compact_path_splits_only_pages_whose_pieces_are_the_lines(
    lines: tuple[str, ...], split: bool
) -> None:
    content = one_day(*lines)
    assert (decode_compact_page(content) is not None) == split
    assert_same_or_refereed(content)


adversarial_texts = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(
    ['{"amount":"1"}', ',{"amount":"', '"amount"', "\\", '\\"', "amount", "}]", "\ud800",
     "\u00e9"]))
compact_items = st.fixed_dictionaries(
    {"amount": st.one_of(st.decimals(min_value=-10**9, max_value=10**9, places=5).map(str),
                         st.sampled_from(["7.", "0.000000001", "1.2300000000000", "1,2", "1e3",
                                          "", "-0"]))},
    optional={"currency": st.sampled_from(["USD", "USD", "EUR", None]),
              "workspace_id": adversarial_texts, "description": adversarial_texts,
              "model": adversarial_texts, "extra": st.one_of(
                  adversarial_texts, st.fixed_dictionaries({"amount": st.just("9")}))},
)
compact_pages = st.fixed_dictionaries({
    "data": st.lists(st.fixed_dictionaries({
        "starting_at": st.sampled_from(["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z"]),
        "results": st.lists(compact_items, max_size=4)}), max_size=2, unique_by=lambda b: b[
            "starting_at"]),
    "has_more": st.just(False)})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(pages, compact_pages), ascii_only=st.booleans())
def test_any_page_in_the_compact_layout_gives_the_referees_buckets_or_goes_to_it(
    body: dict[str, Any], ascii_only: bool
) -> None:
    assert_same_or_refereed(compact(body, ascii_only=ascii_only))


@pytest.mark.parametrize(
    ("amount", "units", "scale"),
    [("-0.5", -5, 1), ("12.", 12, 0), ("007.250", 7250, 3), ("999999999999999.123456789",
                                                             999999999999999123456789, 9),
     ("1.5000000000000", 15, 1), ("-0", 0, 0)],
)
def test_plain_amounts_are_cut_from_the_compact_layout_exactly(
    amount: str, units: int, scale: int
) -> None:
    content = one_day(SOUND.replace("1.5", amount))
    decoded = decode_compact_page(content)
    assert decoded is not None
    (bucket,), _ = decoded
    assert (bucket.amounts, bucket.scale) == ((units,), scale)
    assert assert_same_or_refereed(content) == "fast"


@pytest.mark.parametrize(
    "amount", ["1234567890123456", "1.0000000001", ".5", "+1", "1.5.5", "1e3", " 1", "0x1"])
def test_amounts_that_are_not_plain_leave_the_compact_layout_to_the_typed_path(
    amount: str,
) -> None:
    content = one_day(SOUND, SOUND.replace("1.5", amount), SOUND)
    assert decode_compact_page(content) is None
    assert_same_or_refereed(content)


def test_lines_of_one_key_share_one_id_however_their_text_spells_it() -> None:
    spelled = [SOUND, SOUND.replace('"currency":"USD",', '"currency":null,'),
               SOUND.replace('"currency":"USD",', ""), SOUND.replace("wrkspc_a", "wrkspc_b")]
    decoded = decode_compact_page(one_day(*spelled))
    assert decoded is not None
    (bucket,), _ = decoded
    assert bucket.key_indexes is not None and bucket.key_table is not None
    first, second, third, other = bucket.key_indexes
    assert first == second == third != other
    assert bucket.keys[0] is bucket.keys[2] and bucket.keys[0] == (
        "USD", "wrkspc_a", "x", *(None,) * 6)
    assert len(set(bucket.key_table)) == len(bucket.key_table)  # each key once in the table
