"""The demo organisation's costs: deterministic workspaces, models and daily cost lines."""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from costtui.data.demo_prices import cents_per_token

DEMO_BUDGETS: dict[str, Any] = {
    "monthly": "20000",
    "warn_at": 0.8,
    "workspaces": {"[prod] Search": "12000", "Research Sandbox": "1500", "Default": "2000"},
}
"""The demo's `[profiles.NAME.budgets]` table, as tomllib would load it."""
DEMO_BASE_URL = "https://demo.costtui.invalid"
DEMO_KEY = "sk-ant-admin01-demo-not-a-real-key-0000"
SPIKE_AGE_DAYS = 3
"""The seeded spike falls at least this many days before today: recent, past the 48 h lag."""
_SPIKE_WORKSPACE = "Research Sandbox"
_SPIKE_LINE = "Claude Opus 4.1 Usage - Output Tokens"
_SPIKE_FACTOR = Decimal(40)

_CACHED_DAYS = 4096
_FIVE_DECIMALS = Decimal("0.00001")
_WEEKEND = Decimal("0.35")
_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class _Line:
    """One kind of charge, identified by its description."""

    description: str
    cost_type: str
    model: str | None = None
    token_type: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None
    share: Decimal = Decimal(1)
    presence: int = 100
    step: Decimal = _FIVE_DECIMALS


_LINE_FIELDS = [spec.name for spec in fields(_Line)][:7]


@dataclass(frozen=True)
class _Profile:
    """How much one workspace spends and on what, as `alias:share` lists."""

    name: str
    weight: str
    models: str
    extras: str = ""
    batch_boost: str = "1"
    always_on: bool = False
    archived: bool = False


# alias -> (model id, description label, daily cents at weight 1, inference geo)
_MODELS: dict[str, tuple[str, str, Decimal, str]] = {
    "opus": ("claude-opus-4-1", "Claude Opus 4.1", Decimal(1500), "global"),
    "sonnet": ("claude-sonnet-4-5", "Claude Sonnet 4.5", Decimal(4000), "global"),
    "haiku": ("claude-haiku-4-5", "Claude Haiku 4.5", Decimal(800), "global"),
    "haiku35": ("claude-3-5-haiku", "Claude Haiku 3.5", Decimal(200), "not_available"),
}
_TOKENS: dict[str, tuple[str, Decimal]] = {
    "uncached_input_tokens": ("Input Tokens", Decimal("0.25")),
    "output_tokens": ("Output Tokens", Decimal("0.45")),
    "cache_read_input_tokens": ("Cache Read", Decimal("0.10")),
    "cache_creation.ephemeral_5m_input_tokens": ("Cache Write (5m)", Decimal("0.12")),
    "cache_creation.ephemeral_1h_input_tokens": ("Cache Write (1h)", Decimal("0.08")),
}
_IO = ("uncached_input_tokens", "output_tokens")
_IO_READ = (*_IO, "cache_read_input_tokens")
# suffix, service tier, context window, geo (None: the model's), factor, presence %, tokens, models
_VARIANTS: tuple[tuple[str, str, str, str | None, str, int, tuple[str, ...], str], ...] = (
    ("", "standard", "0-200k", None, "1", 100, tuple(_TOKENS), "opus sonnet haiku haiku35"),
    (", Batch", "batch", "0-200k", None, "0.25", 60, _IO, "opus sonnet haiku haiku35"),
    (", Long Context", "standard", "200k-1M", None, "0.2", 50, _IO_READ, "sonnet"),
    (", US", "standard", "0-200k", "us", "0.15", 40, _IO, "opus sonnet"),
    (", Flex", "flex", "0-200k", None, "0.05", 5, _IO, "haiku"),  # an enum value from the future
)
_NA = "not_available"
_EXTRAS: dict[str, _Line] = {
    "web": _Line("Web Search Usage", "web_search", inference_geo=_NA, presence=80, step=Decimal(1)),
    "code": _Line("Code Execution Usage", "code_execution", inference_geo=_NA, presence=50,
                  step=Decimal("0.1")),
    "session": _Line("Session Usage", "session_usage", inference_geo=_NA, presence=20),
}  # fmt: skip
_DEFAULT_PROFILE = _Profile("Default", "1.5", "sonnet:0.5 haiku:0.5 opus:0.2", always_on=True)
_BASE_PROFILES = (
    _Profile("[prod] Search", "10", "sonnet:1 haiku:0.4", "web:300", always_on=True),
    _Profile("Customer Support Bot", "5", "haiku:1 sonnet:0.3 haiku35:0.5"),
    _Profile("Data Pipeline", "3.5", "sonnet:0.6 haiku:0.5", "code:40", batch_boost="4"),
    _Profile("Research Sandbox", "2", "opus:1 sonnet:0.5", "code:25 session:60"),
    _Profile("Legacy Chat", "0.6", "haiku35:1", archived=True),
)
_EXTRA_NAMES = "Billing Assistant|Docs Q&A|Sales Copilot|Code Review|Translation|Onboarding Bot|"
_EXTRA_NAMES += "Eval Harness|Café Analytics"
_COLORS = ("#6C5BB9", "#D97757", "#4A90D9", "#3CA374", "#C9A227", "#B5568C", "#5F8A8B")


def _shares(text: str) -> dict[str, Decimal]:
    """Parse `alias:share alias:share` into a dict."""
    return {alias: Decimal(share) for alias, share in (pair.split(":") for pair in text.split())}


def _roll(key: str) -> int:
    """Return a stable 64-bit number derived from `key`."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def render_amount(amount: Decimal) -> str:
    """Render an exact amount as a plain decimal string without trailing zeros."""
    return format(amount.normalize(), "f")


def stamp(day: date) -> str:
    """Return the RFC 3339 UTC start of `day`."""
    return f"{day.isoformat()}T00:00:00Z"


def _lines_for(profile: _Profile) -> list[tuple[_Line, Decimal]]:
    """Return the lines a workspace may charge, each with its daily cents before jitter."""
    weight, lines = Decimal(profile.weight), []
    for alias, mix in _shares(profile.models).items():
        model, label, base, model_geo = _MODELS[alias]
        for suffix, tier, window, geo, factor, presence, tokens, aliases in _VARIANTS:
            if alias not in aliases.split():
                continue
            scale = base * mix * weight * Decimal(factor)
            if tier == "batch":
                scale *= Decimal(profile.batch_boost)
            for token in tokens:
                name, share = _TOKENS[token]
                description = f"{label} Usage - {name}{suffix}"
                fill = (model, token, tier, window, geo or model_geo, share, presence)
                lines.append((_Line(description, "tokens", *fill), scale * share))
    for alias, cents in _shares(profile.extras).items():
        lines.append((_EXTRAS[alias], cents * weight))
    return lines


def _item(amount: Decimal, workspace_id: str | None, line: _Line | None) -> dict[str, Any]:
    """Build an API-shaped CostItem; `line` None leaves the description fields null."""
    item: dict[str, Any] = {"amount": render_amount(amount), "currency": "USD"}
    item["workspace_id"] = workspace_id
    for key in _LINE_FIELDS:
        item[key] = None if line is None else getattr(line, key)
    return item


def _workspace_id(seed: int, index: int) -> str:
    """Return a stable ID shaped like the API's, e.g. `wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ`."""
    number, suffix = _roll(f"{seed}|workspace|{index}") << 64 | _roll(f"{seed}|ws|{index}"), ""
    for _ in range(22):
        number, digit = divmod(number, len(_ID_ALPHABET))
        suffix += _ID_ALPHABET[digit]
    return f"wrkspc_01{suffix}"


_Entry = tuple[str | None, _Line, Decimal, int]
"""A charge: workspace, line, cents and quantity (tokens, or searches for web search)."""


def _priced(line: _Line, target: Decimal) -> tuple[Decimal, int]:
    """Return a charge's cents near `target` and its quantity, for lines not priced by token."""
    amount = target.quantize(line.step)
    return amount, int(amount) if line.cost_type == "web_search" else 0


_Plan = tuple[_Line, Decimal, bytes, Decimal | None]
"""A line, its daily cents before jitter, the bytes its roll hashes and its price per token."""


def _plan(line: _Line, cents: Decimal) -> _Plan:
    """Return what a line's daily charge needs: its price per token (None: not by token)."""
    price = None
    if line.cost_type == "tokens":
        assert line.model and line.token_type and line.service_tier and line.context_window
        price = cents_per_token(line.model, line.token_type, line.service_tier,
                                line.context_window)
    return line, cents, line.description.encode(), price


class DemoOrganization:
    """A deterministic synthetic organisation; costs depend only on seed, day, workspace, line."""

    def __init__(
        self,
        *,
        seed: int = 7,
        workspace_count: int = 5,
        name: str = "Acme Robotics (demo)",
        spike_day: date | None = None,
        workspace_names: tuple[str, ...] = (),
    ) -> None:
        """Build the organisation; `workspace_names` renames the first workspaces, in order.

        Costs stay those of the default names, so a test can use emoji or accented names.
        """
        if workspace_count < 0:
            raise ValueError("workspace_count must be 0 or more")
        if len(workspace_names) > workspace_count:
            raise ValueError("more workspace names than workspaces")
        self.seed = seed
        self.spike_day = spike_day
        """The day one workspace's Opus output costs 40 times its usual (None: no spike)."""
        self.name = name
        self.org_id = str(
            uuid.UUID(int=_roll(f"{seed}|org") << 64 | _roll(f"{seed}|id"), version=4)
        )
        profiles = list(_BASE_PROFILES[:workspace_count])
        extra_names, aliases = _EXTRA_NAMES.split("|"), sorted(_MODELS)
        for index in range(len(profiles), workspace_count):
            roll = _roll(f"{seed}|profile|{index}")
            lap, slot = divmod(index - len(_BASE_PROFILES), len(extra_names))
            models = f"{aliases[roll % 4]}:1 {aliases[(roll >> 8) % 4]}:0.5"
            weight = str(Decimal((roll >> 16) % 23 + 3) / 10)
            label = extra_names[slot] + (f" {lap + 1}" if lap else "")
            profiles.append(_Profile(label, weight, models))
        for index, renamed in enumerate(workspace_names):
            profiles[index] = replace(profiles[index], name=renamed)
        self.workspaces: list[dict[str, Any]] = []
        self._streams: list[tuple[str | None, bool, list[tuple[_Line, Decimal]]]] = []
        self._streams.append((None, True, _lines_for(_DEFAULT_PROFILE)))
        for index, profile in enumerate(profiles):
            workspace_id = _workspace_id(seed, index)
            created = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc) + timedelta(days=11 * index)
            self.workspaces.append({
                "id": workspace_id, "type": "workspace", "name": profile.name,
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "archived_at": "2026-06-30T16:00:00Z" if profile.archived else None,
                "display_color": _COLORS[index % len(_COLORS)],
            })  # fmt: skip
            self._streams.append((workspace_id, profile.always_on, _lines_for(profile)))
        self._spike_workspace = next(
            (w["id"] for w in self.workspaces if w["name"] == _SPIKE_WORKSPACE), None
        )
        self._days: dict[date, tuple[_Entry, ...]] = {}
        self._plans = [(workspace, always_on, [_plan(line, cents) for line, cents in lines])
                       for workspace, always_on, lines in self._streams]
        """Each stream's lines with what their daily charge needs, worked out once."""
        self._lock = threading.Lock()

    def cost_items(self, day: date) -> list[dict[str, Any]]:
        """Return the day's CostItems grouped by workspace and description, in API shape."""
        return self.results(day, by_workspace=True, by_description=True)

    def results(
        self, day: date, *, by_workspace: bool, by_description: bool
    ) -> list[dict[str, Any]]:
        """Return the day's CostItems under a grouping, summed exactly."""
        entries = self._entries(day)
        if by_workspace and by_description:
            return [_item(amount, workspace, line) for workspace, line, amount, _ in entries]
        totals: dict[tuple[str | None, str | None], Decimal] = {}
        lines: dict[str, _Line] = {}
        for workspace, line, amount, _ in entries:
            key = (
                workspace if by_workspace else None,
                line.description if by_description else None,
            )
            totals[key] = totals.get(key, Decimal(0)) + amount
            lines[line.description] = line
        return [
            _item(total, workspace, lines[description] if description else None)
            for (workspace, description), total in totals.items()
        ]

    def charges(self, day: date) -> tuple[_Entry, ...]:
        """Return the day's charges with their quantities (what the usage report counts)."""
        return self._entries(day)

    def _entries(self, day: date) -> tuple[_Entry, ...]:
        """Return the day's detailed charges, generated once and cached."""
        with self._lock:
            cached = self._days.get(day)
        if cached is not None:
            return cached
        entries = tuple(self._generate(day))
        with self._lock:
            self._days[day] = entries
            if len(self._days) > _CACHED_DAYS:
                del self._days[next(iter(self._days))]
        return entries

    def _generate(self, day: date) -> list[_Entry]:
        """Compute the day's detailed charges from seeded hashes, with Decimal only."""
        day_key = f"{self.seed}|{day.isoformat()}"
        spike = day == self.spike_day
        if _roll(day_key) % 20 == 0 and not spike:
            return []
        day_factor = _WEEKEND if day.weekday() >= 5 else Decimal(1)
        entries: list[_Entry] = []
        for workspace, always_on, plans in self._plans:
            workspace_key = f"{day_key}|{workspace or 'default'}"
            spiking = spike and workspace == self._spike_workspace
            if not always_on and not spiking and _roll(workspace_key) % 9 == 0:
                continue
            hashed = hashlib.blake2b(f"{workspace_key}|".encode(), digest_size=8)
            for line, cents, text, price in plans:
                line_hash = hashed.copy()  # = _roll(f"{workspace_key}|{line.description}")
                line_hash.update(text)
                roll = int.from_bytes(line_hash.digest(), "big")
                if roll % 100 >= line.presence:
                    continue
                jitter = Decimal(600_000 + (roll >> 8) % 800_001).scaleb(-6)
                if spiking and line.description == _SPIKE_LINE:
                    jitter *= _SPIKE_FACTOR  # a runaway job: clearly anomalous, on one day
                target = cents * day_factor * jitter
                if price is not None:  # tokens: a whole number of them at the exact price
                    tokens = int((target / price).to_integral_value(ROUND_HALF_EVEN))
                    amount, quantity = tokens * price, tokens
                else:
                    amount, quantity = _priced(line, target)
                if amount > 0:
                    entries.append((workspace, line, amount, quantity))
        return entries


def cost_report_body(
    org: DemoOrganization, days: list[date], groups: list[str], next_page: str | None
) -> dict[str, Any]:
    """Return the cost_report page the demo API answers for these days and groups."""
    by_workspace, by_description = "workspace_id" in groups, "description" in groups
    data = [
        {
            "starting_at": stamp(day),
            "ending_at": stamp(day + timedelta(days=1)),
            "results": org.results(day, by_workspace=by_workspace, by_description=by_description),
        }
        for day in days
    ]
    return {"data": data, "has_more": next_page is not None, "next_page": next_page}


def demo_spike_day(today: date) -> date:
    """Return the day of the demo's seeded spike: the last weekday at least 3 days before today.

    A weekday, so the spike stands out at full size rather than at the weekend's 35 %.
    """
    day = today - timedelta(days=SPIKE_AGE_DAYS)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
