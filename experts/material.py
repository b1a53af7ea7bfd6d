"""What an expert reads of the records their seat reviews (网评材料): the application's content and its files.

Experts do not know what they review: each reviewed model says what an expert reads of one record with a
``review_material()`` method (beside ``review_title()`` …) returning a `Material` — sections of label/value
pairs or small tables, and the files. The hook leaves out what an expert need not see (身份证号, mobile
numbers, staff's internal notes). A record without the hook shows its title and summary only.

Every access to the records of a seat goes through `seat_subject_records` (today the panel's one subject);
a file is found by its key only among the files of those records (`seat_file`): anything else is a 404.
A file is handed out marked with the expert's name and the time (kejiju.core.watermark, experts.seats
`seat_material_download`); a format that cannot be marked is listed but not offered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import Http404

from kejiju.core import watermark

UNSUPPORTED = "该格式不支持在线查阅，请联系经办人。"


@dataclass(frozen=True)
class Section:
    """A part of the material: label/value pairs (`fields`), or a table (`columns` and `rows`; `empty` is
    said when it has no row)."""

    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "无"

    @property
    def is_table(self) -> bool:
        return bool(self.columns)


@dataclass(frozen=True)
class MaterialFile:
    """A stored file of the material: `row` is the model instance that keeps it (an attachment)."""

    row: Model
    file: FieldFile
    name: str  # the client's original name, for display and Content-Disposition
    kind: str = ""  # its label (申报书, 可行性研究报告 …)
    size: int | None = None

    @classmethod
    def of(cls, row: Model, *, file_field: str = "file") -> MaterialFile:
        """The file of an upload row keeping the client's name (`original_name`), its size and, when it
        has one, its kind (`get_kind_display`)."""
        kind = getattr(row, "get_kind_display", None)
        return cls(
            row=row,
            file=getattr(row, file_field),
            name=row.original_name,
            kind=kind() if callable(kind) else "",
            size=getattr(row, "size", None),
        )

    @property
    def key(self) -> str:
        """Stable within the portal: the keeping model's label and the row's key."""
        return file_key(self.row)

    @property
    def readable(self) -> bool:
        """Whether it can be handed out marked (PDF, PNG, JPEG); any other format is not offered."""
        return watermark.stampable(self.name)

    @property
    def refusal(self) -> str:
        return "" if self.readable else UNSUPPORTED


@dataclass(frozen=True)
class Material:
    title: str
    sections: list[Section] = field(default_factory=list)
    files: list[MaterialFile] = field(default_factory=list)


def file_key(row: Model) -> str:
    return f"{row._meta.label_lower}-{row.pk}"


# ------------------------------------------------------------------------------------- presentation


def text(value) -> str:
    """A value as the material shows it: 是/否, dates, money with two decimals, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def money(value) -> str:
    return "—" if value is None else f"{text(Decimal(value))} 元"


def term(start, end) -> str:
    return f"{text(start)} 至 {text(end)}"


# ------------------------------------------------------------------------------------------ records


def seat_subject_records(member, *, subject=None) -> list[Model]:
    """The records the seat `member` may read: of its panel's records (or only ``subject``, one of
    them), those whose 回避及保密声明 the member signed without declaring a conflict. Every access of a seat
    to its records goes through here: a record not on the seat, not yet signed for, or recused from gives
    nothing (its files are a 404)."""
    from .models import ReviewSheet

    signed = set(
        ReviewSheet.objects.filter(member=member, declared_at__isnull=False, conflict_reason="").values_list(
            "subject_id", flat=True
        )
    )
    subjects = member.panel.subjects.order_by("position").prefetch_related("subject")
    if subject is not None:
        subjects = subjects.filter(pk=subject.pk)
    return [s.subject for s in subjects if s.pk in signed and s.subject is not None]


def material_of(record: Model) -> Material:
    """What an expert reads of `record`: its `review_material()`, or its title and summary."""
    hook = getattr(record, "review_material", None)
    if callable(hook):
        return hook()
    title = record.review_title() if callable(getattr(record, "review_title", None)) else str(record)
    summary = getattr(record, "summary", "")
    return Material(title=title, sections=[Section("概况", fields=[("简介", summary)])] if summary else [])


def seat_material(member, *, subject=None) -> list[Material]:
    return [material_of(record) for record in seat_subject_records(member, subject=subject)]


def seat_file(member, key: str) -> MaterialFile:
    """The file `key` of the seat's records, or 404 (a file of any other record, an unknown key)."""
    for material in seat_material(member):
        for item in material.files:
            if item.key == key:
                return item
    raise Http404("评审材料中没有该文件。")
