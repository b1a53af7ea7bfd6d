import inspect
from collections.abc import Iterator
from functools import cache

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns import library
from django_tables2.rows import BoundRow

from . import presentation
from .links import may_follow
from .models import HolidayArrangement, Organization

# ------------------------------------------------------------------------------------------ columns
# The columns of dates, times, booleans and money show and export through kejiju.core.presentation;
# registered, they are also what django-tables2 makes for such model fields in `Meta.fields`.

MONEY_ATTRS = {"td": {"class": "text-end col-money"}, "th": {"class": "text-end col-money"}}


@library.register
class DateColumn(tables.Column):
    """A date (a datetime's local date) as "2026-12-05"; exported as a date cell."""

    def __init__(self, format=None, short=True, **kwargs):
        self.format = format or presentation.DATE_FORMAT
        super().__init__(**kwargs)

    def render(self, value):
        return presentation.date_text(value, self.format)

    def value(self, value):
        return presentation.cell(value)

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            return cls(**kwargs)
        return None


@library.register
class DateTimeColumn(DateColumn):
    """A time in local time as "2026-12-05 04:21"; exported as a datetime cell (local)."""

    def __init__(self, format=None, short=True, **kwargs):
        super().__init__(format=format or presentation.DATETIME_FORMAT, **kwargs)

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, models.DateTimeField):
            return cls(**kwargs)
        return None


@library.register
class BooleanColumn(tables.Column):
    """是/否 (or the column's own pair, e.g. 合格/不合格), the same text in exports."""

    def __init__(self, null=False, yesno=(presentation.YES, presentation.NO), **kwargs):
        self.yesno = yesno.split(",") if isinstance(yesno, str) else tuple(yesno)
        if not null:
            kwargs["empty_values"] = ()
        super().__init__(**kwargs)

    def render(self, value):
        return self.yesno[0] if value else self.yesno[1]

    def value(self, value):
        return self.render(value)

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, models.BooleanField):
            return cls(null=field.null, **kwargs)
        return None


@library.register
class MoneyColumn(tables.Column):
    """An amount right-aligned, with thousands separators and two decimals (1,234,567.50) under a header
    that names the unit; exported as the number with the "#,##0.00" format."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", MONEY_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return presentation.amount(value)

    def value(self, value):
        return presentation.Money(value)

    @classmethod
    def from_field(cls, field, **kwargs):
        if presentation.is_money_field(field):
            return cls(**kwargs)
        return None


# Columns whose render(value) and value(value) take the value alone: the fast paths call them directly.
_VALUE_ONLY = (DateColumn, BooleanColumn, MoneyColumn)
# django-tables2's link columns (its BaseLinkColumn subclasses): their text is not the value.
_LINK_COLUMNS = (
    tables.LinkColumn,
    tables.EmailColumn,
    tables.URLColumn,
    tables.FileColumn,
    tables.JSONColumn,
)


def signature(fn) -> tuple[list[str], str | None]:
    """The names a render/value method takes (self left out) and the name of its **kwargs catch-all, if
    any: how django-tables2 decides which of the cell's arguments to pass."""
    names, catch_all = [], None
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind == parameter.VAR_KEYWORD:
            catch_all = parameter.name
        elif parameter.kind != parameter.VAR_POSITIONAL:
            names.append(parameter.name)
    return names, catch_all


def _cell_kwargs(row, bound_column, value) -> dict:
    """The optional arguments django-tables2 offers a column's render/value and a link (its
    BoundRow._optional_cell_arguments), from public attributes."""
    return {
        "value": value,
        "record": row.record,
        "column": bound_column.column,
        "bound_column": bound_column,
        "bound_row": row,
        "table": row.table,
    }


def _own_render(bound_column) -> bool:
    """The column renders with its class's own render method (no table `render_<name>`)."""
    column = bound_column.column
    return bound_column.render == column.render


def _cell_renderer(bound_column):
    """A cell's render step with the work django-tables2 repeats per cell done once per column: the render
    method's signature is read once. Returns fn(row, value) -> content."""
    link = bound_column.link
    column = bound_column.column
    if _own_render(bound_column) and isinstance(column, _VALUE_ONLY):

        def render(row, value):
            return column.render(value)

    elif type(column).render is tables.Column.render and _own_render(bound_column):
        # Column.render returns the value as it is.
        def render(row, value):
            return value

    else:
        args, catch_all = signature(bound_column.render)

        def render(row, value):
            kwargs = _cell_kwargs(row, bound_column, value)
            if not catch_all:
                if any(arg not in kwargs for arg in args):
                    return None
                kwargs = {key: kwargs[key] for key in args}
            return bound_column.render(**kwargs)

    if not link:
        return render

    def render_linked(row, value):
        return link(render(row, value), **_cell_kwargs(row, bound_column, value))

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
        or isinstance(column, (tables.ManyToManyColumn, *_LINK_COLUMNS))
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


# The CSS class of a column by the kind of what it holds (static/css/kejiju.css): names, states, dates
# and money never break one character per line at 1366 px.
STATE_NAMES = frozenset({"state", "status", "kind", "level", "gender", "result"})


def column_kind(bound_column, model) -> str | None:
    column = bound_column.column
    if isinstance(column, DateColumn):
        return "col-date"
    if isinstance(column, MoneyColumn):
        return "col-money"
    if isinstance(column, BooleanColumn):
        return "col-state"
    field = _field_of(model, str(bound_column.accessor))
    name = bound_column.name
    if name in STATE_NAMES or getattr(field, "choices", None):
        return "col-state"
    if name == "title" or name.endswith("_title"):
        return "col-title"
    if _holds_a_short_name(field):
        return "col-short"
    if (
        name == "name"
        or name.endswith("_name")
        or getattr(field, "name", "") == "name"
        or isinstance(field, models.ForeignKey | models.OneToOneField)
        or bound_column.link is not None
    ):
        return "col-name"
    return None


# A person's name or a county's fits on one line; giving it a long name's width pushes a wide list past
# 1366 px. Longer texts (units, organisations) keep their width and wrap.
SHORT_NAME_LENGTH = 32


def _holds_a_short_name(field) -> bool:
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        return field.related_model._meta.label == "accounts.Region"
    return (
        isinstance(field, models.CharField)
        and not field.choices
        and field.max_length is not None
        and field.max_length <= SHORT_NAME_LENGTH
    )


def _field_of(model, accessor: str):
    """The model field an accessor ("call__programme__name") ends on, None when it is not a field path."""
    field = None
    for part in accessor.replace(".", "__").split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def _add_class(column, css: str) -> None:
    """Add `css` to the column's td and th class (a column's attrs are its own: django-tables2 copies the
    declared columns for every table)."""
    attrs = dict(column.attrs)
    for key in ("td", "th"):
        part = dict(attrs.get(key) or attrs.get("cell") or {})
        existing = part.get("class", "")
        if callable(existing):
            continue
        part["class"] = f"{existing} {css}".strip()
        attrs[key] = part
    column.attrs = attrs


def _has_callable(attrs: dict) -> bool:
    return any(callable(value) for key in ("td", "cell") for value in dict(attrs.get(key) or {}).values())


def _cell_html(bound_column, cell) -> str:
    """A cell's content as django-tables2's template writes it: {{ cell }}, localised and escaped."""
    if type(cell) is SafeString:  # what localize and conditional_escape would leave as it is
        return cell
    if type(cell) is str:
        return escape(cell)
    cell = template_localtime(cell)
    localize = bound_column.localize
    if localize is None:
        cell = formats.localize(cell)
    elif localize:
        cell = formats.localize(cell, use_l10n=True)
    else:
        cell = formats.localize(cell, use_l10n=False)
    return conditional_escape(cell)


def _offer_only_followable(link, table) -> None:
    """Make a column's link (django-tables2's LinkTransform, the table's own copy) render as plain text
    where the viewer may not follow it (kejiju.core.links.may_follow): a type whose record URL is its edit
    page is named, not linked, for a user who may only read it. Asked once per record class and column
    (a model's records link to the same view); a table rendered without a request (exports) is unchanged."""
    compose_url = link.compose_url
    answers: dict[type, bool] = {}

    def followable_url(**kwargs):
        url = compose_url(**kwargs)
        request = getattr(table, "request", None)
        if url is None or request is None:
            return url
        kind = type(kwargs.get("record"))
        if kind not in answers:
            answers[kind] = may_follow(request, url)
        return url if answers[kind] else None

    link.compose_url = followable_url


class BaseTable(tables.Table):
    """Shared look of every list table; columns named in `export_exclude` stay out of xlsx exports.

    The rows are rendered by `tbody_html` (core/table.html): the same cells and attributes as
    django-tables2's template, but built in Python with the per-column work done once per page (the
    per-cell template machinery was most of a list page's time at province scale)."""

    export_exclude = ("actions",)
    # Columns the xlsx export carries but the page leaves out, so that a wide list fits 1366 px (the
    # record's detail page shows them).
    export_only: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.export_only:
            self.columns.hide(name)
        model = getattr(self._meta, "model", None)
        for bound_column in self.columns.iterall():
            kind = column_kind(bound_column, model)
            if kind and kind not in str((bound_column.column.attrs.get("td") or {}).get("class", "")):
                _add_class(bound_column.column, kind)
            if bound_column.link is not None:
                _offer_only_followable(bound_column.link, self)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = "暂无符合条件的记录。"
        per_page = 50

    def tbody_html(self) -> SafeString:
        columns = list(self.columns)
        # Callable td attrs read each cell's value and record: such a table's rows take django-tables2's
        # own path (row.items() sets them as it renders each cell); any other table's td attributes are the
        # same on every row, written once per column.
        dynamic = _has_callable(self.attrs) or any(_has_callable(c.column.attrs) for c in columns)
        model = getattr(self._meta, "model", None)
        plan = []
        for bound_column in columns:
            td = None if dynamic else bound_column.attrs["td"].as_html()
            plan.append((bound_column, _cell_renderer(bound_column), _value_getter(bound_column, model), td))
        links = sum(bound_column.link is not None for bound_column in columns)
        parts = []
        for row in self.paginated_rows:
            parts.append(f"<tr {row.attrs.as_html()}>")
            if dynamic:
                for bound_column, cell in row.items():
                    parts.append(
                        f"<td {bound_column.attrs['td'].as_html()}>{_cell_html(bound_column, cell)}</td>"
                    )
                parts.append("</tr>")
                continue
            record = row.record
            fast = model is not None and isinstance(record, model)
            if fast and links > 1 and hasattr(record, "get_absolute_url"):
                # A row linked from two columns (a project's number and title) reverses its URL once.
                record.get_absolute_url = cache(record.get_absolute_url)
            for bound_column, render, getter, td in plan:
                if fast and getter is not None:
                    value = getter(record)
                    if value in bound_column.column.empty_values:
                        cell = bound_column.default
                    else:
                        cell = render(row, value)
                else:
                    cell = row.get_cell(bound_column.name)
                parts.append(f"<td {td}>{_cell_html(bound_column, cell)}</td>")
            parts.append("</tr>")
        if not parts and self.empty_text:
            parts.append(f'<tr><td colspan="{len(columns)}">{conditional_escape(self.empty_text)}</td></tr>')
        return mark_safe("".join(parts))  # noqa: S308 — every value escaped above

    def export_values(self, columns) -> Iterator[list]:
        """Every row's cells as an xlsx export writes them: what `BoundRow.get_cell_value` gives, made
        native by kejiju.core.presentation.cell (local times, 是/否, labels, Money), an empty value as
        the column's default text (blank where that is "—"). Streamed from the database in chunks (not
        every row held at once), the per-column work done once."""
        model = getattr(self._meta, "model", None)
        plan = []
        for bound_column in columns:
            name, column = bound_column.name, bound_column.column
            table_value = getattr(self, f"value_{name}", None)
            own = table_value is None and not hasattr(self, f"render_{name}")
            if (
                own
                and type(column).value is tables.Column.value
                and type(column).render is tables.Column.render
            ):
                call = _plain_value
            elif own and isinstance(column, _VALUE_ONLY):
                call = _column_value(column)
            elif table_value is not None:
                call = _method_value(table_value)
            else:
                call = None
            default = force_str(bound_column.default) if bound_column.default is not None else ""
            empty = None if default in ("", presentation.EMPTY) else default
            plan.append((bound_column, _value_getter(bound_column, model), call, column.empty_values, empty))
        data = self.data.data
        records = data.iterator(chunk_size=2000) if isinstance(data, QuerySet) else iter(self.data)
        cell = presentation.cell
        for record in records:
            fast = model is not None and isinstance(record, model)
            row = None  # a BoundRow, made only for the columns that need one
            values = []
            for bound_column, getter, call, empty_values, empty in plan:
                if fast and getter is not None and call is not None:
                    value = getter(record)
                    value = None if value in empty_values else call(record, value)
                else:
                    if row is None:
                        row = BoundRow(record, table=self)
                    value = row.get_cell_value(bound_column.name)
                values.append(empty if value is None or value == "" else cell(value))
            yield values


def _plain_value(record, value):
    return value


def _column_value(column):
    def call(record, value):
        return column.value(value)

    return call


def _method_value(method):
    """A table's `value_<name>` called with what its signature names of (value, record); None (the
    general path) when it wants more."""
    args, catch_all = signature(method)
    if catch_all or any(arg not in ("value", "record") for arg in args):
        return None
    wants_value, wants_record = "value" in args, "record" in args

    def call(record, value):
        kwargs = {}
        if wants_value:
            kwargs["value"] = value
        if wants_record:
            kwargs["record"] = record
        return method(**kwargs)

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
    makeup_count = tables.Column(verbose_name="调休上班天数", accessor="makeup_workdays", orderable=False)
    published_on = DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = HolidayArrangement
        fields = ("year", "notice_title", "document_number", "published_on", "holiday_count", "makeup_count")
        order_by = ("-year",)

    def render_year(self, value):
        return f"{value}年"

    def render_holiday_count(self, value):
        return len(value)

    def render_makeup_count(self, value):
        return len(value)

    def value_holiday_count(self, value):
        return len(value)

    def value_makeup_count(self, value):
        return len(value)
