"""core 0013 makes a unit's name unique; units already recorded twice are merged first (0012) (the name-only
namesake's references move to the unit with a code), and a namesake that cannot be merged keeps a marked
name, so the constraint can be added over a bureau's real data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("core", "0011_alter_organization_organization_uscc_unique")
AFTER = ("core", "0013_organization_name_unique")


def _migrate(core):
    """Every app at its latest migration, core at `core`; the apps of that state."""
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "core"] + [core]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _latest_migrations_after():
    """Every app back at its latest migration afterwards: the tests after this one need core's later ones."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_namesakes_are_merged_or_marked_before_the_name_becomes_unique():
    old = _migrate(BEFORE)
    Organization = old.get_model("core", "Organization")
    Expert = old.get_model("experts", "Expert")
    LumpSumPilot = old.get_model("projects", "LumpSumPilot")

    kept = Organization.objects.create(name="忻州职业技术学院", uscc="91140900MA0K00001X", kind="university")
    name_only = Organization.objects.create(name="忻州职业技术学院", kind="university")
    spaced = Organization.objects.create(name=" 山西 大学 ", kind="university")
    plain = Organization.objects.create(name="山西 大学", kind="university")
    coded_twice = Organization.objects.create(name="同名公司", uscc="91140900MA0K00002X")
    coded_twice_b = Organization.objects.create(name="同名公司", uscc="91140900MA0K00003X")
    pilot = Organization.objects.create(name="试点单位", uscc="91140900MA0K00004X")
    pilot_b = Organization.objects.create(name="试点单位")
    LumpSumPilot.objects.create(organization=pilot, batch=1, since_year=2021)
    LumpSumPilot.objects.create(organization=pilot_b, batch=2, since_year=2022)
    expert = Expert.objects.create(
        name="王某",
        gender="男",
        id_number_digest="d1",
        id_number_masked="1409**",
        employer=name_only,
        title="正高",
        admitted_on=datetime.date(2024, 1, 1),
    )
    expert.avoided_units.add(kept, name_only, plain)

    new = _migrate(AFTER)
    Organization = new.get_model("core", "Organization")
    Expert = new.get_model("experts", "Expert")

    assert not Organization.objects.filter(pk=name_only.pk).exists()
    expert = Expert.objects.get(pk=expert.pk)
    assert expert.employer_id == kept.pk
    assert sorted(expert.avoided_units.values_list("pk", flat=True)) == sorted([kept.pk, spaced.pk])
    # " 山西 大学 " is "山西 大学" once its spaces are normalised: the later namesake merges into it.
    assert Organization.objects.get(pk=spaced.pk).name == "山西 大学"
    assert not Organization.objects.filter(pk=plain.pk).exists()
    assert Organization.objects.get(pk=coded_twice.pk).name == "同名公司"
    assert Organization.objects.get(pk=coded_twice_b.pk).name == "同名公司（重名待核对 91140900MA0K00003X）"
    # The name-only 试点单位 has a pilot of its own and the kept one has one too: it cannot be merged.
    assert Organization.objects.get(pk=pilot_b.pk).name == f"试点单位（重名待核对 {pilot_b.pk}）"
    names = list(Organization.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
