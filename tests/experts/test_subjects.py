"""Review subjects: the panel page loads only a registered reviewable type, and only a record the user can
see (experts.subjects)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse

from experts.subjects import is_reviewable, reviewable_models, subject_for
from projects.models import Project
from tests.platforms.factories import ApplicationFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _url(content_type_pk, pk):
    return reverse("experts:panel_add") + f"?subject_type={content_type_pk}&subject_id={pk}"


def test_registered_types():
    labels = {model._meta.label for model in reviewable_models()}
    assert labels == {"projects.Project", "platforms.PlatformApplication"}


def test_every_content_type_swept(client, world):
    """Every content type through the page: an unregistered one is 404 even for a row that exists; a
    registered one opens the page for a record in scope."""
    ProjectFactory(region=world.county_a)
    ApplicationFactory(region=world.county_a)
    client.force_login(world.users["bureau"])
    checked = 0
    for content_type in ContentType.objects.all():
        model = content_type.model_class()
        if model is None:
            assert client.get(_url(content_type.pk, 1)).status_code == 404
            continue
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        response = client.get(_url(content_type.pk, pk if pk is not None else 1))
        if is_reviewable(model):
            assert response.status_code == 200, content_type
        else:
            assert response.status_code == 404, content_type
            checked += 1
    assert checked > 20
    assert client.get(_url("x", 1)).status_code == 404
    assert client.get(_url(ContentType.objects.get_for_model(Project).pk, 0)).status_code == 404


def test_registered_type_out_of_scope_is_404(world):
    own = ProjectFactory(region=world.county_a)
    other = ProjectFactory(region=world.county_b)
    project_type = ContentType.objects.get_for_model(Project).pk
    county = world.users["county"]
    assert subject_for(subject_type=project_type, subject_id=own.pk, user=county) == own
    with pytest.raises(Http404):
        subject_for(subject_type=project_type, subject_id=other.pk, user=county)
    for model in reviewable_models():
        with pytest.raises(Http404):  # no record of any registered type outside the user's scope
            subject_for(
                subject_type=ContentType.objects.get_for_model(model).pk, subject_id=10**9, user=county
            )


def test_registered_type_out_of_scope_via_page(client, world):
    """A county user granted the right to start a panel still cannot name another county's record."""
    from django.contrib.auth.models import Permission

    county = world.users["county"]
    county.user_permissions.add(Permission.objects.get(codename="add_reviewpanel"))
    county = type(county).objects.get(pk=county.pk)
    client.force_login(county)
    project_type = ContentType.objects.get_for_model(Project).pk
    own = ProjectFactory(region=world.county_a)
    other = ProjectFactory(region=world.county_b)
    assert client.get(_url(project_type, own.pk)).status_code == 200
    assert client.get(_url(project_type, other.pk)).status_code == 404
