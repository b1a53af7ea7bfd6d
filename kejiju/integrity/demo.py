"""Demo 失信 records (data/demo.json, all fictitious): a unit barred from 申报/立项/拨付, a person barred
from reviewing and applying, and a person whose 信用修复 ended the ban early. Idempotent by 文号."""

from __future__ import annotations

import datetime as dt

from kejiju.accounts.models import User
from kejiju.core import demodata

from . import services
from .models import SCOPES, IntegrityRecord


def seed_demo_records(*, stdout=None) -> None:
    bureau = User.objects.filter(username="bureau").first()
    if bureau is None:
        return
    created = 0
    for spec in demodata.read("integrity")["records"]:
        if IntegrityRecord.objects.filter(source=spec["source"], name=spec["name"]).exists():
            continue
        services.record_create(
            user=bureau,
            kind=spec["kind"],
            name=spec["name"],
            source=spec["source"],
            uscc=spec.get("uscc", ""),
            id_number=spec.get("id_number", ""),
            employer=spec.get("employer", ""),
            misconduct=spec["misconduct"],
            starts_on=dt.date.fromisoformat(spec["starts_on"]),
            ends_on=dt.date.fromisoformat(spec["ends_on"]) if spec["ends_on"] else None,
            repaired_on=dt.date.fromisoformat(spec["repaired_on"]) if spec.get("repaired_on") else None,
            repair_note=spec.get("repair_note", ""),
            **{field: key in spec["scopes"] for key, (field, _label) in SCOPES.items()},
        )
        created += 1
    if stdout is not None:
        stdout.write(f"  科研诚信：{IntegrityRecord.objects.count()} 条失信记录（本次新增 {created} 条）")
