from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from kejiju.core.models import Organization
from projects.models import Call, CooperationProject, Programme, Project


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    kind = Organization.Kind.ENTERPRISE


class UniversityFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试大学{n}")
    kind = Organization.Kind.UNIVERSITY
    region = None


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试计划{n}")
    code = factory.Sequence(lambda n: f"T{n}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    year = factory.LazyFunction(lambda: dt.date.today().year)
    title = factory.Sequence(lambda n: f"测试批次{n}")
    opens_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=20))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project created directly in any state (tests of the services create through them)."""

    class Meta:
        model = Project

    number = factory.Sequence(lambda n: f"T{n:06d}")
    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"测试项目{n}")
    applicant = factory.SubFactory(OrganizationFactory, region=factory.SelfAttribute("..region"))
    pi_name = "王研究"
    pi_mobile = factory.Sequence(lambda n: f"139{n:08d}")
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2026, 12, 31)
    requested_grant = Decimal("200000.00")
    self_raised = Decimal("100000.00")


class CooperationProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationProject

    title = factory.Sequence(lambda n: f"省校合作项目{n}")
    university = factory.SubFactory(UniversityFactory)
    kind = CooperationProject.Kind.TRANSFER_BASE
    state = CooperationProject.State.SIGNED
    task_year = 2023
