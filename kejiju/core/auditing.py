"""Audit entries (django-auditlog) for rows written with bulk_create, which sends no signals: the same
CREATE entry auditlog writes on save(), with the acting user, in one INSERT per batch."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.encoding import smart_str


def log_bulk_created(objects: Sequence[models.Model], *, actor) -> None:
    from auditlog.cid import get_cid
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry

    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    json_changes = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    cid = get_cid()
    email = getattr(actor, "email", None) if actor is not None else None
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=smart_str(obj),
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(None, obj, use_json_for_changes=json_changes),
                actor=actor if getattr(actor, "pk", None) else None,
                actor_email=email,
                cid=cid,
            )
            for obj in objects
        ],
        batch_size=2000,
    )
