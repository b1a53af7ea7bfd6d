from django import template

from kejiju.core import presentation

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan with thousands separators and two decimals: 1234567.5 → "1,234,567.50"."""
    return presentation.amount(value)
