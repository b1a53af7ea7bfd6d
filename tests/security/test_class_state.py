"""No request writes into state that every request shares (kejiju/core/guards.py).

- The source: no method of the project writes into a class-level attribute (`self.initial.update(...)`,
  `self.<class-level dict>[...] = …`, `cls.x = …`, `type(self).x = …`, anything under `self.Meta` or
  `self._meta`), reads `base_fields` / `declared_fields` / `base_filters` / `declared_filters` /
  `base_columns` (the class's own; a request uses `self.fields`, `self.filters`, `self.columns`, Django's
  per-instance deep copies), or writes into a module-level dict, list or set of a views, forms, tables or
  filters module. Found by reading every module of the project, so code no test reaches is covered too.
- At run time: FormMixin.initial is read-only and get_initial() still gives a writable dict; the monthly
  form of one county is never pre-filled with another county's text.
(The whole class-level state before and after a county's requests: tests/security/test_canary.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.views.generic import FormView
from django.views.generic.edit import FormMixin

from tests.security.classstate import PROJECT_PACKAGES, UI_MODULE_NAMES

ROOT = Path(settings.BASE_DIR)
# Django's class-level attributes that are shared by every instance, whatever the class body says.
SHARED = frozenset({"initial", "extra_context", "http_method_names", "Meta", "_meta", "table_pagination"})
BASE_DICTS = frozenset({"base_fields", "declared_fields", "base_filters", "declared_filters", "base_columns"})
MUTATORS = frozenset(
    {
        "update",
        "setdefault",
        "pop",
        "popitem",
        "clear",
        "append",
        "extend",
        "insert",
        "remove",
        "add",
        "discard",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
    }
)
CONTAINER_CALLS = frozenset({"dict", "list", "set", "defaultdict", "OrderedDict", "Counter"})


def _sources() -> list[Path]:
    files = []
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "management" in parts or path.name.startswith("settings"):
                continue
            files.append(path)
    return files


def _is_ui_module(path: Path) -> bool:
    parts = path.relative_to(ROOT).with_suffix("").parts[1:]
    return any(
        part in UI_MODULE_NAMES or part.startswith(tuple(f"{n}_" for n in UI_MODULE_NAMES)) for part in parts
    )


def _is_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in CONTAINER_CALLS
    return False


def _assigned(statement: ast.stmt) -> list[tuple[str, ast.expr | None]]:
    if isinstance(statement, ast.Assign):
        return [(t.id, statement.value) for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [(statement.target.id, statement.value)]
    return []


def class_containers(trees: dict[Path, ast.Module]) -> frozenset[str]:
    """Names that some class body of the project binds to a dict, list or set (Meta bodies excepted: the
    Meta rules below cover them)."""
    names = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name != "Meta":
                for statement in node.body:
                    names.update(name for name, value in _assigned(statement) if _is_container(value))
    return frozenset(names)


def _chain(node: ast.expr) -> list[ast.expr]:
    """`self.a[b].c` → [self, self.a, self.a[b], self.a[b].c]."""
    chain = [node]
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
        chain.append(node)
    return chain[::-1]


def _is_self_class(node: ast.expr) -> bool:
    """`cls`, `type(self)`, `self.__class__`."""
    if isinstance(node, ast.Name):
        return node.id == "cls"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type":
        return len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "__class__"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _shared_root(target: ast.expr, shared: frozenset[str], module_names: frozenset[str], *, call: bool):
    """The shared object a write through `target` lands in, or None. `call`: target is the object a
    mutating method is called on (then `self.initial` itself counts; for an assignment only what is
    under it does, `self.initial = {...}` being a per-instance rebinding)."""
    chain = _chain(target)
    root = chain[0]
    if _is_self_class(root) and len(chain) >= (1 if call else 2):
        return ast.unparse(chain[min(1, len(chain) - 1)])
    if isinstance(root, ast.Name) and root.id == "self" and len(chain) >= 2:
        first = chain[1]
        if isinstance(first, ast.Attribute) and first.attr in shared and len(chain) >= (2 if call else 3):
            return ast.unparse(first)
    if isinstance(root, ast.Name) and root.id in module_names and len(chain) >= (1 if call else 2):
        return root.id
    return None


def _local_names(function: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def violations(path: Path, tree: ast.Module, shared: frozenset[str]) -> list[str]:
    found = []
    module_names = frozenset()
    if _is_ui_module(path):
        module_names = frozenset(
            name for statement in tree.body for name, value in _assigned(statement) if _is_container(value)
        )
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        globals_here = module_names - _local_names(function)
        for node in ast.walk(function):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            targets: list[tuple[ast.expr, bool]] = []
            if isinstance(node, ast.Assign):
                targets = [(t, False) for t in node.targets]
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [(node.target, False)]
            elif isinstance(node, ast.Delete):
                targets = [(t, False) for t in node.targets]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
            ):
                targets = [(node.func.value, True)]
            for target, call in targets:
                root = _shared_root(target, shared, globals_here, call=call)
                if root is not None:
                    found.append(f"{where}: writes into shared {root}: {ast.unparse(node)[:100]}")
            if isinstance(node, ast.Attribute) and node.attr in BASE_DICTS:
                found.append(f"{where}: uses the class's {node.attr} (use the instance's copy)")
    return found


def test_no_method_writes_class_level_state():
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _sources()}
    assert len(trees) > 100
    shared = SHARED | class_containers(trees)
    found = [v for path, tree in trees.items() for v in violations(path, tree, shared)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("class V:\n    def get_form_kwargs(self):\n        self.initial.update(a=1)\n", 1),
        ("class V:\n    def get(self):\n        self.initial['a'] = 1\n", 1),
        ("class V:\n    def get(self):\n        self.extra_context.setdefault('a', 1)\n", 1),
        ("class V:\n    x = {}\n    def get(self):\n        self.x['a'] = 1\n", 1),
        ("class V:\n    x = []\n    def get(self):\n        self.x.append(1)\n", 1),
        ("class F:\n    def __init__(self):\n        self.base_fields['a'].initial = 1\n", 1),
        ("class F:\n    def __init__(self):\n        self._meta.widgets['a'] = 1\n", 1),
        ("class F:\n    def __init__(self):\n        type(self).label = 'x'\n", 1),
        ("class F:\n    @classmethod\n    def f(cls):\n        cls.seen.add(1)\n", 1),
        ("class T:\n    def __init__(self):\n        self.base_columns['a'].attrs['td'] = {}\n", 1),
        ("ATTRS = {}\ndef f():\n    ATTRS['td'] = 1\n", 1),
        # Per-request copies and rebinding are fine.
        (
            "class V:\n    def get_initial(self):\n        initial = super().get_initial()\n"
            "        initial['a'] = 1\n        return initial\n",
            0,
        ),
        ("class F:\n    def __init__(self):\n        self.fields['a'].widget.attrs['class'] = 'x'\n", 0),
        ("class V:\n    def setup(self):\n        self.initial = {'a': 1}\n", 0),
        ("ATTRS = {}\ndef f():\n    ATTRS = {}\n    ATTRS['td'] = 1\n", 0),
    ],
)
def test_the_source_rules_find_writes(source, expected):
    path = ROOT / "kejiju" / "core" / "views" / "example.py"
    shared = SHARED | class_containers({path: ast.parse(source)})
    assert len(violations(path, ast.parse(source), shared)) == expected, source


def test_form_mixin_initial_is_read_only():
    with pytest.raises(TypeError):
        FormMixin.initial["key_progress"] = "忻府区的工作进展"
    with pytest.raises(AttributeError):
        FormMixin.initial.update(key_progress="忻府区的工作进展")
    view = FormView()
    initial = view.get_initial()
    initial["key_progress"] = "x"  # the per-request copy is writable
    assert dict(FormMixin.initial) == {} and view.get_initial() == {}


@pytest.mark.django_db
def test_monthly_form_of_one_county_never_prefills_another(client, county_user, other_county_user, county_a):
    """As reported: 忻府区 opens its saved filing, then 定襄县 opens its blank form for the month."""
    from django.utils import timezone

    from kejiju.reporting import rules
    from tests.reporting.factories import MonthlyFilingFactory

    year, month = rules.due_month(timezone.now())
    MonthlyFilingFactory(
        region=county_a,
        year=year,
        month=month,
        state="draft",
        key_progress="忻府区：与山西大学共建转化基地。",
        problems="忻府区：资金不足。",
        next_plan="忻府区：推进产业园。",
    )
    url = reverse("reporting:filing_form", kwargs={"year": year, "month": month})
    client.force_login(county_user)
    assert "忻府区：与山西大学共建转化基地。" in client.get(url).content.decode()
    client.force_login(other_county_user)
    response = client.get(url)
    assert response.context["filing"] is None
    assert "忻府区" not in response.content.decode()
    form = response.context["form"]
    assert [form[name].value() for name in ("key_progress", "problems", "next_plan")] == [None, None, None]
