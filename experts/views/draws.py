"""The draw record page: the conditions, the candidate pool, the skipped experts and why, the experts drawn,
and the replay of the draw from its seed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kejiju.core.views import ObjectDetailView

from .. import rules, selectors, services
from ..models import Expert, ReviewDraw

# An expert the draw recorded who is no longer in the library (the record keeps only the number).
MISSING_EXPERT = "（已不在专家库）"


class ReviewDrawDetailView(ObjectDetailView):
    """The audit view of one draw: conditions, seed, pool, skipped experts with reasons, and a replay."""

    model = ReviewDraw
    template_name = "experts/reviewdraw_detail.html"

    def get_queryset(self):
        return ReviewDraw.objects.select_related("panel", "created_by")

    def get_breadcrumbs(self):
        panel = self.object.panel
        return [
            ("评审组", reverse("experts:reviewpanel_list")),
            (str(panel), panel.get_absolute_url()),
            (f"{self.object.kind}记录", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = self.object
        parameters = draw.parameters or {}
        replay = services.review_draw_replay(draw)
        listed = {*draw.pool, *draw.drawn, *parameters.get("excluded_experts", [])}
        names = dict(Expert.objects.filter(pk__in=listed).values_list("pk", "name"))

        def name(pk: int) -> str:
            return names.get(pk) or MISSING_EXPERT

        order = {pk: index for index, pk in enumerate(rules.draw_order(draw.pool, draw.seed), start=1)}
        integrity_notes = self._integrity_notes(draw)
        # Under a composition rule: the category each pool expert had on the draw's day (a code: its label).
        categories = parameters.get("categories", {})
        seated = (parameters.get("seats") or {}).get("seated") or {}
        applicants = parameters.get("applicants") or (
            [parameters["applicant"]] if parameters.get("applicant") else []
        )
        context.update(
            replay=replay,
            replay_matches=replay == draw.drawn,
            applicants="、".join(item["name"] for item in applicants),
            excluded="、".join(name(pk) for pk in parameters.get("excluded_experts", [])),
            seated=[
                (rules.CATEGORY_LABELS.get(category, category), count) for category, count in seated.items()
            ],
            drawn_rows=[(index, pk, name(pk)) for index, pk in enumerate(draw.drawn, start=1)],
            pool_rows=[
                (order[pk], pk, name(pk), rules.CATEGORY_LABELS.get(categories.get(str(pk), ""), ""))
                for pk in draw.pool
            ],
            skipped_rows=[
                (
                    entry["expert_id"],
                    entry["name"],
                    "；".join(rules.reason_label(r, entry) for r in entry["reasons"]),
                    integrity_notes.get(entry["expert_id"]),
                )
                for entry in draw.skipped
            ],
        )
        return context

    def _integrity_notes(self, draw: ReviewDraw) -> dict[int, dict]:
        """For each expert skipped under 科研诚信 惩戒: the record as the draw kept it, its link for a user
        who may read 失信 records, and — when the record no longer binds today (修复, 撤销, ended, deleted)
        — a note that the draw and its replay still stand on the day's facts (one query)."""
        from kejiju.integrity.rules import is_active

        kept = {entry["expert_id"]: entry["integrity"] for entry in draw.skipped if entry.get("integrity")}
        if not kept:
            return {}
        may_read = self.request.user.has_perm("integrity.view_integrityrecord")
        records = selectors.integrity_records(ids=[bar["record_id"] for bar in kept.values()])
        today = timezone.localdate()
        notes = {}
        for expert_id, bar in kept.items():
            record = records.get(bar["record_id"])
            if record is None:
                now = "该失信记录现已删除"
            elif not is_active(record, on=today):
                now = "该失信记录今日已不再生效（已届满、信用修复或撤销认定）"
            else:
                now = ""
            notes[expert_id] = {
                **bar,
                "url": record.get_absolute_url() if record is not None and may_read else "",
                "now": now,
            }
        return notes
