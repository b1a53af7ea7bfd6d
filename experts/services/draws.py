"""Drawing a review panel's experts: the candidate pool screened on one day (fields, conflicts, 科研诚信,
seats of the year), the recorded random draw and its replay, and the composition rules a draw must meet."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kejiju.core.models import Organization
from kejiju.integrity.selectors import active_for_digests

from .. import rules
from ..models import (
    CompositionRule,
    Expert,
    ReviewDraw,
    ReviewMember,
    ReviewPanel,
    ReviewSubject,
    VicePresidentPlacement,
)


def _lookback_cutoff(years: int) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _integrity_bars(digests: Iterable[str], on: date) -> dict[str, rules.IntegrityBar]:
    """The 科研诚信 record barring each of these people from reviewing (评审专家) on `on`, by digest: the
    latest when several bind (one query for the whole pool)."""
    bars: dict[str, rules.IntegrityBar] = {}
    records = active_for_digests(digests, "expert", on).order_by("-starts_on", "-pk")
    for key, pk, source, starts_on, ends_on in records.values_list(
        "id_number_digest", "pk", "source", "starts_on", "ends_on"
    ):
        bars.setdefault(key, rules.IntegrityBar(pk, source, starts_on, ends_on))
    return bars


def _year_seats(ids: list[int], panel: ReviewPanel, on: date) -> dict[int, int]:
    """Regular seats per expert in the calendar year of `on` (one query for the whole pool): members
    drawn that year as regular (or promoted from reserve), not refused, on panels not cancelled, other than
    ``panel``."""
    return dict(
        ReviewMember.objects.filter(
            expert_id__in=ids, role=ReviewMember.Role.REGULAR, draw__created_at__year=on.year
        )
        .exclude(status=ReviewMember.Status.REFUSED)
        .exclude(panel__state=ReviewPanel.State.CANCELLED)
        .exclude(panel=panel)
        .order_by()
        .values("expert_id")
        .annotate(seats=Count("pk"))
        .values_list("expert_id", "seats")
    )


def _applicant_ids(panel: ReviewPanel) -> list[int]:
    return sorted({pk for pk in panel.subjects.values_list("applicant_id", flat=True) if pk is not None})


def _candidates(
    panel: ReviewPanel,
    field_ids: list[int],
    *,
    on: date,
    applicant_ids: list[int],
    yearly_cap: int | None = None,
) -> list[rules.Candidate]:
    """Every expert of the chosen fields, with the facts the screening needs on `on` (five queries, and
    one more for the seats of the year when the rule caps them)."""
    experts = list(
        Expert.objects.filter(fields__in=field_ids)
        .distinct()
        .order_by("pk")
        .values_list("pk", "name", "state", "employer_id", "id_number_digest", "category")
    )
    ids = [row[0] for row in experts]
    year_seats = _year_seats(ids, panel, on) if yearly_cap is not None else {}
    barred = _integrity_bars((row[4] for row in experts), on)
    avoided: dict[int, set[int]] = {}
    for expert_id, org_id in Expert.avoided_units.through.objects.filter(expert_id__in=ids).values_list(
        "expert_id", "organization_id"
    ):
        avoided.setdefault(expert_id, set()).add(org_id)
    recent: dict[int, set[int]] = {}
    placed: dict[int, set[int]] = {}
    if applicant_ids:
        if panel.lookback_years:
            for expert_id, org_id in (
                ReviewSubject.objects.filter(
                    applicant_id__in=applicant_ids,
                    panel__created_at__date__gte=_lookback_cutoff(panel.lookback_years),
                    panel__members__status=ReviewMember.Status.CONFIRMED,
                    panel__members__expert_id__in=ids,
                )
                .exclude(panel=panel)
                .exclude(panel__state=ReviewPanel.State.CANCELLED)
                .values_list("panel__members__expert_id", "applicant_id")
                .distinct()
            ):
                recent.setdefault(expert_id, set()).add(org_id)
        for expert_id, org_id in VicePresidentPlacement.objects.filter(
            enterprise_id__in=applicant_ids,
            expert_id__in=ids,
            state__in=[VicePresidentPlacement.State.PROPOSED, VicePresidentPlacement.State.SERVING],
        ).values_list("expert_id", "enterprise_id"):
            placed.setdefault(expert_id, set()).add(org_id)
    return [
        rules.Candidate(
            expert_id=pk,
            name=name,
            state=state,
            employer_id=employer_id,
            avoided_unit_ids=frozenset(avoided.get(pk, ())),
            recent_applicant_ids=frozenset(recent.get(pk, ())),
            placed_at_ids=frozenset(placed.get(pk, ())),
            integrity=barred.get(digest),
            category=category,
            year_seats=year_seats.get(pk, 0),
        )
        for pk, name, state, employer_id, digest, category in experts
    ]


def run_draw(
    *,
    panel: ReviewPanel,
    reserves: int,
    seated: Mapping[str, int],
    composition: rules.Composition | None,
    kind: str,
    user,
    seed: str | None,
    needed_label: str,
) -> tuple[ReviewDraw, list[int]]:
    """Draw the regular seats the panel lacks (its size less the ``seated`` members, by category) and
    ``reserves``, meeting ``composition`` when given (rules.draw_panel)."""
    count = panel.size - sum(seated.values()) + reserves
    fields = list(panel.fields.order_by("pk"))
    field_ids = [f.pk for f in fields]
    excluded = sorted(panel.excluded_experts.values_list("pk", flat=True))
    on_panel = sorted(panel.members.values_list("expert_id", flat=True))
    yearly_cap = composition.yearly_cap if composition is not None else None
    applicant_ids = _applicant_ids(panel)
    context = rules.DrawContext(
        applicant_ids=frozenset(applicant_ids),
        excluded_expert_ids=frozenset(excluded),
        already_on_panel_ids=frozenset(on_panel),
        lookback_years=panel.lookback_years,
        yearly_cap=yearly_cap,
    )
    # 科研诚信 惩戒 binds on the draw's date; what it found is kept on the draw (skipped[…]["integrity"]),
    # so the record and its replay stay those of that day whatever becomes of the 失信 record afterwards.
    on = timezone.localdate()
    candidates = _candidates(panel, field_ids, on=on, applicant_ids=applicant_ids, yearly_cap=yearly_cap)
    screening = rules.screen(candidates, context)
    if len(screening.pool) < count:
        raise ValidationError(
            f"{needed_label}失败。" + rules.describe_shortfall(needed=count, screening=screening)
        )
    seed = seed if seed is not None else secrets.token_hex(8)
    if not str(seed).isprintable():
        raise ValidationError({"seed": "随机种子只能包含可打印字符。"})
    in_pool = set(screening.pool)
    categories = {c.expert_id: c.category for c in candidates if c.expert_id in in_pool}
    try:
        drawn = rules.draw_panel(
            screening.pool,
            seed,
            size=panel.size,
            reserves=reserves,
            categories=categories,
            composition=composition,
            seated=seated,
        )
    except rules.CompositionShortfall as shortfall:
        raise ValidationError(
            f"{needed_label}失败。" + rules.describe_composition_shortfall(composition, shortfall, screening)
        ) from None
    except rules.CompositionOverflow as overflow:
        raise ValidationError(f"{needed_label}失败。{overflow}") from None
    composed = (
        {
            "review_kind": composition.kind,
            "composition": composition.as_dict(),
            "composition_text": composition.describe(),
            "seats": {"size": panel.size, "reserves": reserves, "seated": dict(seated)},
            "categories": {str(pk): category for pk, category in categories.items()},
            "year": on.year,
            "algorithm": rules.COMPOSED_ALGORITHM,
        }
        if composition is not None
        else {}
    )
    record = ReviewDraw.objects.create(
        panel=panel,
        kind=kind,
        seed=str(seed),
        requested=count,
        parameters={
            "fields": [{"id": f.pk, "name": f.name} for f in fields],
            "applicants": [
                {"id": org.pk, "name": org.name}
                for org in Organization.objects.filter(pk__in=applicant_ids).order_by("pk")
            ],
            "excluded_experts": excluded,
            "already_on_panel": on_panel,
            "lookback_years": panel.lookback_years,
            "lookback_from": _lookback_cutoff(panel.lookback_years).isoformat()
            if panel.lookback_years
            else None,
            "integrity_on": on.isoformat(),
            "algorithm": "按 SHA-256(种子:专家编号) 升序排列候选池，取前 N 位",
            # The composition rule applied, as it stood (a later edit changes neither record nor replay).
            **composed,
        },
        pool=list(screening.pool),
        skipped=list(screening.skipped),
        drawn=drawn,
        created_by=user,
    )
    return record, drawn


def review_draw_replay(draw: ReviewDraw) -> list[int]:
    """Recompute a recorded draw from its seed and pool (and, under a composition rule, the rule, seats
    and categories it recorded): equal to ``draw.drawn`` unless tampered with."""
    parameters = draw.parameters or {}
    if not parameters.get("composition"):
        return rules.draw(draw.pool, draw.seed, draw.requested)
    seats = parameters["seats"]
    return rules.draw_panel(
        draw.pool,
        draw.seed,
        size=seats["size"],
        reserves=seats["reserves"],
        categories={int(pk): category for pk, category in parameters["categories"].items()},
        composition=rules.Composition.from_dict(parameters["composition"]),
        seated=seats["seated"],
    )


@transaction.atomic
def composition_rule_save(*, rule: CompositionRule, user=None) -> CompositionRule:
    """Validate and save a composition rule (one per kind of review; the rule must be satisfiable at its
    own least size). Draws already made keep the rule as it was (their snapshot)."""
    from ..subjects import REVIEW_KINDS

    if rule.kind not in REVIEW_KINDS:
        raise ValidationError({"kind": "请选择评审类别。"})
    rule.full_clean()
    rule.save()
    return rule
