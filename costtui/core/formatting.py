"""Plain-text formatting of money, changes and sparklines (shared by TUI and CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from costtui.core.report import ZERO, DollarSeries

if TYPE_CHECKING:
    from costtui.core.forecast import Forecast

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
CENT = Decimal("0.01")


def format_dollars(amount: Decimal) -> str:
    """Return an amount as $1,234.56 (rounded half-even to the cent, for display only)."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def format_exact(amount: Decimal) -> str:
    """Return an amount as an exact plain decimal string, never in exponent form."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def format_change(current: Decimal, previous: Decimal) -> tuple[str, str]:
    """Return the change as ("+$12.30", "+4.5%"), with "new" where nothing came before."""
    delta = current - previous
    delta_text = ("+" if delta > 0 else "") + format_money(delta)
    if previous == 0:
        return delta_text, ("new" if current > 0 else "—")
    percent = abs(delta / previous * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    sign = "+" if delta > 0 else "-" if delta < 0 else ""
    return delta_text, f"{sign}{percent}%"  # the sign of the dollars, even when it rounds to 0


def format_share(part: Decimal, whole: Decimal) -> str:
    """Return part/whole as a percentage with one decimal."""
    if whole == 0:
        return "—"
    percent = (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return f"{percent}%"


def sparkline(values: Sequence[Decimal], width: int | None = None) -> str:
    """Return a block-character sparkline of the values, squeezed to at most `width` cells."""
    if not values:
        return ""
    # A series of one scale is drawn from its integer units: the same blocks, no Decimal a day.
    points: list[Decimal | int] = list(
        values.units if isinstance(values, DollarSeries) else values)
    if width is not None and len(points) > width > 0:
        size = len(points) / width
        points = [
            sum(points[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)])
            for i in range(width)
        ]
    top = Decimal(max(points))
    if top <= 0:
        return SPARK_BLOCKS[0] * len(points)
    last = len(SPARK_BLOCKS) - 1
    return "".join(
        SPARK_BLOCKS[int((max(Decimal(point), ZERO) / top * last).to_integral_value())]
        for point in points
    )


def format_money(amount: Decimal) -> str:
    """Return an amount as shown on screen: like format_dollars, but "<$0.01" under a cent.

    A cost of a tenth of a cent is not nothing; "$0.00" would say it is.
    """
    text = format_dollars(amount)
    if amount != 0 and amount.quantize(CENT, rounding=ROUND_HALF_EVEN) == 0:
        return "-<$0.01" if amount < 0 else "<$0.01"
    return text


def projection_range_text(forecast: Forecast) -> str:
    """Return "projected $X (80 %: $L–$H), estimate": the projection, its range and its nature."""
    return (f"projected {format_dollars(forecast.projected)} "
            f"({forecast.confidence_percent} %: {format_dollars(forecast.low)}–"
            f"{format_dollars(forecast.high)}), estimate")
