"""The records a review panel may be started for (评审对象).

The panel page loads its subjects from ``?subject_type=<content type id>&subject_id=<pk>`` (the parameter
repeated for a panel of several records: one panel per batch or call); only a model registered here is
accepted, and only records the user can see (``scoped_queryset``): any other content type or record is a
404. The reviewed apps' models are listed in `register_defaults` (called from
ExpertsConfig.ready) rather than in those apps, so the list of what experts review lives in one place.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import Http404

from kejiju.core.scoping import scoped_queryset

_REVIEWABLE: set[str] = set()

# app_label.ModelName of every record experts review.
DEFAULT_REVIEWABLE = ("projects.Project", "platforms.PlatformApplication")

# The kinds of review a composition rule (experts.models.CompositionRule) is kept for: code -> label.
REVIEW_KINDS = {
    "gaoqi": "高企认定",
    "platform": "平台认定",
    "project": "科技计划项目",
}
# The kind of review of each registered record (app_label.modelname). A record may say otherwise with a
# review_kind() method; a caller may pass review_kind to review_panel_create (高企认定 has no reviewed
# record in the portal yet: its caller names the kind). Records of no kind draw without a rule.
SUBJECT_KINDS = {
    "projects.project": "project",
    "platforms.platformapplication": "platform",
}


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def register_reviewable(model: type[Model]) -> type[Model]:
    """Allow review panels for records of ``model`` (usable as a class decorator)."""
    _REVIEWABLE.add(_label(model))
    return model


def unregister_reviewable(model: type[Model]) -> None:
    _REVIEWABLE.discard(_label(model))


def is_reviewable(model: type[Model]) -> bool:
    return _label(model) in _REVIEWABLE


def reviewable_models() -> list[type[Model]]:
    return [apps.get_model(label) for label in sorted(_REVIEWABLE)]


def register_defaults() -> None:
    for label in DEFAULT_REVIEWABLE:
        register_reviewable(apps.get_model(label))


def review_kind_for(subject: Model) -> str | None:
    """The kind of review of ``subject`` (a key of REVIEW_KINDS), or None."""
    method = getattr(subject, "review_kind", None)
    if callable(method):
        return method()
    return SUBJECT_KINDS.get(_label(type(subject)))


# The most records one panel reviews (a batch or call beyond it is split by staff).
MAX_SUBJECTS = 60


def subject_for(*, subject_type, subject_id, user) -> Model:
    """The registered record ``subject_type``/``subject_id`` within ``user``'s scope, or 404."""
    return subjects_for(subject_type=subject_type, subject_ids=[subject_id], user=user)[0]


def subjects_for(*, subject_type, subject_ids, user) -> list[Model]:
    """The registered records ``subject_type``/``subject_ids`` within ``user``'s scope, in the order
    given (duplicates dropped), or 404 when any is not."""
    try:
        content_type = ContentType.objects.get_for_id(int(subject_type))
        pks = list(dict.fromkeys(int(pk) for pk in subject_ids))
    except (ValueError, TypeError, ContentType.DoesNotExist):
        raise Http404("评审对象不存在。") from None
    model = content_type.model_class()
    if model is None or not is_reviewable(model) or not pks or len(pks) > MAX_SUBJECTS:
        raise Http404("评审对象不存在。")
    found = scoped_queryset(model, user).in_bulk(pks)
    if len(found) != len(pks):
        raise Http404("评审对象不存在。")
    return [found[pk] for pk in pks]


def call_optional(record: Model, name: str):
    """``record.name()`` when the record's model defines it (review_title, review_applicant …), else None."""
    method = getattr(record, name, None)
    return method() if callable(method) else None
