from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory


class TwoErrorsForm(forms.Form):
    name = forms.CharField(label="名称", required=False)

    def clean(self):
        raise forms.ValidationError(["第一条错误 <b>", "第二条错误"])


def test_form_errors_are_listed_one_per_line_and_escaped(bureau_user):
    """Non-field errors are separate lines: a joiner like "<br>" would be escaped into visible text."""
    request = RequestFactory().get("/")
    request.user = bureau_user
    form = TwoErrorsForm(data={"name": "x"})
    html = render_to_string("generic/object_form.html", {"form": form, "title": "测试"}, request=request)
    # crispy renders them, once (the page template no longer repeats them: test_form_errors_once.py)
    assert html.count("<li>第一条错误 &lt;b&gt;</li>") == 1 and html.count("<li>第二条错误</li>") == 1
    assert "&lt;br&gt;" not in html


def test_every_list_page_declares_its_filters():
    """Without a filterset django-filter builds one from every model field, unstyled and unlabelled."""
    from django.urls import get_resolver

    from kejiju.core.views import ObjectListView

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    views = {getattr(p.callback, "view_class", None) for p in walk(get_resolver().url_patterns)}
    lists = [v for v in views if isinstance(v, type) and issubclass(v, ObjectListView)]
    assert len(lists) > 20
    assert [v.__name__ for v in lists if v.filterset_class is None] == []
