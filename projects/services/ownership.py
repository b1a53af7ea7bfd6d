"""Writes of the 职务科技成果赋权 pilot: pilot units, achievements, grants and transfers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core import uploads
from kejiju.core.dates import require_date_order
from kejiju.core.invariants import require_share, require_unique

from .. import rules
from ..models import (
    Achievement,
    AchievementTransfer,
    OwnershipGrant,
    OwnershipPilot,
)
from .attachments import (
    attachment_max_bytes,
)
from .common import _require_save, _save

APPROVAL_FILE_TYPES = ("pdf", "doc", "docx", "wps", "png", "jpg", "jpeg")


@transaction.atomic
def ownership_pilot_save(*, pilot: OwnershipPilot, user) -> OwnershipPilot:
    _require_save(user, pilot)
    return _save(pilot)


@transaction.atomic
def achievement_save(*, achievement: Achievement, user) -> Achievement:
    _require_save(user, achievement)
    achievement.number = achievement.number.strip()
    return _save(achievement)


@uploads.atomic()
def ownership_grant_save(*, grant: OwnershipGrant, user, upload=None) -> OwnershipGrant:
    """Record or edit a grant to the research team: the share (所有权, 0–100%, and with the achievement's
    other 所有权 grants at most 100%: rules.OWNERSHIP_SHARE) or the years (长期使用权); the date follows
    the unit's joining the pilot and is not after today; an edited date may not fall after a recorded
    transfer. The approval document is checked like every upload and stored under a generated name."""
    _require_save(user, grant)
    problems = rules.grant_problems(mode=grant.mode, share_percent=grant.share_percent, years=grant.years)
    if problems:
        raise ValidationError(problems)
    # The achievement's row is locked so that two grants saved at once cannot both take the remaining share.
    achievement = Achievement.objects.select_for_update().select_related("pilot").get(pk=grant.achievement_id)
    if grant.mode == rules.GrantMode.OWNERSHIP:
        require_share(
            rules.OWNERSHIP_SHARE,
            value=grant.share_percent,
            others=OwnershipGrant.objects.filter(achievement=achievement, mode=rules.GrantMode.OWNERSHIP)
            .exclude(pk=grant.pk)
            .select_related("achievement")
            .order_by("granted_on", "pk"),
        )
    pilot = achievement.pilot
    require_date_order(
        rules.OWNERSHIP_DATES["grant"],
        date=grant.granted_on,
        extra={"pilot_joined_on": ("成果所属单位纳入试点日期", pilot.joined_on)},
    )
    if grant.pk:
        first = grant.transfers.order_by("transferred_on").first()
        problem = first and rules.transfer_date_problem(
            transferred_on=first.transferred_on, granted_on=grant.granted_on
        )
        if problem:
            raise ValidationError({"granted_on": f"已登记的转化“{first}”：{problem}"})
    if upload is not None:
        original = uploads.display_name(uploads.upload_original_name(upload))
        problem = uploads.upload_problem(
            filename=original,
            head=uploads.upload_head(upload),
            size=upload.size or 0,
            max_bytes=attachment_max_bytes(),
            allowed=APPROVAL_FILE_TYPES,
            upload=upload,
        )
        if problem:
            raise ValidationError({"approval_file": problem})
        uploads.delete_on_commit(grant.approval_file)
        uploads.store(grant.approval_file, upload)
        grant.approval_file_name = original
    return _save(grant)


@transaction.atomic
def achievement_transfer_save(*, transfer: AchievementTransfer, user) -> AchievementTransfer:
    """Record a transfer or licence of a granted achievement; it cannot predate the grant, nor be dated
    after today; a grant's ownership passes to an enterprise (转让 or 作价入股) once."""
    _require_save(user, transfer)
    # The grant's row is locked so that two transfers saved at once cannot both pass its ownership.
    grant = OwnershipGrant.objects.select_for_update().get(pk=transfer.grant_id)
    if transfer.mode in rules.OWNERSHIP_PASSING_MODES:
        require_unique(
            rules.OWNERSHIP_PASSED_ONCE,
            existing=AchievementTransfer.objects.filter(grant=grant, mode__in=rules.OWNERSHIP_PASSING_MODES)
            .exclude(pk=transfer.pk)
            .select_related("grant__achievement", "enterprise")
            .order_by("transferred_on", "pk"),
            field="mode",
        )
    require_date_order(rules.OWNERSHIP_DATES["transfer"], date=transfer.transferred_on, record=grant)
    return _save(transfer)
