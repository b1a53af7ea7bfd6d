"""The filter forms' selects are written in Python (kejiju.core.filters.LeanSelectMixin): the HTML must be
what Django's own templates give for the same widget, value and attributes (but for the blank lines
those templates leave between options)."""

import pytest
from django import forms

from kejiju.core.filters import LeanNullBooleanSelect, LeanSelect

CHOICES = [("", "---------"), (1, "忻府区"), (2, "<原平市> & “代县”"), (None, "无"), ("2", "重复值")]


def _lines(html: str) -> list[str]:
    return [line for line in html.splitlines() if line.strip()]


GROUPED = [("", "全部"), ("华北", [(1, "忻府区"), (2, "原平市")]), (3, "其他")]


@pytest.mark.parametrize("value", [None, "", 1, "2", "missing", ["1", "2"]])
@pytest.mark.parametrize("choices", [CHOICES, GROUPED], ids=["flat", "grouped"])
def test_lean_select_renders_as_djangos_template(value, choices):
    attrs = {"id": "id_region", "class": "form-select form-select-sm", "data-x": 'a"b', "required": True}
    lean = LeanSelect(choices=choices).render("region", value, attrs=attrs)
    stock = forms.Select(choices=choices).render("region", value, attrs=attrs)
    assert _lines(lean) == _lines(stock)


@pytest.mark.parametrize("value", [None, True, False, "unknown"])
def test_lean_null_boolean_select_renders_as_djangos_template(value):
    choices = (("unknown", "全部"), ("true", "是"), ("false", "否"))
    lean = LeanNullBooleanSelect()
    stock = forms.NullBooleanSelect()
    lean.choices = stock.choices = choices
    assert _lines(lean.render("gaoqi", value, attrs={"id": "id_gaoqi"})) == _lines(
        stock.render("gaoqi", value, attrs={"id": "id_gaoqi"})
    )


@pytest.mark.django_db
def test_a_model_select_reads_its_choices_in_one_plain_query(regions, django_assert_num_queries):
    from kejiju.accounts.models import Region

    field = forms.ModelChoiceField(queryset=Region.objects.filter(code__startswith="1409"))
    stock = forms.Select(choices=field.choices).render("region", None, attrs={"id": "id_region"})
    lean_widget = LeanSelect()
    lean_widget.choices = field.choices
    with django_assert_num_queries(1) as captured:
        lean = lean_widget.render("region", None, attrs={"id": "id_region"})
    assert "COUNT" not in captured.captured_queries[0]["sql"]
    assert "忻府区" in lean and _lines(lean) == _lines(stock)
