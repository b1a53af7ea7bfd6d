"""Reads of 失信 records and of 查重 (the likely duplicates of an online application). The lookups by
subject need no decryption: a person is found by the keyed digest of the ID number
(kejiju.core.pii.digest), as experts and team members are."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.identifiers import IdentifierError, validate_id_number, validate_uscc
from kejiju.core.scoping import scoped_queryset

from .models import DuplicateCheckSetting, DuplicateDecision, DuplicateMatch, IntegrityRecord
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


# --------------------------------------------------------------------------------------------- 查重

# At most this many likely duplicates are kept and shown for one application (the most similar first).
MAX_MATCHES = 30

APPLICATION = "application"
PROJECT = "project"
KIND_LABELS = {APPLICATION: "网上申报书", PROJECT: "市局项目"}


@dataclass(frozen=True)
class Likeness:
    """An earlier application or project like the application being checked, and in what."""

    kind: str  # APPLICATION or PROJECT
    pk: int
    title: str
    year: int
    unit_name: str
    same_unit: bool
    same_leader: bool
    title_similarity: float
    summary_similarity: float
    # Whether the viewer may open the record (`shown_to`): if not, a page shows its kind, year, what
    # matched and how similar it is, never its title, unit or link.
    visible: bool = False

    @property
    def similarity(self) -> float:
        return max(self.title_similarity, self.summary_similarity)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def criteria(self) -> list[str]:
        """What matched, in words (the similarities as percentages)."""
        found = []
        if self.same_unit:
            found.append("同一申报单位")
        if self.same_leader:
            found.append("同一项目负责人")
        found.append(f"名称相似度 {self.title_similarity:.0%}")
        found.append(f"简介相似度 {self.summary_similarity:.0%}")
        return found

    @property
    def url(self) -> str:
        name = "applications:application_detail" if self.kind == APPLICATION else "projects:project_detail"
        return reverse(name, kwargs={"pk": self.pk})


def duplicate_setting() -> DuplicateCheckSetting:
    return DuplicateCheckSetting.current()


def _similarity(field: str, text: str) -> Func:
    """pg_trgm's similarity(field, text); on SQLite the same function in Python (duplicates.py)."""
    return Func(F(field), Value(text or ""), function="SIMILARITY", output_field=FloatField())


def leader_digest_condition(application, *, field: str) -> Q | None:
    """The same 项目负责人 by the keyed digest of the leader's 身份证号 (`field`: the other record's digest
    path), when the application has one."""
    digest = application.leader_id_number_digest
    return Q(**{field: digest}) if digest else None


def _leader_condition(application, *, account: str, mobile: str, digest: str) -> Q:
    """The other record's 项目负责人 is the application's: the same account, mobile number or ID number
    digest."""
    condition = Q(**{account: application.leader_id})
    if application.leader_mobile:
        condition |= Q(**{mobile: application.leader_mobile})
    by_digest = leader_digest_condition(application, field=digest)
    if by_digest is not None:
        condition |= by_digest
    return condition


def _flag(condition: Q) -> Coalesce:
    """A condition as a true/false column (false, not NULL, across an outer join that found nothing)."""
    return Coalesce(ExpressionWrapper(condition, output_field=BooleanField()), Value(False))


def _flagged(setting: DuplicateCheckSetting, *, same_unit: Q, same_leader: Q) -> Q:
    threshold = float(setting.threshold)
    flagged = Q(title_similarity__gte=threshold) | Q(summary_similarity__gte=threshold)
    if setting.flag_same_unit:
        flagged |= same_unit
    if setting.flag_same_leader:
        flagged |= same_leader
    return flagged


def _likeness(kind: str, row) -> Likeness:
    pk, title, year, unit_name, same_unit, same_leader, title_similarity, summary_similarity = row
    return Likeness(
        kind,
        pk,
        title,
        year,
        unit_name,
        bool(same_unit),
        bool(same_leader),
        float(title_similarity or 0),
        float(summary_similarity or 0),
    )


def duplicate_candidates(application, *, setting: DuplicateCheckSetting | None = None) -> list[Likeness]:
    """The applications (submitted, not yet a project) and the projects of the last `setting.years`
    years (counting the application's call year) flagged as like `application`: the same unit, the same
    项目负责人 (account or mobile; ID-number digest: `leader_digest_condition`), or a title or summary
    at least `setting.threshold` similar (pg_trgm). Two queries (three with the setting), whatever the
    number of rows; the most similar MAX_MATCHES first."""
    from kejiju.applications.models import Application, ApplicationState
    from projects.models import Project

    setting = setting or duplicate_setting()
    since = application.call.year - setting.years + 1
    found: list[Likeness] = []

    same_unit = Q(unit_id=application.unit_id)
    same_leader = _leader_condition(
        application, account="leader_id", mobile="leader_mobile", digest="leader_id_number_digest"
    )
    applications = (
        Application.objects.filter(call__year__gte=since, project__isnull=True)
        .exclude(state=ApplicationState.DRAFT)
        .exclude(pk=application.pk)
        .annotate(
            title_similarity=_similarity("title", application.title),
            summary_similarity=_similarity("summary", application.summary),
            is_same_unit=_flag(same_unit),
            is_same_leader=_flag(same_leader),
        )
        .filter(_flagged(setting, same_unit=same_unit, same_leader=same_leader))
        .order_by(Greatest("title_similarity", "summary_similarity").desc(), "-pk")
        .values_list(
            "pk",
            "title",
            "call__year",
            "unit__name",
            "is_same_unit",
            "is_same_leader",
            "title_similarity",
            "summary_similarity",
        )[:MAX_MATCHES]
    )
    found += [_likeness(APPLICATION, row) for row in applications]

    same_unit = Q(applicant_id=application.unit_id)
    same_leader = _leader_condition(
        application,
        account="online_application__leader_id",
        mobile="pi_mobile",
        digest="pi_id_number_digest",
    )
    projects = Project.objects.filter(year__gte=since)
    if application.project_id is not None:
        projects = projects.exclude(pk=application.project_id)
    projects = (
        projects.annotate(
            title_similarity=_similarity("title", application.title),
            summary_similarity=_similarity("summary", application.summary),
            is_same_unit=_flag(same_unit),
            is_same_leader=_flag(same_leader),
        )
        .filter(_flagged(setting, same_unit=same_unit, same_leader=same_leader))
        .order_by(Greatest("title_similarity", "summary_similarity").desc(), "-pk")
        .values_list(
            "pk",
            "title",
            "year",
            "applicant__name",
            "is_same_unit",
            "is_same_leader",
            "title_similarity",
            "summary_similarity",
        )[:MAX_MATCHES]
    )
    found += [_likeness(PROJECT, row) for row in projects]
    found.sort(key=lambda item: (-item.similarity, item.kind, -item.pk))
    return found[:MAX_MATCHES]


def stored_matches(application) -> list[Likeness]:
    """The likely duplicates kept when the application was last submitted (one query)."""
    rows = DuplicateMatch.objects.filter(application=application).select_related(
        "other_application__unit", "other_project__applicant"
    )
    found = []
    for row in rows:
        if row.other_application_id is not None:
            other, kind, unit = row.other_application, APPLICATION, row.other_application.unit
        else:
            other, kind, unit = row.other_project, PROJECT, row.other_project.applicant
        found.append(
            Likeness(
                kind,
                other.pk,
                other.title,
                row.year,
                unit.name,
                row.same_unit,
                row.same_leader,
                row.title_similarity,
                row.summary_similarity,
            )
        )
    found.sort(key=lambda item: (-item.similarity, item.kind, -item.pk))
    return found


def shown_to(user, likenesses: list[Likeness]) -> list[Likeness]:
    """`likenesses` with, for each, whether `user` may open it (at most two queries)."""
    from kejiju.applications.models import Application
    from projects.models import Project

    visible: dict[str, set[int]] = {APPLICATION: set(), PROJECT: set()}
    for kind, model, perm in (
        (APPLICATION, Application, "applications.view_application"),
        (PROJECT, Project, "projects.view_project"),
    ):
        pks = [item.pk for item in likenesses if item.kind == kind]
        if pks and user.has_perm(perm):
            visible[kind] = set(scoped_queryset(model, user).filter(pk__in=pks).values_list("pk", flat=True))
    return [replace(item, visible=item.pk in visible[item.kind]) for item in likenesses]


def duplicate_decision_of(application) -> DuplicateDecision | None:
    return DuplicateDecision.objects.filter(application=application).select_related("decided_by").first()


def application_of_project(project):
    """The online application the project came from, or None (a project entered by the bureau)."""
    from kejiju.applications.models import Application

    return Application.objects.filter(project=project).first()


def undecided_duplicates_problem(project) -> str | None:
    """Why the project may not be accepted (受理) for its 查重: likely duplicates were found when its online
    application was submitted and the bureau has drawn no conclusion on them yet."""
    application = application_of_project(project)
    if application is None:
        return None
    count = DuplicateMatch.objects.filter(application=application).count()
    if not count:
        return None
    decision = DuplicateDecision.objects.filter(application=application).first()
    if decision is None:
        return (
            f"查重尚未处理：提交时发现 {count} 项可能重复的申报或项目，"
            "请先在项目页面“查重”中作出结论（非重复，或重复并不予受理）后再受理。"
        )
    if decision.decision == DuplicateDecision.Decision.DUPLICATE:
        return "查重结论为重复，不能受理。"
    return None


def application_duplicates(*, application, user, live: bool) -> list[Likeness]:
    """What the application page shows under 可能重复的申报: found now (`live`, the 项目负责人 before 提交)
    or as kept at the last 提交."""
    found = duplicate_candidates(application) if live else stored_matches(application)
    return shown_to(user, found)


def project_duplicates(*, project, user) -> dict | None:
    """What the project page shows under 查重 for a project from an online application: the likely
    duplicates kept at 提交, the bureau's conclusion, and whether `user` may draw it now; None for a
    project entered by the bureau."""
    from projects.rules import State

    application = application_of_project(project)
    if application is None:
        return None
    matches = shown_to(user, stored_matches(application))
    return {
        "application": application,
        "matches": matches,
        "decision": duplicate_decision_of(application),
        "may_decide": bool(matches)
        and project.state == State.SUBMITTED
        and user.has_perm("integrity.decide_duplicate")
        and user.has_perm("projects.manage_project"),
    }
