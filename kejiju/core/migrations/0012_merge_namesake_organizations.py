"""Before a unit's name becomes unique (0013): units recorded twice before the rule (once with a code, once by
name only) are merged: the name-only unit's references move to the unit kept, then it is deleted. A namesake
that cannot be merged (it has a code of its own, or moving its references would duplicate a record: the
kept unit is a pilot unit already) is kept under a name that marks it for a person to check."""

from django.db import IntegrityError, migrations, transaction
from django.db.models import Count


def _repoint(organization_model, unit, keeper) -> bool:
    try:
        with transaction.atomic():
            for relation in organization_model._meta.related_objects:
                related, field = relation.related_model, relation.field
                if relation.many_to_many:
                    through = field.remote_field.through
                    mine = next(f for f in through._meta.fields if f.related_model is organization_model)
                    other = next(
                        f
                        for f in through._meta.fields
                        if f.is_relation and f is not mine and f.related_model is not None
                    )
                    held = through._base_manager.filter(**{mine.name: keeper}).values(other.attname)
                    through._base_manager.filter(**{mine.name: unit, f"{other.attname}__in": held}).delete()
                    through._base_manager.filter(**{mine.name: unit}).update(**{mine.name: keeper})
                else:
                    related._base_manager.filter(**{field.name: unit}).update(**{field.name: keeper})
            unit.delete()
        return True
    except IntegrityError:  # the kept unit has such a record already (a one-to-one, a unique pair)
        return False


def merge_namesakes(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    for pk, name in Organization.objects.values_list("pk", "name").iterator():
        clean = " ".join(name.split())
        if clean != name:
            Organization.objects.filter(pk=pk).update(name=clean)
    names = list(
        Organization.objects.values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    for name in names:
        units = sorted(Organization.objects.filter(name=name), key=lambda u: (u.uscc == "", u.pk))
        keeper = units[0]
        for unit in units[1:]:
            if not unit.uscc and _repoint(Organization, unit, keeper):
                continue
            unit.name = f"{name}（重名待核对 {unit.uscc or unit.pk}）"[:200]
            unit.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_password_policy"),
        ("core", "0011_alter_organization_organization_uscc_unique"),
        # Every app whose records point at a unit, so the merge sees their current fields.
        ("enterprises", "0011_constraint_messages"),
        ("experts", "0011_vicepresidentplacement_placement_once_per_enterprise_year_and_more"),
        ("platforms", "0008_batch_application_events"),
        ("projects", "0012_cooperationproject_cooperation_title_once_per_year_kind_and_more"),
    ]

    operations = [
        migrations.RunPython(merge_namesakes, migrations.RunPython.noop),
    ]
