from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from projects.models import (
    Achievement,
    AchievementTransfer,
    Call,
    CooperationProject,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)
from tests.factories import OrganizationFactory, UniversityFactory


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
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.Sequence(lambda n: f"测试批次{n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))


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


class OwnershipPilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipPilot

    organization = factory.SubFactory(UniversityFactory)
    scheme = "职务科技成果赋权改革试点工作方案"
    joined_on = dt.date(2023, 6, 1)


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    pilot = factory.SubFactory(OwnershipPilotFactory)
    title = factory.Sequence(lambda n: f"测试成果{n}")
    kind = "invention"
    number = factory.Sequence(lambda n: f"ZL2023{n:07d}.1")
    inventors = "张三、李四"


class OwnershipGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipGrant

    achievement = factory.SubFactory(AchievementFactory)
    team = "张三团队"
    mode = "ownership"
    share_percent = Decimal("70")
    granted_on = dt.date(2023, 8, 1)
    approval_no = factory.Sequence(lambda n: f"测试〔2023〕{n}号")


class AchievementTransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AchievementTransfer

    grant = factory.SubFactory(OwnershipGrantFactory)
    mode = "assignment"
    enterprise = factory.SubFactory(OrganizationFactory)
    amount = Decimal("20.00")
    transferred_on = dt.date(2023, 10, 1)
