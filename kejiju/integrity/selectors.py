"""Reads of 失信 records. The lookups by subject need no decryption: a person is found by the keyed digest
of the ID number (kejiju.core.pii.digest), as experts and team members are."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.accounts.scoping import scoped_queryset
from kejiju.core import pii
from kejiju.core.identifiers import IdentifierError, validate_id_number, validate_uscc

from .models import IntegrityRecord
from .rules import active_condition, scope_field


def record_list(*, user) -> QuerySet[IntegrityRecord]:
    return scoped_queryset(IntegrityRecord, user).select_related("organization")


def active_records(*, on: date | None = None) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.filter(active_condition(on=on or timezone.localdate()))


def active_for_unit(uscc: str, scope: str, on: date | None = None) -> QuerySet[IntegrityRecord]:
    """The records barring the unit with this 统一社会信用代码 from `scope` on `on` (today by default)."""
    field = scope_field(scope)
    try:
        code = validate_uscc(uscc)
    except IdentifierError:
        return IntegrityRecord.objects.none()
    return active_records(on=on).filter(kind=IntegrityRecord.Kind.UNIT, uscc=code, **{field: True})


@sensitive_variables("id_number", "number")
def active_for_person(id_number: str, scope: str, on: date | None = None) -> QuerySet[IntegrityRecord]:
    """The records barring the person with this 身份证号 from `scope` on `on` (today by default)."""
    try:
        number = validate_id_number(id_number)
    except IdentifierError:
        return IntegrityRecord.objects.none()
    return active_for_digest(pii.digest(number), scope, on)


def active_for_digest(digest: str, scope: str, on: date | None = None) -> QuerySet[IntegrityRecord]:
    """The records barring the person whose 身份证号 has this keyed digest (what experts, team members
    and project leaders store) from `scope` on `on`."""
    field = scope_field(scope)
    if not digest:
        return IntegrityRecord.objects.none()
    return active_records(on=on).filter(
        kind=IntegrityRecord.Kind.PERSON, id_number_digest=digest, **{field: True}
    )


def active_for_digests(digests, scope: str, on: date | None = None) -> QuerySet[IntegrityRecord]:
    """`active_for_digest` for many people at once (an expert draw's whole candidate pool: one query)."""
    field = scope_field(scope)
    wanted = sorted({digest for digest in digests if digest})
    if not wanted:
        return IntegrityRecord.objects.none()
    return active_records(on=on).filter(
        kind=IntegrityRecord.Kind.PERSON, id_number_digest__in=wanted, **{field: True}
    )
