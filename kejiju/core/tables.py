import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import signature

from .models import HolidayArrangement, Organization

_DATE_TEMPLATE = re.compile(r'^\{\{ value\|date:"(?P<format>[^"]*)"\|default:default \}\}$')


def _date_text(value, fmt: str) -> str:
    """What `{{ value|date:fmt }}` prints (the template DateColumn compiles for every cell)."""
    value = template_localtime(value) if isinstance(value, datetime) else value
    try:
        return formats.date_format(value, fmt)
    except AttributeError:
        return ""


def _is_plain_date_column(bound_column):
    """The format of a django-tables2 DateColumn rendering its own template (None for other columns)."""
    column = bound_column.column
    if not (
        isinstance(column, tables.DateColumn)
        and type(column).render is tables.DateColumn.render
        and type(column).value is tables.DateColumn.value
        and bound_column.render == column.render
    ):
        return None
    return _DATE_TEMPLATE.match(column.template_code or "")


def _date_value(default_text: str):
    def value(value, **kwargs):
        return value.isoformat() if isinstance(value, date) else default_text

    return value


def _cell_renderer(bound_column):
    """A cell's render step with the work django-tables2 repeats per cell done once per column: the render
    method's signature is read once; a DateColumn formats the date directly instead of compiling its
    one-line template for every cell. Returns fn(row, bound_column, value) -> content."""
    link = bound_column.link
    match = _is_plain_date_column(bound_column)
    if match:
        fmt = match["format"]

        def render_date(row, value):
            if isinstance(value, date):
                text = _date_text(value, fmt)
            else:
                text = "" if value in (None, "") else str(value)
            return mark_safe(conditional_escape(text or bound_column.default))  # noqa: S308 — escaped

        render = render_date
    elif type(bound_column.column).render is tables.Column.render and bound_column.render == (
        bound_column.column.render
    ):
        # Column.render returns the value as it is.
        def render(row, value):
            return value

    else:
        args, catch_all = signature(bound_column.render)

        def render(row, value):
            kwargs = row._optional_cell_arguments(bound_column, value)
            if not catch_all:
                if any(arg not in kwargs for arg in args):
                    return None
                kwargs = {key: kwargs[key] for key in args}
            return bound_column.render(**kwargs)

    if not link:
        return render

    def render_linked(row, value):
        return link(render(row, value), **row._optional_cell_arguments(bound_column, value))

    return render_linked


def _value_getter(bound_column, model):
    """For a column whose accessor is one attribute of a model row (a field, an annotation), a function
    returning what django-tables2's `_get_and_render_with` resolves (the choice label of a field with
    choices, a callable called); None when the general path is needed (dotted accessors, link texts,
    many-to-many columns)."""
    accessor = str(bound_column.accessor)
    column = bound_column.column
    if (
        model is None
        or not accessor.isidentifier()
        or "__" in accessor
        or isinstance(column, tables.ManyToManyColumn | BaseLinkColumn)
    ):
        return None
    try:
        field = model._meta.get_field(accessor)
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "choices", None) and hasattr(model, f"get_{accessor}_display"):
        # What Model._get_FIELD_display returns, with the choices flattened once per column.
        labels = dict(make_hashable(field.flatchoices))
        attname = field.attname

        def display(record):
            value = getattr(record, attname)
            return force_str(labels.get(make_hashable(value), value), strings_only=True)

        return display
    if field is not None and (field.many_to_many or field.one_to_many):
        return None

    def get(record):
        try:
            value = getattr(record, accessor)
            if callable(value) and not getattr(value, "do_not_call_in_templates", False):
                if getattr(value, "alters_data", False):
                    return None
                value = value()
        except Exception:  # as django-tables2: a value that cannot be resolved shows the default
            return None
        return value

    return get


def _has_callable(attrs: dict) -> bool:
    return any(callable(value) for key in ("td", "cell") for value in dict(attrs.get(key) or {}).values())


MONEY_ATTRS = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class MoneyColumn(tables.Column):
    """An amount right-aligned, with thousands separators and two decimals (1,234,567.50); exports keep
    the number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", MONEY_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.2f}"

    def value(self, value):
        return value


class BaseTable(tables.Table):
    """Shared look of every list table; columns named in `export_exclude` stay out of xlsx exports.

    The rows are rendered by `tbody_html` (core/table.html): the same cells and attributes as
    django-tables2's template, but built in Python with the per-column work done once per page (the
    per-cell template machinery was most of a list page's time at province scale)."""

    export_exclude = ("actions",)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = "暂无符合条件的记录。"
        per_page = 50

    def tbody_html(self) -> SafeString:
        columns = list(self.columns)
        table_dynamic = _has_callable(self.attrs)
        model = getattr(self._meta, "model", None)
        plan = []
        for bound_column in columns:
            dynamic = table_dynamic or _has_callable(bound_column.column.attrs)
            bound_column.current_value = bound_column.current_record = None
            td = None if dynamic else bound_column.attrs["td"].as_html()
            getter = _value_getter(bound_column, model)
            plan.append((bound_column, _cell_renderer(bound_column), getter, td, dynamic))
        links = sum(bound_column.link is not None for bound_column in columns)
        parts = []
        for row in self.paginated_rows:
            parts.append(f"<tr {row.attrs.as_html()}>")
            record = row.record
            fast = model is not None and isinstance(record, model)
            if fast and links > 1 and hasattr(record, "get_absolute_url"):
                # A row linked from two columns (a project's number and title) reverses its URL once.
                record.get_absolute_url = cache(record.get_absolute_url)
            for bound_column, render, getter, td, dynamic in plan:
                if fast and getter is not None:
                    value = getter(record)
                    if value in bound_column.column.empty_values:
                        cell = bound_column.default
                    else:
                        cell = render(row, value)
                else:
                    cell = row._get_and_render_with(
                        bound_column,
                        render_func=lambda bc, value=None, row=row, render=render: render(row, value),
                        default=bound_column.default,
                    )
                if dynamic:
                    bound_column.current_value, bound_column.current_record = cell, row.record
                    td = bound_column.attrs["td"].as_html()
                if type(cell) is SafeString:  # what localize and conditional_escape would leave as it is
                    parts.append(f"<td {td}>{cell}</td>")
                    continue
                if type(cell) is str:
                    parts.append(f"<td {td}>{escape(cell)}</td>")
                    continue
                cell = template_localtime(cell)
                localize = bound_column.localize
                if localize is None:
                    cell = formats.localize(cell)
                elif localize:
                    cell = formats.localize(cell, use_l10n=True)
                else:
                    cell = formats.localize(cell, use_l10n=False)
                parts.append(f"<td {td}>{conditional_escape(cell)}</td>")
            parts.append("</tr>")
        if not parts and self.empty_text:
            parts.append(f'<tr><td colspan="{len(columns)}">{conditional_escape(self.empty_text)}</td></tr>')
        return mark_safe("".join(parts))  # noqa: S308 — every value escaped above

    def export_values(self, columns) -> Iterator[list]:
        """What `BoundRow.get_cell_value` gives for every row and column (the xlsx export), streamed from
        the database in chunks (not every row held at once) and with the per-column work done once."""
        model = getattr(self._meta, "model", None)
        plan = []
        for bound_column in columns:
            name, column = bound_column.name, bound_column.column
            plain = (
                type(column).value is tables.Column.value
                and type(column).render is tables.Column.render
                and not hasattr(self, f"value_{name}")
                and not hasattr(self, f"render_{name}")
            )
            value_fn = bound_column.value
            if _is_plain_date_column(bound_column) and not hasattr(self, f"value_{name}"):
                # DateColumn.value: a date's isoformat; anything else renders its one-line template,
                # which prints the column's default.
                value_fn = _date_value(strip_tags(str(bound_column.default)).strip())
            plan.append(
                (
                    bound_column,
                    _value_getter(bound_column, model),
                    plain,
                    self._export_caller(bound_column, value_fn),
                    bound_column.column.empty_values,
                )
            )
        data = self.data.data
        records = data.iterator(chunk_size=2000) if isinstance(data, QuerySet) else iter(self.data)
        for record in records:
            fast = model is not None and isinstance(record, model)
            row = None  # a BoundRow, made only for the columns that need one
            values = []
            for bound_column, getter, plain, call, empty_values in plan:
                if not (fast and getter is not None):
                    if row is None:
                        row = BoundRow(record, table=self)
                    values.append(row.get_cell_value(bound_column.name))
                    continue
                value = getter(record)
                if value in empty_values:
                    values.append(None)
                elif plain:
                    values.append(value)
                else:
                    if call.needs_row and row is None:
                        row = BoundRow(record, table=self)
                    values.append(call(record, value, row))
            yield values

    def _export_caller(self, bound_column, value_fn):
        """fn(record, value, row) calling value_fn with the optional cell arguments its signature names
        (as django-tables2 does: None when it names one that is not offered); `needs_row` says whether
        it wants the BoundRow."""
        args, catch_all = signature(value_fn)
        offered = ("value", "record", "column", "bound_column", "bound_row", "table")
        if catch_all or "bound_row" in args:

            def call(record, value, row):
                kwargs = row._optional_cell_arguments(bound_column, value)
                if not catch_all:
                    if any(arg not in kwargs for arg in args):
                        return None
                    kwargs = {key: kwargs[key] for key in args}
                return value_fn(**kwargs)

            call.needs_row = True
            return call
        if any(arg not in offered for arg in args):

            def call(record, value, row):
                return None

        else:
            fixed = {"column": bound_column.column, "bound_column": bound_column, "table": self}
            fixed = {key: fixed[key] for key in args if key in fixed}
            wants_value, wants_record = "value" in args, "record" in args

            def call(record, value, row):
                kwargs = dict(fixed)
                if wants_value:
                    kwargs["value"] = value
                if wants_record:
                    kwargs["record"] = record
                return value_fn(**kwargs)

        call.needs_row = False
        return call


class OrganizationTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在县区", default="—")

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "kind", "uscc", "region", "is_active")


class HolidayArrangementTable(BaseTable):
    year = tables.Column(linkify=lambda record: record.get_absolute_url())
    holiday_count = tables.Column(verbose_name="节日数", accessor="holidays", orderable=False)
    makeup_count = tables.Column(verbose_name="调休上班日", accessor="makeup_workdays", orderable=False)
    published_on = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = HolidayArrangement
        fields = ("year", "notice_title", "document_number", "published_on", "holiday_count", "makeup_count")
        order_by = ("-year",)

    def render_year(self, value):
        return f"{value}年"

    def render_holiday_count(self, value):
        return len(value)

    def render_makeup_count(self, value):
        return f"{len(value)}天"

    def value_holiday_count(self, value):
        return len(value)

    def value_makeup_count(self, value):
        return len(value)
