"""In-app notices and their e-mails: who hears of a workflow decision, sending, the unread badge, reading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.cache import cache
from django.db import transaction

from kejiju.accounts.models import Region, User
from kejiju.accounts.roles import Role
from kejiju.core.mail import mail_send
from kejiju.core.scoping import (
    owner_id_of,
    region_id_of,
    scope_region_ids,
    unit_id_of,
)

from ..models import Notice
from .common import current_time


def county_recipients(region: Region) -> list[User]:
    return list(User.objects.filter(role=Role.COUNTY, region=region, is_active=True))


SENTENCE_ENDS = "。！？!?.…"


def sentence(text: str) -> str:
    """Typed text (a reason, an opinion) as a sentence of a notice: a full stop added unless it ends with
    one already (never “。。”)."""
    text = text.strip()
    return text if not text or text.endswith(tuple(SENTENCE_ENDS)) else f"{text}。"


def notice_send(
    *, recipients: Sequence[User], title: str, body: str = "", url: str = "", now: dt.datetime | None = None
) -> int:
    """An in-app notice to each recipient, and an e-mail to those with an address, sent once the
    transaction commits (kejiju.core.mail)."""
    now = current_time(now)
    Notice.objects.bulk_create(
        [
            Notice(recipient=user, title=title[:200], body=body, url=url[:300], created_at=now)
            for user in recipients
        ]
    )
    mail_send(subject=title, body=f"{body}\n\n{url}".strip(), recipients=[user.email for user in recipients])
    _forget_unread([user.pk for user in recipients])
    return len(recipients)


def notify_region(
    *,
    region_id: int | None,
    actor: User | None,
    title: str,
    body: str = "",
    url: str = "",
    now: dt.datetime | None = None,
) -> int:
    """A decision about a county's record, told to that county's office: a notice to each of its accounts,
    unless the county took the decision itself (an account of that county office acted). Returns the
    number of accounts told."""
    if region_id is None:
        return 0
    if actor is not None and scope_region_ids(actor) == [region_id]:
        return 0  # an account bound to that county acted: the county took the decision itself
    recipients = list(User.objects.filter(role=Role.COUNTY, region_id=region_id, is_active=True))
    return notice_send(recipients=recipients, title=title, body=body, url=url, now=now)


def _next_actors(record, workflow) -> set[User]:
    """Accounts that may take a step from the record's state now: holding its permission, seeing the
    record, passing the step's actor rule."""
    from kejiju.core.scoping import scoped_queryset

    state = str(getattr(record, workflow.state_field))
    found: set[User] = set()
    for transition in workflow.from_state(state):
        if not transition.form:
            continue
        holders = User.objects.with_perm(
            transition.permission,
            include_superusers=False,
            backend="kejiju.accounts.backends.CachedPermissionsBackend",
        )
        for user in holders:
            if user in found or not scoped_queryset(type(record), user).filter(pk=record.pk).exists():
                continue
            if transition.actor_rule is None or not transition.actor_rule(record, user):
                found.add(user)
    return found


def transition_recipients(*, record, actor: User | None, workflow) -> list[User]:
    """Who hears of a workflow step, once: the county office of the record's county unless an account of
    it acted; the unit's administrators unless an account of the unit acted; the account the record
    belongs to (`owner_field`) unless it acted; and, in a flow that tells the next level
    (`Workflow.tell_next`), whoever may take the next step. Never the actor."""
    region_id, unit_id, owner_id = region_id_of(record), unit_id_of(record), owner_id_of(record)
    found: set[User] = set()
    if region_id is not None and not (actor is not None and scope_region_ids(actor) == [region_id]):
        found.update(User.objects.filter(role=Role.COUNTY, region_id=region_id, is_active=True))
    if unit_id is not None and getattr(actor, "unit_id", None) != unit_id:
        found.update(User.objects.filter(role=Role.UNIT_ADMIN, organization_id=unit_id, is_active=True))
    if owner_id is not None:
        found.update(User.objects.filter(pk=owner_id, is_active=True))
    if workflow.tell_next:
        found.update(_next_actors(record, workflow))
    actor_pk = getattr(actor, "pk", None)
    return sorted((user for user in found if user.pk != actor_pk), key=lambda user: user.pk)


def notify_transition(*, record, event, workflow) -> int:
    """The one rule for workflow decisions (kejiju.core.workflow's transition_applied, sent on commit): a
    notice and an e-mail to each of `transition_recipients`."""
    lines = [f"{workflow.title}“{record}”：{event.from_label} → {event.to_label}。"]
    if event.comment:
        lines.append(f"意见：{sentence(event.comment)}")
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    recipients = transition_recipients(record=record, actor=event.actor, workflow=workflow)
    title = f"{workflow.title}“{record}”：{event.label}"
    return notice_send(recipients=recipients, title=title, body="\n".join(lines), url=url)


# ------------------------------------------------------------------------------ reading notices

UNREAD_KEY = "reporting:notices:unread:{}"
UNREAD_SECONDS = 300


def _forget_unread(user_ids: Iterable[int]) -> None:
    """Drop the cached unread counts now and again once the transaction commits (a page rendered in
    between must not keep the old count)."""
    keys = [UNREAD_KEY.format(pk) for pk in user_ids]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def notice_unread_count(*, user: User) -> int:
    """The badge in the navigation bar: one cached count per user (a count query on a miss)."""
    key = UNREAD_KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


@transaction.atomic
def notice_open(*, user: User, notice_id: int, now: dt.datetime | None = None) -> Notice:
    """Open one of the user's notices: it is marked read (another user's notice does not exist)."""
    notice = Notice.objects.select_for_update().get(recipient=user, pk=notice_id)
    if notice.read_at is None:
        notice.read_at = current_time(now)
        notice.save(update_fields=["read_at"])
        _forget_unread([user.pk])
    return notice


@transaction.atomic
def notices_mark_read(*, user: User, now: dt.datetime | None = None) -> int:
    """全部标为已读."""
    marked = Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=current_time(now))
    _forget_unread([user.pk])
    return marked
