"""高企倍增计划 targets and 高企 rewards: the tiers, the yearly computation and the 审核/发放 steps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from kejiju.accounts.models import Region
from kejiju.core.workflow.services import apply_transition, record_created

from .. import rules
from ..models import REWARD_CAP, DoublingTarget, EnterpriseYear, GaoqiCertificate, Reward, RewardTier
from ..selectors import gaoqi_valid_by_region
from .enterprises import _today


@transaction.atomic
def doubling_target_save(
    *, region: Region, year: int, target: int, actor, instance: DoublingTarget | None = None
) -> DoublingTarget:
    row = instance or DoublingTarget(region=region, year=year)
    row.region, row.year, row.target = region, year, target
    if DoublingTarget.objects.filter(region=region, year=year).exclude(pk=row.pk).exists():
        raise ValidationError({"year": f"{region}{year}年的目标已存在。"})
    base = gaoqi_valid_by_region(user=None, on=date(year - 1, 12, 31)).get(region.pk, 0)
    problem = rules.doubling_target_problem(target=target, base=base)
    if problem:
        raise ValidationError({"target": f"{region}{year}年：{problem}"})
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def reward_tier_save(
    *,
    year: int,
    min_rd: Decimal,
    max_rd: Decimal | None,
    amount: Decimal,
    actor,
    instance: RewardTier | None = None,
) -> RewardTier:
    if amount > REWARD_CAP:
        raise ValidationError({"amount": f"奖励金额不能超过{REWARD_CAP:,.0f}元。"})
    if amount < 0 or min_rd < 0:
        raise ValidationError({"amount": "金额不能为负数。"})
    if max_rd is not None and max_rd <= min_rd:
        raise ValidationError({"max_rd": "上限必须大于下限。"})
    tier = instance or RewardTier()
    others = RewardTier.objects.filter(year=year).exclude(pk=tier.pk)
    for other in others:
        other_high = other.max_rd
        overlaps = (max_rd is None or other.min_rd < max_rd) and (other_high is None or min_rd < other_high)
        if overlaps:
            raise ValidationError({"min_rd": f"与已有档次“{other}”的区间重叠。"})
    tier.year, tier.min_rd, tier.max_rd, tier.amount = year, min_rd, max_rd, amount
    tier.full_clean()
    tier.save()
    return tier


def reward_amount(rd_expense: Decimal, tiers) -> Decimal:
    """The amount of the tier whose range holds `rd_expense` (0 when none), capped at 300,000 yuan."""
    for tier in tiers:
        if rd_expense >= tier.min_rd and (tier.max_rd is None or rd_expense < tier.max_rd):
            return min(tier.amount, REWARD_CAP)
    return Decimal(0)


@transaction.atomic
def rewards_compute(*, year: int, actor) -> int:
    """Compute the year's reward of each enterprise holding a 高企 certificate valid during the year, from
    that year's R&D expense. Approved or paid rewards are left as they are. Returns the rows written."""
    tiers = list(RewardTier.objects.filter(year=year).order_by("min_rd"))
    if not tiers:
        raise ValidationError({"year": f"请先设置{year}年的奖励档次。"})
    start, end = date(year, 1, 1), date(year, 12, 31)
    certificates = (
        GaoqiCertificate.objects.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=start), issued_on__lte=end, expires_on__gte=start
        )
        .select_related("enterprise")
        .order_by("enterprise_id", "-issued_on")
    )
    figures = {
        row.enterprise_id: row
        for row in EnterpriseYear.objects.filter(year=year, enterprise__in=certificates.values("enterprise"))
    }
    existing = {reward.enterprise_id: reward for reward in Reward.objects.filter(year=year)}
    written = 0
    seen: set[int] = set()
    for certificate in certificates:
        enterprise_id = certificate.enterprise_id
        if enterprise_id in seen:
            continue
        seen.add(enterprise_id)
        row = figures.get(enterprise_id)
        if row is None or row.rd_expense is None:
            continue
        amount = reward_amount(row.rd_expense, tiers)
        reward = existing.get(enterprise_id)
        if reward is not None and reward.state != Reward.State.COMPUTED:
            continue
        if amount == 0:
            if reward is not None:
                reward.delete()
            continue
        created = reward is None
        reward = reward or Reward(enterprise_id=enterprise_id, year=year)
        reward.certificate, reward.rd_expense, reward.amount = certificate, row.rd_expense, amount
        reward.full_clean()
        reward.save()
        if created:
            record_created(record=reward, actor=actor, data={"amount": amount})
        written += 1
    return written


def reward_transition(
    *, reward: Reward, action: str, actor, on: date | None = None, voucher_no: str = ""
) -> Reward:
    """审核 or 发放 one reward (workflow.REWARD_WORKFLOW) on `on` (default today; checked like every step's
    date: not before the previous step, not in the future). 发放 records its 文号 or voucher number
    (`voucher_no`, required)."""
    data = {"voucher_no": voucher_no} if action == "pay" else {}
    apply_transition(record=reward, action=action, actor=actor, effective_on=on or _today(), data=data)
    return reward
