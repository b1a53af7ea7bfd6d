"""Scale data of `manage.py seed_scale`: `scale.platforms` platforms hosted by units of the scale data, each
with its timeline (登记, and 认定 for the recognised ones) as core.WorkflowEvent rows; the mix of states
and levels is `platforms/data/scale.json`."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kejiju.core import demodata
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.scale import copy_objects, next_id

from .models import FIELD_CHOICES, Platform, PlatformType
from .rules import PlatformState
from .workflow import PLATFORM_WORKFLOW


def _event(pk, action, from_state, to_state, data, effective_on, now, *, content_type=None) -> WorkflowEvent:
    return WorkflowEvent(
        content_type=content_type or ContentType.objects.get_for_model(Platform),
        object_id=pk,
        workflow=PLATFORM_WORKFLOW.key,
        action=action,
        label=PLATFORM_WORKFLOW.action_label(action),
        from_state=from_state,
        to_state=to_state,
        effective_on=effective_on,
        recorded_at=now,
        data=data,
    )


def seed_scale(*, scale, rng, stdout) -> None:
    types = list(PlatformType.objects.values_list("pk", "name"))
    hosts = list(
        Organization.objects.exclude(region=None).values_list("pk", "region_id", "name")[: scale.enterprises]
    )
    fields = [value for value, _ in FIELD_CHOICES]
    now = timezone.now()
    this_year = timezone.localdate().year
    first = next_id(Platform)
    platforms, events = [], []
    mix = demodata.read("platforms", "scale")  # the weights of states and levels
    for i in range(scale.platforms):
        host, region, host_name = rng.choice(hosts)
        type_id, type_name = rng.choice(types)
        state = rng.choices(list(mix["states"]), weights=list(mix["states"].values()))[0]
        level = rng.choices(list(mix["levels"]), weights=list(mix["levels"].values()))[0]
        registered = dt.date(
            rng.randint(this_year - 10, this_year - 1), rng.randint(1, 12), rng.randint(1, 28)
        )
        recognised = (
            registered + dt.timedelta(days=rng.randint(60, 400))
            if state != PlatformState.CULTIVATING
            else None
        )
        if recognised and recognised.year > this_year:
            recognised = recognised.replace(year=this_year)
        pk = first + i
        platforms.append(
            Platform(
                pk=pk,
                name=f"{host_name[:8]}{type_name[:12]}{i:05d}",
                platform_type_id=type_id,
                level=level,
                state=state,
                host_id=host,
                region_id=region,
                field=rng.choice(fields),
                certificate_no=f"XZPT{pk:07d}" if recognised else "",
                recognised_on=recognised,
                staff_count=rng.randint(5, 120),
                created_at=now,
                updated_at=now,
            )
        )
        events.append(
            _event(pk, "register", "", PlatformState.CULTIVATING, {"to_level": level}, registered, now)
        )
        levels = {"from_level": level, "to_level": level}
        if recognised:
            events.append(
                _event(
                    pk,
                    "recognise",
                    PlatformState.CULTIVATING,
                    PlatformState.RECOGNISED,
                    levels,
                    recognised,
                    now,
                )
            )
        if state == PlatformState.REVOKED:
            revoked = recognised + dt.timedelta(days=400)
            events.append(
                _event(pk, "revoke", PlatformState.RECOGNISED, PlatformState.REVOKED, levels, revoked, now)
            )
    copy_objects(Platform, platforms)
    copy_objects(WorkflowEvent, events)
    stdout.write(f"  platforms: {len(platforms)} with {len(events)} timeline events")
