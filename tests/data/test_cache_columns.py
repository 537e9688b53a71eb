"""The cache's columnar format: exact round trips, the text fallback, the key table, old files."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costtui.core.clock import FixedClock
from costtui.core.lines import CostLines
from costtui.core.models import DayBucket, Organization, amount_at
from costtui.core.report import group_costs
from costtui.data.api_columns import decode_cost_page
from costtui.data.cache import SCHEMA_VERSION, CostCache
from tests.data.test_cache import GROUPING, NOW, bucket, days, item

DAY = date(2026, 11, 1)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Return the cache file path in a fresh directory that does not exist yet."""
    return tmp_path / "cache-dir" / "costs.sqlite3"


def reopened(path: Path) -> CostCache:
    """Return a new connection to the file, as the next process would open it."""
    return CostCache(path, clock=FixedClock(NOW))


def columns(path: Path, day: date) -> tuple[object, ...]:
    """Return a stored day's scale, column types and text fallback, read straight from the file."""
    with sqlite3.connect(path) as db:
        row: tuple[object, ...] = db.execute(
            "SELECT line_count, scale, typeof(key_indexes), typeof(amounts), amounts_text "
            "FROM days WHERE day = ?", (day.isoformat(),)).fetchone()
    return row


def test_packed_days_round_trip_exactly_and_share_their_keys(path: Path) -> None:
    first = DayBucket(DAY, (item(DAY, "123.78912"), item(DAY, "0.1", "wrkspc_02"),
                            item(DAY, "-2.50", None, description="Café ✓")))
    second = DayBucket(date(2026, 11, 2), (item(date(2026, 11, 2), "1500", "wrkspc_02"),
                                           item(date(2026, 11, 2), "0.00001")))
    reopened(path).store("org-a", GROUPING, [first, second])

    loaded = reopened(path).load_days("org-a", GROUPING, days(DAY, 2))

    assert loaded == {DAY: first, date(2026, 11, 2): second}
    assert [(b.amounts, b.scale) for b in loaded.values()] == [
        ((12378912, 10000, -250000), 5), ((150000000, 1), 5)]
    assert loaded[date(2026, 11, 2)].keys[0] is loaded[DAY].keys[1]  # one object per key
    assert columns(path, DAY) == (3, 5, "blob", "blob", None)
    with sqlite3.connect(path) as db:
        stored_keys = db.execute("SELECT idx, key FROM line_keys ORDER BY idx").fetchall()
    assert [(index, json.loads(key)) for index, key in stored_keys] == [
        (0, ["USD", "wrkspc_01A", *[None] * 7]), (1, ["USD", "wrkspc_02", *[None] * 7]),
        (2, ["USD", None, "Café ✓", *[None] * 6])]


def test_a_report_gathered_from_the_cache_equals_the_one_gathered_from_the_fetched_days(
    path: Path,
) -> None:
    third = date(2026, 11, 3)
    fetched = [
        DayBucket(DAY, (item(DAY, "1.5", "wrkspc_b"), item(DAY, "2", "wrkspc_a"),
                        item(DAY, "0.25", "wrkspc_b"))),  # one key twice in a day: summed
        DayBucket(date(2026, 11, 2), (item(date(2026, 11, 2), "99999999999999.999999999"),)),
        DayBucket(third, (item(third, "3", "wrkspc_c"), item(third, "-1", "wrkspc_a"))),
    ]
    cache = reopened(path)
    cache.store("org-a", GROUPING, fetched[2:])  # stored first: the table holds c and a first
    cache.store("org-a", GROUPING, fetched[:2])

    loaded = list(reopened(path).load_days("org-a", GROUPING, days(DAY, 3)).values())

    for span in (days(DAY, 3), days(date(2026, 11, 2), 2)):
        gathered, expected = CostLines.from_buckets(span, loaded), CostLines.from_buckets(
            span, fetched)
        assert (gathered.keys, gathered.rows, gathered.scale) == (
            expected.keys, expected.rows, expected.scale)
        assert gathered.items() == expected.items()
    assert [row.values for row in group_costs(CostLines.from_buckets(days(DAY, 3), loaded),
                                              ["workspace"])] == [
        ("wrkspc_01A",), ("wrkspc_c",), ("wrkspc_b",), ("wrkspc_a",)]


def test_a_day_beyond_int64_is_kept_as_exact_text(path: Path) -> None:
    amounts = ("99999999999999.999999999", "-99999999999999.999999999", "0.000000001", "1")
    day_bucket = DayBucket(DAY, tuple(item(DAY, amount) for amount in amounts))
    reopened(path).store("org-a", (), [day_bucket])

    (loaded,) = reopened(path).load_days("org-a", (), [DAY]).values()

    assert [i.amount_cents for i in loaded.items] == [Decimal(a) for a in amounts]
    assert columns(path, DAY) == (4, 9, "blob", "null",
                                  "99999999999999999999999,-99999999999999999999999,1,1000000000")


def test_trailing_zeros_past_nine_decimals_are_stored_at_the_least_scale(path: Path) -> None:
    day_bucket = DayBucket(DAY, (item(DAY, "1.10000000000000"), item(DAY, "2")))
    assert day_bucket.scale == 14
    reopened(path).store("org-a", (), [day_bucket])
    (loaded,) = reopened(path).load_days("org-a", (), [DAY]).values()
    assert loaded == day_bucket and (loaded.amounts, loaded.scale) == ((11, 20), 1)


def test_keys_added_by_later_stores_keep_earlier_days_readable(path: Path) -> None:
    cache = reopened(path)
    cache.store("org-a", GROUPING, [bucket(DAY, "1")])
    other = reopened(path)  # Another process adds keys meanwhile.
    later = DayBucket(date(2026, 11, 2), (item(date(2026, 11, 2), "2", "wrkspc_new"),))
    other.store("org-a", GROUPING, [later])
    cache.store("org-a", GROUPING, [DayBucket(date(2026, 11, 3), (
        item(date(2026, 11, 3), "3", "wrkspc_newer"), item(date(2026, 11, 3), "4")))])
    loaded = reopened(path).load_days("org-a", GROUPING, days(DAY, 3))
    assert [[i.workspace_id for i in b.items] for b in loaded.values()] == [
        ["wrkspc_01A"], ["wrkspc_new"], ["wrkspc_newer", "wrkspc_01A"]]


def test_clearing_an_organisation_removes_its_key_table(path: Path) -> None:
    cache = reopened(path)
    cache.store("org-a", GROUPING, [bucket(DAY, "1")])
    cache.store("org-b", GROUPING, [bucket(DAY, "2")])
    cache.clear("org-a")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT DISTINCT org_id FROM line_keys").fetchall() == [("org-b",)]
    cache.store("org-a", GROUPING, [DayBucket(DAY, (item(DAY, "5", "wrkspc_other"),))])
    (loaded,) = cache.load_days("org-a", GROUPING, [DAY]).values()
    assert [i.workspace_id for i in loaded.items] == ["wrkspc_other"]


def test_a_stored_key_in_another_currency_makes_its_days_invalid(path: Path) -> None:
    cache = reopened(path)
    cache.store("org-a", (), [bucket(DAY, "1"), bucket(date(2026, 11, 2), "2")])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE line_keys SET key = replace(key, '\"USD\"', '\"EUR\"')")
    assert reopened(path).load_days("org-a", (), days(DAY, 2)) == {}
    fresh = reopened(path)
    fresh.load_days("org-a", (), days(DAY, 2))
    assert fresh.warnings == [
        "the cache held 2 day(s) that fail the data checks (first: 2026-11-01: currency 'EUR' "
        "is not USD: costtui sums USD only and will not mix currencies); they are treated as "
        "missing and fetched again when online"]


@pytest.mark.parametrize("damage", [
    "UPDATE line_keys SET idx = 7",  # a gap in the key table
    "UPDATE line_keys SET key = '[\"USD\"]'",  # a key of the wrong shape
    "UPDATE days SET amounts = NULL, amounts_text = '1,x'",
    "UPDATE days SET key_indexes = x'09000000'",  # an index past the table
])
def test_a_damaged_column_or_key_table_moves_the_file_aside(path: Path, damage: str) -> None:
    reopened(path).store("org-a", (), [bucket(DAY, "1")])
    with sqlite3.connect(path) as db:
        db.execute(damage)
    cache = reopened(path)
    assert cache.load_days("org-a", (), [DAY]) == {}
    assert len(cache.warnings) == 1 and "moved it to costs.sqlite3.corrupt-" in cache.warnings[0]


def test_an_amount_out_of_range_is_an_invalid_day(path: Path) -> None:
    reopened(path).store("org-a", (), [bucket(DAY, "1")])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE days SET amounts = ?", ((10**15).to_bytes(8, "little"),))
    cache = reopened(path)
    assert cache.load_days("org-a", (), [DAY]) == {}
    assert "2026-11-01: amount is out of range" in cache.warnings[0]
    assert amount_at(10**15, 0) == Decimal(10**15)


SCHEMA_1 = """
CREATE TABLE organizations (org_id TEXT PRIMARY KEY, name TEXT NOT NULL, workspaces_json TEXT,
    updated_at TEXT NOT NULL);
CREATE TABLE profiles (profile TEXT PRIMARY KEY, org_id TEXT NOT NULL, seen_at TEXT NOT NULL);
CREATE TABLE days (org_id TEXT NOT NULL, grouping TEXT NOT NULL, day TEXT NOT NULL,
    complete INTEGER NOT NULL, fetched_at TEXT NOT NULL, item_count INTEGER NOT NULL,
    items TEXT NOT NULL, UNIQUE (org_id, grouping, day));
INSERT INTO organizations VALUES ('org-a', 'Acme', NULL, '2026-11-19T00:00:00+00:00');
INSERT INTO profiles VALUES ('default', 'org-a', '2026-11-19T00:00:00+00:00');
INSERT INTO days VALUES ('org-a', '', '2026-11-01', 1, '2026-11-19T00:00:00+00:00', 1,
    '{"amounts":["1"],"values":["USD",null],"columns":{}}');
PRAGMA user_version = 1;
"""


def test_an_old_schema_file_keeps_its_names_drops_its_days_and_says_so_in_one_line(
    path: Path,
) -> None:
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    cache = reopened(path)

    assert cache.organization_for_profile("default") == Organization("org-a", "Acme")
    assert cache.load_days("org-a", (), [DAY]) == {}
    assert cache.warnings == [
        f"the cache {path} was written by an older costtui (schema 1); its cost days were "
        "dropped and are fetched again as needed"]
    cache.store("org-a", (), [bucket(DAY, "2")])
    assert reopened(path).load_days("org-a", (), [DAY]) == {DAY: bucket(DAY, "2")}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (3,)
    assert not list(path.parent.glob("*.corrupt-*"))


def key_sums_of(path: Path, day: date) -> object:
    """Return a stored day's key sums column, read straight from the file."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT key_sums FROM days WHERE day = ?",
                          (day.isoformat(),)).fetchone()[0]


def test_a_day_stores_its_amounts_summed_per_key_and_a_warm_report_equals_the_fetched_one(
    path: Path,
) -> None:
    second, third = date(2026, 11, 2), date(2026, 11, 3)
    fetched = [
        DayBucket(DAY, (item(DAY, "1.5", "wrkspc_b"), item(DAY, "2", "wrkspc_a"),
                        item(DAY, "0.25", "wrkspc_b"))),
        DayBucket(second, (item(second, "99999999999999.999999999", "wrkspc_b"),
                           item(second, "99999999999999.999999999", "wrkspc_b"))),
        DayBucket(third, (item(third, "3", "wrkspc_c"), item(third, "-1", "wrkspc_a"))),
    ]
    cache = reopened(path)
    cache.store("org-a", GROUPING, fetched[2:])
    cache.store("org-a", GROUPING, fetched[:2])

    loaded = reopened(path).load_days("org-a", GROUPING, days(DAY, 3))

    # Keys c, a, b in stored order: a day's sums run up to the last key it uses.
    assert key_sums_of(path, third) == (3).to_bytes(8, "little") + (-1).to_bytes(
        8, "little", signed=True)
    assert key_sums_of(path, second) is None  # its sum is beyond int64: summed from the lines
    assert [list(b.key_sums) if b.key_sums is not None else None for b in loaded.values()] == [
        [0, 200, 175], None, [3, -1]]
    assert list(loaded.values()) == fetched
    for span in (days(DAY, 3), days(second, 2), [third, DAY]):
        gathered = CostLines.from_buckets(span, list(loaded.values()))
        expected = CostLines.from_buckets(span, fetched)
        assert (gathered.keys, gathered.rows, gathered.scale, gathered.day_keys) == (
            expected.keys, expected.rows, expected.scale, expected.day_keys)
        assert gathered.items() == expected.items()


@pytest.mark.parametrize("damage", [
    "UPDATE days SET key_sums = x'0100'",  # not whole int64s
    "UPDATE days SET key_sums = zeroblob(16)",  # more sums than the table has keys
    "UPDATE days SET key_sums = 'text'",
])
def test_damaged_key_sums_move_the_file_aside(path: Path, damage: str) -> None:
    reopened(path).store("org-a", (), [bucket(DAY, "1")])
    with sqlite3.connect(path) as db:
        db.execute(damage)
    cache = reopened(path)
    assert cache.load_days("org-a", (), [DAY]) == {}
    assert len(cache.warnings) == 1 and "key sums of the wrong size" in cache.warnings[0]


def test_an_index_past_the_table_on_one_day_of_many_names_that_day(path: Path) -> None:
    reopened(path).store("org-a", (), [bucket(day, "1") for day in days(DAY, 3)])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE days SET key_indexes = x'01000000' WHERE day = '2026-11-02'")
    cache = reopened(path)
    assert cache.load_days("org-a", (), days(DAY, 3)) == {}
    assert "damaged entry for 2026-11-02: a line key is missing" in cache.warnings[0]


def test_indexes_are_within_the_table_exactly_below_its_width() -> None:
    from costtui.data.cache_codec import indexes_within

    def packed(*indexes: int) -> bytes:
        return b"".join(index.to_bytes(4, "little") for index in indexes)

    assert indexes_within([packed(0, 708), packed(), packed(5)], 709)
    assert not indexes_within([packed(0, 708), packed(709)], 709)
    assert not indexes_within([packed(2**31)], 709) and not indexes_within([packed(2**32 - 1)], 5)
    assert not indexes_within([packed(0)], 0) and indexes_within([packed()], 0)
    assert indexes_within([packed(2**31 - 1)], 2**31)
    assert not indexes_within([b"\0\0\0"], 709) and not indexes_within(["text"], 709)


SCHEMA_2_DAYS = """
CREATE TABLE organizations (org_id TEXT PRIMARY KEY, name TEXT NOT NULL, workspaces_json TEXT,
    updated_at TEXT NOT NULL);
CREATE TABLE profiles (profile TEXT PRIMARY KEY, org_id TEXT NOT NULL, seen_at TEXT NOT NULL);
CREATE TABLE line_keys (org_id TEXT NOT NULL, grouping TEXT NOT NULL, idx INTEGER NOT NULL,
    key TEXT NOT NULL, PRIMARY KEY (org_id, grouping, idx)) WITHOUT ROWID;
CREATE TABLE days (org_id TEXT NOT NULL, grouping TEXT NOT NULL, day TEXT NOT NULL,
    complete INTEGER NOT NULL, fetched_at TEXT NOT NULL, line_count INTEGER NOT NULL,
    scale INTEGER NOT NULL, key_indexes BLOB NOT NULL, amounts BLOB, amounts_text TEXT,
    UNIQUE (org_id, grouping, day));
INSERT INTO organizations VALUES ('org-a', 'Acme', NULL, '2026-11-19T00:00:00+00:00');
INSERT INTO line_keys VALUES ('org-a', '', 0, '["USD",null,null,null,null,null,null,null,null]');
INSERT INTO days VALUES ('org-a', '', '2026-11-01', 1, '2026-11-19T00:00:00+00:00', 1, 0,
    x'00000000', x'6400000000000000', NULL);
PRAGMA user_version = 2;
"""


def test_a_schema_2_file_without_key_sums_drops_its_days_and_says_so(path: Path) -> None:
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_2_DAYS)
    cache = reopened(path)

    assert cache.load_days("org-a", (), [DAY]) == {}
    assert cache.warnings == [
        f"the cache {path} was written by an older costtui (schema 2); its cost days were "
        "dropped and are fetched again as needed"]
    cache.store("org-a", (), [bucket(DAY, "2")])
    assert reopened(path).load_days("org-a", (), [DAY]) == {DAY: bucket(DAY, "2")}
    assert key_sums_of(path, DAY) == (2).to_bytes(8, "little")


def compact_page(day: date, *lines: tuple[str, str]) -> bytes:
    """Return a cost page of one day in the API's compact layout: (workspace, amount) lines."""
    results = [{"amount": amount, "currency": "USD", "workspace_id": workspace,
                "description": "Claude Usage"} for workspace, amount in lines]
    return json.dumps({"data": [{"starting_at": f"{day}T00:00:00Z", "results": results}],
                       "has_more": False, "next_page": None}, separators=(",", ":")).encode()


def test_decoded_days_store_only_their_own_keys_and_load_back_equal(path: Path) -> None:
    second = date(2026, 11, 2)
    pages = [decode_cost_page(compact_page(DAY, ("wrkspc_x", "1.25"), ("wrkspc_y", "-3"))),
             decode_cost_page(compact_page(second, ("wrkspc_z", "0.5"), ("wrkspc_x", "7.125")))]
    (first_day,), (second_day,) = [page[0] for page in pages if page is not None]
    cache = reopened(path)
    cache.store("org-a", GROUPING, [second_day])
    with sqlite3.connect(path) as db:
        stored = [json.loads(key)[1] for (key,) in db.execute(
            "SELECT key FROM line_keys ORDER BY idx")]
    assert stored == ["wrkspc_z", "wrkspc_x"]  # not wrkspc_y: decoded, but not in these days
    cache.store("org-a", GROUPING, [first_day])
    loaded = reopened(path).load_days("org-a", GROUPING, [DAY, second])
    assert loaded == {DAY: first_day, second: second_day}
    assert [[(i.workspace_id, i.amount_cents) for i in b.items] for b in loaded.values()] == [
        [("wrkspc_x", Decimal("1.25")), ("wrkspc_y", Decimal(-3))],
        [("wrkspc_z", Decimal("0.5")), ("wrkspc_x", Decimal("7.125"))]]
    reopened(path).store("org-b", GROUPING, list(loaded.values()))  # through the file's table
    assert reopened(path).load_days("org-b", GROUPING, [DAY, second]) == loaded
