"""Writing a checked import, all or nothing: new enterprises in bulk, known ones through the services, and
their yearly figures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core import spreadsheets
from kejiju.core.auditing import log_bulk_created
from kejiju.core.models import Organization
from kejiju.core.spreadsheets import RowError

from .. import services
from ..models import Enterprise, EnterpriseYear
from ..services.enterprises import _check_region
from .rows import _name_taken, enterprise_row_errors, figure_row_errors
from .sheets import ENTERPRISE_LABELS, ENTERPRISE_SHEET, ImportRefused, ParsedImport


def _row_refused(sheet: str, number: int, error: ValidationError | str, labels=None) -> ImportRefused:
    message = error if isinstance(error, str) else spreadsheets.validation_message(error, labels=labels or {})
    return ImportRefused(f"“{sheet}”第{number}行：{message}（未导入任何数据）")


def _refused_by(errors: list[RowError]) -> ImportRefused:
    first = errors[0]
    return ImportRefused(f"{first}（未导入任何数据）")


def _create_enterprises(rows: list[tuple[int, dict[str, Any]]], *, user) -> list[Enterprise]:
    """The new enterprises of the file, written in bulk: the checks of services.enterprise_create done for
    all rows with a few queries, then one INSERT per table (and their audit entries)."""
    if not rows:
        return []
    for region_id in {row["region"].pk for _n, row in rows}:
        _check_region(user, region_id)
    codes = [row["uscc"] for _n, row in rows]
    taken = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
    units = {unit.uscc: unit for unit in Organization.objects.filter(uscc__in=codes)}
    linked = set(
        Enterprise.objects.filter(organization__in=list(units.values())).values_list(
            "organization_id", flat=True
        )
    )
    namesakes: dict[str, list[Organization]] = {}
    for unit in Organization.objects.filter(
        name__in={row["name"] for _n, row in rows if row["uscc"] not in units},
        uscc="",
        kind=Organization.Kind.ENTERPRISE,
        enterprise__isnull=True,
    ).order_by("pk"):
        namesakes.setdefault(unit.name, []).append(unit)

    new_units, known_units, enterprises = [], [], []
    for number, row in rows:
        code, name = row["uscc"], row["name"].strip()
        if code in taken:
            raise _row_refused(ENTERPRISE_SHEET, number, "该统一社会信用代码已登记。")
        if not name:
            raise _row_refused(ENTERPRISE_SHEET, number, "企业名称不能为空。")
        unit = units.get(code)
        if unit is not None and unit.pk in linked:
            raise _row_refused(ENTERPRISE_SHEET, number, "该统一社会信用代码已关联其他企业。")
        if unit is None and namesakes.get(name):
            unit = namesakes[name].pop(0)
            unit.uscc = code
        if unit is None:
            unit = Organization(name=name, uscc=code, region=row["region"], kind=Organization.Kind.ENTERPRISE)
            new_units.append(unit)
        else:
            known_units.append(unit)
        unit.name, unit.region = name, row["region"]
        enterprise = Enterprise(
            name=name,
            uscc=code,
            region=row["region"],
            industry_section=row["industry_section"],
            industry_code=row["industry_code"],
            established_on=row["established_on"],
            address=row["address"],
            contact_person=row["contact_person"],
            contact_phone=row["contact_phone"],
        )
        # The preview's own checks, again; uniqueness and the region (a known county) were checked above.
        problems = enterprise_row_errors(row, number=number)
        if problems:
            raise _refused_by(problems)
        enterprises.append((enterprise, unit))
    # The 单位库's rule once more, over the whole file (the preview checked it; another user may have
    # recorded a unit since): no name held by a unit other than the one this row writes.
    names = [unit.name for _e, unit in enterprises]
    holders = dict(Organization.objects.filter(name__in=names).values_list("name", "pk"))
    for (number, _row), (_enterprise, unit) in zip(rows, enterprises, strict=True):
        holder = holders.get(unit.name)
        if holder is not None and holder != unit.pk:
            taken = Organization.objects.get(pk=holder)
            raise _row_refused(ENTERPRISE_SHEET, number, _name_taken(unit.name, taken.uscc))
    for unit in known_units:  # units another app recorded first: saved one by one, audited as changes
        unit.save()
    Organization.objects.bulk_create(new_units, batch_size=2000)
    for enterprise, unit in enterprises:
        enterprise.organization = unit
    created = Enterprise.objects.bulk_create([e for e, _u in enterprises], batch_size=2000)
    log_bulk_created(new_units, actor=user)
    log_bulk_created(created, actor=user)
    return created


def _save_figures(rows: list[tuple[int, dict[str, Any]]], by_code: dict[str, Enterprise], *, user) -> None:
    """Yearly figures: new years in bulk, replaced years saved one by one (audited as changes)."""
    if not rows:
        return
    for region_id in {enterprise.region_id for enterprise in by_code.values()}:
        _check_region(user, region_id)
    current = {
        (row.enterprise_id, row.year): row
        for row in EnterpriseYear.objects.filter(
            enterprise__in=[by_code[row["uscc"]] for _n, row in rows],
            year__in={row["year"] for _n, row in rows},
        )
    }
    new = []
    for number, row in rows:
        enterprise = by_code[row["uscc"]]
        values = {k: v for k, v in row.items() if k not in {"uscc", "year"}}
        problems = figure_row_errors(row, number=number)  # the preview's own checks, again
        if problems:
            raise _refused_by(problems)
        year = current.get((enterprise.pk, row["year"]))
        if year is None:
            year = EnterpriseYear(enterprise=enterprise, year=row["year"])
        for key, value in values.items():
            setattr(year, key, value)
        if year.pk is None:
            new.append(year)
        else:
            year.save()
    log_bulk_created(EnterpriseYear.objects.bulk_create(new, batch_size=2000), actor=user)


def commit(*, parsed: ParsedImport, user) -> tuple[int, int]:
    """Write every row or none: (enterprises written, yearly rows written). New enterprises and new years
    are inserted in bulk; enterprises already registered go through services.enterprise_update."""
    if not parsed.ok:
        raise ImportRefused("存在错误，未导入任何数据。")
    with transaction.atomic():
        by_code: dict[str, Enterprise] = {}
        new_rows = []
        for number, row in parsed.enterprises:
            if row["existing"] is None:
                new_rows.append((number, row))
                continue
            fields = {
                key: row[key]
                for key in (
                    "name",
                    "region",
                    "industry_section",
                    "industry_code",
                    "established_on",
                    "address",
                    "contact_person",
                    "contact_phone",
                )
            }
            try:
                enterprise = services.enterprise_update(
                    enterprise=row["existing"], actor=user, uscc=row["uscc"], **fields
                )
            except ValidationError as exc:
                raise _row_refused(ENTERPRISE_SHEET, number, exc, ENTERPRISE_LABELS) from None
            by_code[enterprise.uscc] = enterprise
        by_code.update({e.uscc: e for e in _create_enterprises(new_rows, user=user)})
        missing = {row["uscc"] for _n, row in parsed.figures} - set(by_code)
        by_code.update({e.uscc: e for e in Enterprise.objects.filter(uscc__in=missing)})
        _save_figures(parsed.figures, by_code, user=user)
    return len(parsed.enterprises), len(parsed.figures)
