"""How values read on screen: one place, so every screen writes £10m the same way."""

from __future__ import annotations

from datetime import date


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def gbp(amount: int | None) -> str:
    if amount is None:
        return "—"
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:,.1f}m".replace(".0m", "m")
    if amount >= 1_000:
        return f"£{amount / 1_000:,.0f}k"
    return f"£{amount:,}"


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def sample_mark(is_sample: bool) -> str:
    return "sample" if is_sample else ""
