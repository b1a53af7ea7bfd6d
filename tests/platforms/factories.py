import datetime as dt
from decimal import Decimal

import factory

from platforms.models import (
    OutreachEvent,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from platforms.rules import Grade, Level, OutreachKind, OutreachState, PlatformState
from tests.factories import OrganizationFactory


def platform_type(name: str = "重点实验室") -> PlatformType:
    # Seeded by a migration; a transactional (browser) test flushes the seed, so it is made again there.
    return PlatformType.objects.get_or_create(name=name, defaults={"code": f"t{abs(hash(name)) % 10**6}"})[0]


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"测试平台{n}")
    platform_type = factory.LazyFunction(platform_type)
    level = Level.CITY
    state = PlatformState.RECOGNISED
    host = factory.SubFactory(OrganizationFactory)
    region = None
    certificate_no = factory.Sequence(lambda n: f"TEST-2023-{n + 1:03d}")
    recognised_on = dt.date(2023, 6, 1)
    staff_count = 20


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecognitionBatch

    title = factory.Sequence(lambda n: f"测试认定批次{n}")
    year = 2023
    platform_type = factory.LazyFunction(platform_type)
    level = Level.CITY
    pass_score = Decimal("70")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformApplication

    batch = factory.SubFactory(BatchFactory)
    platform_name = factory.Sequence(lambda n: f"拟建平台{n}")
    applicant = factory.SubFactory(OrganizationFactory)
    region = None


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformEvaluation

    platform = factory.SubFactory(PlatformFactory)
    year = 2024
    score = Decimal("85")
    grade = Grade.GOOD


class OutreachEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachEvent

    name = factory.Sequence(lambda n: f"测试科普活动{n}")
    held_on = dt.date(2023, 5, 22)
    kind = OutreachKind.GRASSROOTS
    state = OutreachState.HELD
    science_week = True
    organiser_name = "县科协"
    region = None
    audience = 100


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo_upload(name: str = "现场.png", content: bytes = PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")
