"""A many-to-many value reads as the names of its records ("、"-joined), on a detail row and through the
`present` filter, never as Django's "experts.ExpertField.None"."""

import pytest
from django.urls import reverse

from experts.models import ExpertField
from kejiju.core import presentation
from kejiju.core.views.generic import ObjectDetailView
from tests.platforms.factories import BatchFactory

pytestmark = pytest.mark.django_db


def _detail_views_with_relations():
    from django.urls import get_resolver

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "view_class", None)
                if view and issubclass(view, ObjectDetailView):
                    yield view

    return sorted(
        {
            f"{view.model._meta.label}.{name}"
            for view in walk(get_resolver().url_patterns)
            for name in view.detail_fields
            if view.model._meta.get_field(name).many_to_many
        }
    )


def test_a_many_to_many_reads_as_names():
    batch = BatchFactory()
    assert presentation.text(batch.review_fields) == presentation.EMPTY
    fields = [ExpertField.objects.create(name="新材料"), ExpertField.objects.create(name="现代农业")]
    batch.review_fields.set(fields)
    field = type(batch)._meta.get_field("review_fields")
    assert sorted(presentation.text(presentation.field_value(batch, field)).split("、")) == [
        "新材料",
        "现代农业",
    ]


def test_the_batch_page_names_its_review_fields(client, bureau_user):
    batch = BatchFactory()
    batch.review_fields.set([ExpertField.objects.create(name="生物医药")])
    client.force_login(bureau_user)
    page = client.get(reverse("platforms:recognitionbatch_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "生物医药" in page
    assert ".None" not in page


def test_every_detail_page_relation_is_covered():
    """Each many-to-many a generic detail page shows goes through the same `present` path (the template
    has no other way); listing them keeps a new one from slipping in unseen."""
    assert _detail_views_with_relations() == ["platforms.RecognitionBatch.review_fields"]
