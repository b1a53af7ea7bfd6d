"""高企倍增计划: a target's check against its base and a plan's 完成度."""

from __future__ import annotations


def doubling_target_problem(*, target: int | None, base: int, field: str = "有效高企目标数") -> str | None:
    """A doubling target must lie above its base (the count on 31 December of the year before)."""
    if target is None or target <= 0:
        return f"{field}必须大于 0（基数为{base}）。"
    if target <= base:
        return f"{field}（{target}）必须大于基数（上年末{base}）。"
    return None


def doubling_percent(*, actual: int, base: int, target: int) -> int | None:
    """完成度 of a doubling plan in whole percent (rounded down): growth over the base ÷ (target − base).
    None when the target is not above the base (no growth was planned). Negative growth shows as 0."""
    if target <= base:
        return None
    return max(actual - base, 0) * 100 // (target - base)
