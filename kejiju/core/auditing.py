"""Audit entries (django-auditlog) for rows written with bulk_create, which sends no signals: the same
CREATE entry auditlog writes on save(), with the acting user, in one INSERT per batch.

auditlog's `model_instance_diff(None, obj)` reads every field of the model through `_meta` per object and
follows each reverse one-to-one relation with a query; for thousands of new rows that was most of an
import's time. `created_changes` gives the same dict with the per-field work decided once per model and
the reverse one-to-one relations read with one query per relation for the whole batch."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.utils.encoding import smart_str

_ABSENT = "None"  # what auditlog records for the "old" side of a created object, and compares against


def _text(value: Any) -> str:
    value = smart_str(value)
    return str(value) if type(value).__name__ == "__proxy__" else value


def _field_readers(objects: Sequence[models.Model]) -> list[tuple[str, Callable[[models.Model], Any]]] | None:
    """(field name, obj -> the value auditlog compares with "None") for every field auditlog tracks on
    this model; None when the model's registration needs auditlog's own path (masked, included or
    excluded fields, JSON changes, string representations of foreign keys)."""
    from auditlog.diff import get_field_value, get_fields_in_model
    from auditlog.registry import auditlog

    first = objects[0]
    options = auditlog.get_model_fields(type(first))
    if (
        getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
        or getattr(settings, "AUDITLOG_USE_FK_STRING_REPRESENTATION", False)
        or options["include_fields"]
        or options["exclude_fields"]
        or options["mask_fields"]
    ):
        return None
    readers: list[tuple[str, Callable[[models.Model], Any]]] = []
    for field in get_fields_in_model(first):
        name = field.name
        if isinstance(field, models.DateTimeField | models.JSONField):
            readers.append((name, lambda obj, field=field: get_field_value(obj, field)))
        elif (field.one_to_one or field.many_to_one) and hasattr(field, "rel_class"):
            attname = field.get_attname()
            readers.append(
                (name, lambda obj, attname=attname: smart_str(getattr(obj, attname), strings_only=True))
            )
        elif field.one_to_many:
            # A reverse foreign key: auditlog records the related manager's text, the same for every row.
            text = _text(getattr(first, name))
            readers.append((name, lambda obj, text=text: text))
        elif field.one_to_one:  # a reverse one-to-one: filled in by _reverse_one_to_one
            continue
        elif field.concrete and not field.is_relation:
            attname = field.attname
            readers.append((name, lambda obj, attname=attname: _text(getattr(obj, attname))))
        else:
            return None
    return readers


def _reverse_one_to_one(objects: Sequence[models.Model]) -> dict[str, dict[Any, str]]:
    """For each reverse one-to-one relation: {pk: text of the related row} (cached on the object, or read
    with one query for the batch); rows without one are absent, as auditlog leaves them out."""
    texts: dict[str, dict[Any, str]] = {}
    for field in objects[0]._meta.get_fields():
        if not (field.one_to_one and field.auto_created and not field.concrete):
            continue
        found: dict[Any, str] = {}
        missing = []
        for obj in objects:
            if field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    found[obj.pk] = _text(related)
            else:
                missing.append(obj.pk)
        if missing:
            remote = field.remote_field
            for related in field.related_model._base_manager.filter(**{f"{remote.attname}__in": missing}):
                found[getattr(related, remote.attname)] = _text(related)
        texts[field.name] = found
    return texts


def created_changes(objects: Sequence[models.Model]) -> list[dict[str, list[str]] | None]:
    """What auditlog's `model_instance_diff(None, obj)` gives for each object (all saved, same model)."""
    from auditlog.diff import model_instance_diff

    if not objects:
        return []
    readers = _field_readers(objects)
    if readers is None:
        return [model_instance_diff(None, obj) for obj in objects]
    reverse = _reverse_one_to_one(objects)
    result = []
    for obj in objects:
        diff = {}
        for name, read in readers:
            value = read(obj)
            if value != _ABSENT:
                diff[name] = (_ABSENT, smart_str(value))
        for name, texts in reverse.items():
            text = texts.get(obj.pk)
            if text is not None and text != _ABSENT:
                diff[name] = (_ABSENT, text)
        result.append(diff or None)
    return result


def _copy_insert(template: models.Model, varying: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT one row per item of `rows`: the fields named in `varying` take the item's values, every other
    field the template's. Written with PostgreSQL's COPY (bulk_create's UNNEST arrays are quoted in
    Python, which for the JSON of thousands of audit entries took seconds); the values are what
    bulk_create would send (`get_db_prep_save`, the template's fields prepared once); no primary keys are
    read back."""
    model = type(template)
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = []
        for row in rows:
            obj = copy.copy(template)
            for name, value in zip(varying, row, strict=True):
                setattr(obj, name, value)
            objects.append(obj)
        model._base_manager.bulk_create(objects, batch_size=2000)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    by_name = {field.name: field for field in fields}
    fixed = [field.get_db_prep_save(field.pre_save(template, True), connection) for field in fields]
    slots = [(fields.index(by_name[name]), by_name[name]) for name in varying]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
        for row in rows:
            values = list(fixed)
            for (index, field), value in zip(slots, row, strict=True):
                values[index] = field.get_db_prep_save(value, connection)
            out.write_row(values)


def log_bulk_created(objects: Sequence[models.Model], *, actor) -> None:
    """auditlog's CREATE entry for each object, with the acting user and the client's address (of the
    request or job being served, kejiju.core.clientip); one timestamp for the batch."""
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry

    from .clientip import client_ip

    if not objects:
        return
    email = getattr(actor, "email", None) if actor is not None else None
    template = LogEntry(
        content_type=ContentType.objects.get_for_model(objects[0]),
        action=LogEntry.Action.CREATE,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=email,
        cid=get_cid(),
        remote_addr=client_ip(),
    )
    _copy_insert(
        template,
        ("object_pk", "object_id", "object_repr", "changes"),
        [
            (str(obj.pk), obj.pk if isinstance(obj.pk, int) else None, smart_str(obj), changes)
            for obj, changes in zip(objects, created_changes(objects), strict=True)
        ],
    )


@contextlib.contextmanager
def acting_as(*, user, client_ip: str | None) -> Iterator[None]:
    """Run a background job as the request that queued it: auditlog's change entries get its user and
    address, and so does everything that reads kejiju.core.clientip. The surrounding auditlog context
    (a request's, when a job runs in-process) is restored afterwards (auditlog's set_actor does not)."""
    from auditlog.context import auditlog_value, set_actor

    from .clientip import client_ip_context

    outer = auditlog_value.get(None)
    try:
        with client_ip_context(client_ip), set_actor(user, remote_addr=client_ip):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
