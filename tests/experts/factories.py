from __future__ import annotations

import datetime as dt

import factory

from experts.models import (
    Commissioner,
    CommissionerTeam,
    Expert,
    ExpertField,
    VicePresidentPlacement,
)
from kejiju.core.identifiers import id_number_check_char
from tests.factories import OrganizationFactory, UniversityFactory


def make_id_number(n: int, *, area: str = "140902") -> str:
    """A valid 18-character 公民身份号码, distinct for each n."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=n // 1000)
    first17 = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


def make_mobile(n: int) -> str:
    return f"139{n:08d}"


class ExpertFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertField
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"领域{n}")


class ExpertFactory(factory.django.DjangoModelFactory):
    """An expert in the library; pass ``fields=[…]`` to set the fields (default: one new field)."""

    class Meta:
        model = Expert
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"专家{n}")
    gender = Expert.Gender.MALE
    employer = factory.SubFactory(OrganizationFactory)
    title = Expert.Title.SENIOR
    state = Expert.State.ACTIVE
    admitted_on = dt.date(2023, 6, 1)

    @factory.lazy_attribute_sequence
    def _pii(self, n):
        return n

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        n = kwargs.pop("_pii")
        id_number = kwargs.pop("id_number", None) or make_id_number(n)
        mobile = kwargs.pop("mobile", None)
        mobile = make_mobile(n) if mobile is None else mobile
        expert = model_class(*args, **kwargs)
        expert.set_id_number(id_number)
        expert.set_mobile(mobile)
        expert.save()
        return expert

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        if create:
            self.fields.set(extracted if extracted is not None else [ExpertFieldFactory()])


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VicePresidentPlacement

    name = factory.Sequence(lambda n: f"副总{n}")
    title = Expert.Title.ASSOCIATE
    university = factory.SubFactory(UniversityFactory)
    year = 2023
    state = VicePresidentPlacement.State.PROPOSED


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionerTeam
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"特派团{n}")
    year = 2023
    industries = "杂粮、中药材"

    @factory.post_generation
    def counties(self, create, extracted, **kwargs):
        if create and extracted:
            self.counties.set(extracted)


class CommissionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commissioner

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"特派员{n}")
    employer = factory.SubFactory(OrganizationFactory)
    title = Expert.Title.INTERMEDIATE
    industry = "杂粮"


def pdf_document(*pages: str) -> bytes:
    """A real PDF (WeasyPrint), one page per text given (default: two pages of a 申报书)."""
    from html import escape

    from weasyprint import HTML

    pages = pages or ("申报书 第一页", "申报书 第二页")
    body = "".join(
        f"<p{' class=next' if index else ''}>{escape(text)}</p>" for index, text in enumerate(pages)
    )
    return HTML(string=f"<style>.next {{ page-break-before: always }}</style>{body}").write_pdf()
