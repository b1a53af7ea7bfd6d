"""Pagination of list tables that stays cheap on large tables (the province-scale bench: 100,000 rows).

- The count is exact up to `EXACT_LIMIT` rows (a COUNT over at most that many keys); above it the page
  says “约 N 条” with PostgreSQL's planner estimate (EXPLAIN), so a list of 100,000 rows never counts them.
- Deep pages fetch the keys of the page first (an index scan of the ordering, no per-row work for the
  skipped rows) and then only the page's rows with their annotations (a “deferred join”), instead of an
  OFFSET over rows whose correlated subqueries PostgreSQL would evaluate before skipping them.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django_tables2.rows import BoundRows

EXACT_LIMIT = 10_000  # count exactly up to this many rows
DEFERRED_OFFSET = 500  # from this offset on, fetch the page's keys first


def _queryset(object_list) -> QuerySet | None:
    """The table's (filtered, ordered) queryset behind django-tables2's BoundRows, if it is one."""
    data = getattr(object_list, "data", None)
    queryset = getattr(data, "data", None)
    return queryset if isinstance(queryset, QuerySet) else None


def estimated_count(queryset: QuerySet) -> int | None:
    """PostgreSQL's planner estimate of the rows of `queryset` (None on other databases)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """django-tables2 paginator (`table_pagination = {"paginator_class": …}`): exact count for lists of up
    to EXACT_LIMIT rows, the planner's estimate above; deep pages by keys first. `estimated` tells the
    template to say “约”."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = _queryset(self.object_list)
        if queryset is None:
            return super().count
        keys = queryset.order_by().values("pk")
        capped = keys[: EXACT_LIMIT + 1].count()
        if capped <= EXACT_LIMIT:
            return capped
        estimate = estimated_count(queryset)
        if estimate is None:
            return keys.count()
        self.estimated = True
        return max(estimate, capped)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = _queryset(self.object_list)
        if queryset is None or bottom < DEFERRED_OFFSET or queryset.query.distinct:
            return self._get_page(self.object_list[bottom:top], number, self)
        rows = self.object_list
        keys = queryset.values("pk")[bottom:top]
        page_rows = BoundRows(
            data=queryset.filter(pk__in=keys), table=rows.table, pinned_data=rows.pinned_data
        )
        return self._get_page(page_rows, number, self)
