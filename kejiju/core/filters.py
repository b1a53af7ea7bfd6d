"""The filter sets of the list pages: the base every app's filter set builds on (free-text search, county
scoping of choices, lean selects), the county filter, and core's own organization and holiday filters."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import ForeignKey, Lookup, Model, Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django_filters.filters import QuerySetRequestMixin
from django_filters.utils import get_model_field

from kejiju.core.scoping import scope_region_ids

from .models import HolidayArrangement, Organization


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: ` name="value"`, a bare ` name` for True, no False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(' {}="{}"', name, str(value)) if value is not True else format_html(" {}", name),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class LeanSelectMixin:
    """Renders a select the way Django's select.html/select_option.html templates do, in Python: a
    filter form's county select has 130+ options, each an included template, on every list page.
    Flat choices (every filter's) are written straight from (value, label) pairs; grouped ones go
    through the widget's optgroups()."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            # What the iterator yields, read with one plain query: list() on it would COUNT first, and
            # it reads through a server-side cursor (DECLARE … FETCH … CLOSE).
            empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
            choices = empty + [choices.choice(obj) for obj in choices.queryset]
        else:
            choices = list(choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return self._render_groups(name, value, attrs)
        formatted = self.format_value(value)  # NullBooleanSelect gives one string, Select a list
        selected_values = {formatted} if isinstance(formatted, str) else set(formatted)
        attrs_html = _attrs_html(self.build_attrs(self.attrs, attrs))
        parts = [format_html('<select name="{}"{}>', name, attrs_html)]
        has_selected = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in selected_values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>"
            )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label escaped above

    def _render_groups(self, name, value, attrs):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs_html(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        _attrs_html(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append(mark_safe("\n  </optgroup>"))
        parts.append(mark_safe("\n</select>"))
        return mark_safe("".join(parts))  # noqa: S308 — every part built with format_html


class LeanSelect(LeanSelectMixin, forms.Select):
    pass


class LeanNullBooleanSelect(LeanSelectMixin, forms.NullBooleanSelect):
    pass


LEAN_WIDGETS = {forms.Select: LeanSelect, forms.NullBooleanSelect: LeanNullBooleanSelect}


REGION_CHOICES_VERSION_KEY = "choices:region:version"


def region_model() -> type[Model]:
    """The model of counties (accounts.Region), found through the field core's own Organization.region
    points to: core builds the county filters without importing accounts."""
    return Organization._meta.get_field("region").related_model


class CountyFilter(django_filters.ModelChoiceFilter):
    """A choice of the county-level regions, for the region that `field_name` reaches from the filtered
    model (its `related_model`, accounts.Region): `region = CountyFilter(label="所在县区")`."""

    def get_queryset(self, request):
        if self.queryset is not None:
            return super().get_queryset(request)
        field = get_model_field(self.model, self.field_name)
        return field.related_model._default_manager.county_level()


def region_choices(field: forms.ModelChoiceField) -> list[tuple]:
    """A region select's (value, label) pairs, kept in the cache: the county list (130+ rows, changed only
    by the system administrator) was one query and 130 model instances on every list page. Saving or
    deleting a region raises the version (kejiju.accounts.signals); entries also expire after 10 minutes."""
    import hashlib

    from django.core.cache import cache

    queryset = field.queryset
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(f"{sql}|{params}|{field.empty_label}".encode()).hexdigest()[:32]
    version = cache.get(REGION_CHOICES_VERSION_KEY, 0)
    key = f"choices:region:{version}:{digest}"
    choices = cache.get(key)
    if choices is None:
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        choices += [(region.pk, field.label_from_instance(region)) for region in queryset]
        cache.set(key, choices, 600)
    return choices


def _filters_by_region(filter_, request) -> bool:
    if not isinstance(filter_, QuerySetRequestMixin):
        return False
    queryset = filter_.get_queryset(request)  # resolves a callable queryset (projects' _regions)
    return isinstance(queryset, QuerySet) and queryset.model is region_model()


def region_path(model) -> str | None:
    """The path from `model` to its county (its `region_field`, or a `region` foreign key), if it has one."""
    manager_path = getattr(model._default_manager.none(), "region_field", None)
    path = getattr(model, "region_field", None) or manager_path
    if path:
        return path
    field = next((f for f in model._meta.concrete_fields if f.name == "region"), None)
    return "region" if field is not None and field.related_model is region_model() else None


def _within_regions(queryset, allowed: list[int]):
    """A filter's choices narrowed to the records of `allowed` counties and those of no county (a
    university elsewhere); a callable queryset (resolved per request) is narrowed when called."""
    if callable(queryset):
        return lambda request: _within_regions(queryset(request), allowed)
    if not isinstance(queryset, QuerySet):
        return queryset
    path = region_path(queryset.model)
    if path is None:
        return queryset
    return queryset.filter(Q(**{f"{path}__in": allowed}) | Q(**{f"{path}__isnull": True}))


@ForeignKey.register_lookup
class AnyOfSubquery(Lookup):
    """`key__any_of=<queryset of pks>`: the rows of `key__in`, written for PostgreSQL as
    `key = ANY(ARRAY(subquery))`. Inside an OR, `IN (subquery)` becomes a hashed SubPlan tested on every
    row the scan reads (the platform search read 15 600 rows in list order to find 50: 14 ms); the array
    is computed once first and the key's own index joins the other conditions' in a BitmapOr (3 ms)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection, template="{lhs} IN {rhs}"):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return template.format(lhs=lhs, rhs=rhs), (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="{lhs} = ANY(ARRAY{rhs})")


def search_condition(model, search_fields: tuple[str, ...], value: str) -> Q:
    """`icontains` on every search field, OR-ed. For a term of three characters or more, fields reached
    through a forward foreign key (a platform's `host__name`) become `host__any_of=<the matching hosts>`,
    one subquery per key: the same rows, found through the related table's own trigram index instead of
    a join (a shorter term has no trigram: the join is then cheaper than scanning the related table)."""
    condition = Q()
    through: dict[str, list[str]] = {}
    for path in search_fields:
        head, _, rest = path.partition("__")
        field = next((f for f in model._meta.get_fields() if f.name == head), None)
        if len(value) >= 3 and rest and field is not None and field.many_to_one and field.concrete:
            through.setdefault(head, []).append(rest)
        else:
            condition |= Q(**{f"{path}__icontains": value})
    for head, rests in through.items():
        related = model._meta.get_field(head).related_model
        matching = Q()
        for rest in rests:
            matching |= Q(**{f"{rest}__icontains": value})
        condition |= Q(**{f"{head}__any_of": related._base_manager.filter(matching).values("pk")})
    return condition


NULL_CHOICE_FILTERS = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter, QuerySetRequestMixin)


def path_can_be_null(model, path: str, method=None) -> bool:
    """Whether `path` (a filter's field_name, across relations) can be empty for a row of `model`: some
    field on the way is nullable, or a reverse or many-to-many relation (a row with none). A filter with
    its own method, or a path that names no field, has no 未填写 (empty) choice."""
    if method is not None or model is None:
        return False
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return False
        if getattr(field, "null", False) or field.many_to_many or field.one_to_many:
            return True
        if field.one_to_one and not field.concrete:
            return True
        model = field.related_model
        if model is None:
            return False
    return False


# The first year a year filter accepts: the models' year fields start there (MinValueValidator(2000), the
# holiday arrangements' MIN_YEAR); no record of the portal's (the earliest 高企 certificates are of 2008,
# the annual review starts in 2015) is older.
FIRST_YEAR = 2000


class YearField(forms.IntegerField):
    """A year typed into a number box: a whole number from FIRST_YEAR to this year (Asia/Shanghai), or
    `ahead` years later. Anything else is an error naming the field, shown above the list (whose rows are
    then none: kejiju.core.xlsx.filtered_queryset)."""

    def __init__(self, *, ahead: int = 0, label=None, **kwargs):
        last = timezone.localdate().year + ahead
        name = label or "年度"
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": f"{name}应填写年份（{FIRST_YEAR}–{last} 之间的整数）。",
                "min_value": f"{name}不能早于 {FIRST_YEAR} 年。",
                "max_value": f"{name}不能晚于 {last} 年。",
            },
        )
        super().__init__(label=label, min_value=FIRST_YEAR, max_value=last, **kwargs)
        self.widget.attrs.setdefault("step", 1)


class YearFilter(django_filters.NumberFilter):
    """Every year filter that is a free number box: `<input type="number" min max>` bounded to
    FIRST_YEAR–this year (YearField). `ahead=1` where next year's records exist already (the holiday
    arrangement published each autumn for the next year)."""

    field_class = YearField

    def __init__(self, *args, ahead: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if ahead:
            self.extra["ahead"] = ahead

    def get_max_validator(self):
        return None  # YearField bounds it


def is_year_name(name: str) -> bool:
    """Whether a filter's (or model field's) name says it holds a year: `year`, `task_year`, `year_from`."""
    return re.search(r"(^|_)year($|_)", name) is not None


class BaseFilterSet(django_filters.FilterSet):
    """Adds the free-text box `q`, matched with icontains on `search_fields` (pg_trgm GIN indexes serve
    these on PostgreSQL; SQLite falls back to a scan). Date filters render as every form's date fields do
    (kejiju.core.widgets, through the form renderer): an ISO `<input type="date">`."""

    search_fields: tuple[str, ...] = ()
    # True for a filterset of a model every holder of its view permission sees whole (accounts, sessions:
    # registered global): its county filter narrows those rows and stays for an account without a county.
    keeps_region_filters = False

    q = django_filters.CharFilter(method="search", label="关键词")

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        """A year field named in Meta.fields (`task_year`, a holiday arrangement's `year`) is a YearFilter."""
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.NumberFilter and (
            is_year_name(field.name) or lookup_type == "year"
        ):
            filter_class = YearFilter
        return filter_class, params

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            # FILTERS_NULL_CHOICE_LABEL (未填写) goes to every choice filter: only where a value may be empty.
            if (
                isinstance(filter_, NULL_CHOICE_FILTERS)
                and "null_label" not in filter_.extra
                and not path_can_be_null(self._meta.model, filter_.field_name, filter_.method)
            ):
                filter_.extra["null_label"] = None
        user = getattr(self.request, "user", None)
        if user is not None and not self.keeps_region_filters and scope_region_ids(user) is not None:
            # A county office sees one county, a unit none: a county choice would only offer what it
            # cannot see (and name every other county); the filter goes, not just its field.
            for name in [n for n, f in self.filters.items() if _filters_by_region(f, self.request)]:
                del self.filters[name]
            # Nor does it choose among the records of other counties (服务企业 of every county).
            allowed = scope_region_ids(user)
            for filter_ in self.filters.values():
                if isinstance(filter_, QuerySetRequestMixin):
                    filter_.queryset = _within_regions(filter_.queryset, allowed)

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.NullBooleanSelect):
                # django-filter's yes/no filters: the empty choice means "no filter", not 未知.
                widget.choices = (("unknown", "全部"), ("true", "是"), ("false", "否"))
            if type(widget) in LEAN_WIDGETS:
                widget.__class__ = LEAN_WIDGETS[type(widget)]
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is region_model():
                widget.choices = region_choices(field)
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
        return form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(search_condition(queryset.model, self.search_fields, value))


class OrganizationFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc")
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label="单位类型")
    region = CountyFilter(label="所在县区")

    # The universities that sent 科技副总 in a year (placed in one county): the list behind the annual
    # review's "科技副总来源高校" figure. Both conditions apply to the same placement, in one filter() call.
    vp_year = YearFilter(label="派出科技副总年度", method="filter_vice_presidents")
    vp_county = CountyFilter(
        field_name="vice_presidents_sent__county", label="科技副总所在县区", method="filter_vice_presidents"
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "region", "is_active", "vp_year", "vp_county"]

    is_active = django_filters.BooleanFilter(label="有效")

    def filter_vice_presidents(self, queryset, name, value):
        return queryset  # applied with its partner in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        placement = {}
        if data.get("vp_year"):
            placement["vice_presidents_sent__year"] = data["vp_year"]
        if data.get("vp_county"):
            placement["vice_presidents_sent__county"] = data["vp_county"]
        if placement:
            queryset = queryset.filter(**placement).distinct()
        return queryset


class HolidayArrangementFilterSet(BaseFilterSet):
    search_fields = ("notice_title", "document_number")
    year = YearFilter(label="年度", ahead=1)  # next year's notice is published in the autumn

    class Meta:
        model = HolidayArrangement
        fields = ["q", "year"]
