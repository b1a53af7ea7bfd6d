from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan with thousands separators and two decimals: 1234567.5 → "1,234,567.50"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
