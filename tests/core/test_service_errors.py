"""One mechanism carries a service's refusal to the page: `ServiceFormMixin` (the base edit views use it).

A view that catches a ValidationError itself to put it on a form is a second copy: the source walk fails
on one anywhere but kejiju/core/views/generic.py."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.views.generic import FormView

from kejiju.core.views.generic import ServiceFormMixin, service_error_text

ROOT = Path(__file__).resolve().parents[2]
APPS = ["enterprises", "platforms", "projects", "experts", "kejiju"]
MECHANISM = ROOT / "kejiju/core/views/generic.py"


def _catches_into_form(source: str) -> list[int]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)} | {
            n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)
        }
        if "ValidationError" not in names and "TransitionRefused" not in names:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                func = inner.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"add_error", "add_service_errors", "form_invalid"}:
                    found.append(node.lineno)
                    break
    return found


VIEW_FILES = sorted(
    path
    for base in APPS
    for path in (ROOT / base).rglob("*.py")
    if "migrations" not in path.parts and "views" in str(path.relative_to(ROOT)) and path != MECHANISM
)


@pytest.mark.parametrize("path", VIEW_FILES, ids=[str(p.relative_to(ROOT)) for p in VIEW_FILES])
def test_no_view_copies_the_service_error_mechanism(path):
    lines = _catches_into_form(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.relative_to(ROOT)} puts a service error on a form itself (lines {lines})"


def test_the_walk_finds_a_copy():
    lines = ["def f(form):", "    try:", "        g()", "    except ValidationError as e:"]
    source = "\n".join([*lines, "        form.add_error(None, e)"])
    assert _catches_into_form(source) == [4]


class _Form(forms.Form):
    name = forms.CharField(label="名称")


class _View(ServiceFormMixin, FormView):
    form_class = _Form
    template_name = "generic/object_form.html"
    success_url = "/done/"

    def perform(self, form):
        if form.cleaned_data["name"] == "refused":
            raise ValidationError({"name": "名称已存在。"})
        if form.cleaned_data["name"] == "whole":
            raise ValidationError("不能办理。")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "field_errors", "form_errors"),
    [("refused", {"name": ["名称已存在。"]}, []), ("whole", {}, ["不能办理。"])],
)
def test_service_error_lands_on_its_field(rf: RequestFactory, bureau_user, name, field_errors, form_errors):
    request = rf.post("/x/", {"name": name})
    request.user = bureau_user
    request._dont_enforce_csrf_checks = True
    response = _View.as_view()(request)
    assert response.status_code == 200
    form = response.context_data["form"]
    assert {k: v for k, v in form.errors.items() if k != "__all__"} == field_errors
    assert form.non_field_errors() == form_errors


@pytest.mark.django_db
def test_accepted_form_redirects(rf, bureau_user):
    request = rf.post("/x/", {"name": "ok"})
    request.user = bureau_user
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = {}
    request._messages = FallbackStorage(request)
    response = _View.as_view()(request)
    assert response.status_code == 302


def test_error_text_joins_messages():
    assert service_error_text(ValidationError(["甲。", "乙。"])) == "甲。；乙。"
