from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile

from kejiju.core.models import Organization
from kejiju.units.models import UnitRegistration
from tests.enterprises.factories import make_uscc

PDF = b"%PDF-1.4\n%%EOF\n"


class UnitRegistrationFactory(factory.django.DjangoModelFactory):
    """A registration as the unit filed it (state submitted unless told)."""

    class Meta:
        model = UnitRegistration

    uscc = factory.Sequence(lambda n: make_uscc(7000 + n))
    name = factory.Sequence(lambda n: f"注册测试单位{n}有限公司")
    kind = Organization.Kind.ENTERPRISE
    address = "忻州市和平街1号"
    contact_person = "王联系"
    contact_phone = "0350-3000000"
    email = factory.Sequence(lambda n: f"unit{n}@example.cn")
    licence = factory.LazyFunction(lambda: ContentFile(PDF, name="营业执照.pdf"))
    licence_name = "营业执照.pdf"
    admin_username = factory.Sequence(lambda n: f"unitadmin{n}")
    admin_display_name = "单位管理员"
    admin_password = factory.LazyFunction(lambda: make_password("Kejiju@2026"))
