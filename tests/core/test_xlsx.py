import datetime as dt
from decimal import Decimal

import pytest

from kejiju.core.xlsx import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("忻府区", "忻府区"),
        (12, 12),
        (Decimal("1.50"), Decimal("1.50")),
        (None, None),
        (dt.date(2023, 1, 2), dt.date(2023, 1, 2)),
    ],
)
def test_formula_like_text_is_neutralised(value, expected):
    assert neutralise(value) == expected


class _Row:
    """A related object in a table cell (e.g. the host unit of a platform), written as its text."""

    def __str__(self):
        return '=HYPERLINK("http://x")'


def test_an_object_whose_text_is_a_formula_is_neutralised():
    assert neutralise(_Row()) == '\'=HYPERLINK("http://x")'
