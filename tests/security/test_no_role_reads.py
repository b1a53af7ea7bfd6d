"""Authorization by permission only: business code never decides by a user's role.

Roles are groups; what each may do is the permissions declared in `AppConfig.role_permissions`. A check
of `user.role` (or a comparison with `Role.X`) would ignore a change of a group's permissions, so this
walks the source of the domain apps and fails on one. Declarations (apps.py, roles.py), demo and scale
data builders, which create accounts of a role, are outside the walk."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ["enterprises", "platforms", "projects", "experts", "kejiju/reporting", "kejiju/core"]
OUTSIDE = {"apps.py", "roles.py", "demo.py", "scale.py"}
USERISH = {"user", "actor", "request_user", "account", "viewer", "editor", "reviewer"}


def _files():
    for base in DOMAIN:
        for path in sorted((ROOT / base).rglob("*.py")):
            if "migrations" in path.parts or path.name in OUTSIDE:
                continue
            yield path


def _tail(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_role_read(node) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "role" and _tail(node.value) in USERISH
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "role"
        )
    if isinstance(node, ast.Compare):
        return any(
            isinstance(operand, ast.Attribute)
            and isinstance(operand.value, ast.Name)
            and operand.value.id == "Role"
            for operand in [node.left, *node.comparators]
        )
    return False


def role_reads(source: str) -> list[int]:
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if _is_role_read(node)})


FILES = list(_files())


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_no_role_reads(path):
    found = role_reads(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} decides by the user's role on lines {found}: ask has_perm"


def test_the_walk_finds_a_role_read():
    assert role_reads("if user.role == 'county':\n    pass\n") == [1]
    assert role_reads("if actor.role != Role.BUREAU:\n    pass\n") == [1]
    assert role_reads("editable = self.request.user.role != 'county'\n") == [1]
    assert role_reads("x = member.role == ReviewMember.Role.REGULAR\n") == []
