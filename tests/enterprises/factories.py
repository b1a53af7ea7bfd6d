from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from enterprises.models import Enterprise, EnterpriseYear, GaoqiCertificate, PoolEntry, SmesEvaluation
from kejiju.accounts.models import Region
from kejiju.core.identifiers import org_code_check_char, uscc_check_char
from kejiju.core.models import Organization


def make_uscc(n: int, area: str = "140902") -> str:
    """A valid company code (both check characters right) for test number `n`."""
    body = f"MA0{n:05d}"
    first17 = f"91{area}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试科技有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    region = factory.LazyFunction(lambda: Region.objects.get(code="140902"))
    industry_section = "C"
    industry_code = "3311"
    established_on = date(2015, 3, 1)
    organization = factory.LazyAttribute(
        lambda o: Organization.objects.create(name=o.name, uscc=o.uscc, region=o.region)
    )


# Figures that pass the 科小 evaluation: tech staff 30% (20), R&D/revenue 6% (50), one Ⅰ类 IP (30) = 100.
GOOD_FIGURES = {
    "employees": 100,
    "tech_staff": 30,
    "revenue": Decimal("50000000.00"),
    "total_income": Decimal("51000000.00"),
    "high_tech_revenue": Decimal("35000000.00"),
    "total_assets": Decimal("60000000.00"),
    "rd_expense": Decimal("3000000.00"),
    "rd_expense_in_china": Decimal("3000000.00"),
    "total_cost": Decimal("40000000.00"),
    "ip_class1": 1,
    "ip_class2": 3,
}


class EnterpriseYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseYear

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2025
    employees = GOOD_FIGURES["employees"]
    tech_staff = GOOD_FIGURES["tech_staff"]
    revenue = GOOD_FIGURES["revenue"]
    total_income = GOOD_FIGURES["total_income"]
    high_tech_revenue = GOOD_FIGURES["high_tech_revenue"]
    total_assets = GOOD_FIGURES["total_assets"]
    rd_expense = GOOD_FIGURES["rd_expense"]
    rd_expense_in_china = GOOD_FIGURES["rd_expense_in_china"]
    total_cost = GOOD_FIGURES["total_cost"]
    ip_class1 = 1
    ip_class2 = 3


class SmesEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmesEvaluation

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2026
    figures_year = 2025
    submitted_on = date(2026, 4, 1)
    total_score = 100
    passed = True


class PoolEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolEntry

    enterprise = factory.SubFactory(EnterpriseFactory)
    recommended_on = date(2026, 4, 1)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GaoqiCertificate

    enterprise = factory.SubFactory(EnterpriseFactory)
    number = factory.Sequence(lambda n: f"GR202514{n + 1:06d}")
    issued_on = date(2025, 12, 1)
    expires_on = date(2028, 11, 30)
