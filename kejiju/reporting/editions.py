"""What a reader calls an annual review edition (one ReportJob): its scope, its number within its year and
scope (第 n 版, in the order requested) and its name, never a database id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kejiju.core.jobs import get_job_kind
from kejiju.core.models import ReportJob


def edition_scope(job) -> str:
    """The region an annual review edition covers: the name kept with the request, else 全市."""
    return job.parameters.get("region_name") or (job.result.get("region") or {}).get("name") or "全市"


def _series(parameters: dict) -> tuple:
    return str(parameters.get("year")), str(parameters.get("region") or "")


def edition_numbers(jobs: Iterable[ReportJob]) -> dict[int, int]:
    """第 n 版 of each edition among those of its year and scope, in the order they were requested (one
    query, however many editions)."""
    jobs = list(jobs)
    if not jobs:
        return {}
    wanted = {_series(job.parameters) for job in jobs}
    years = sorted({job.parameters.get("year") for job in jobs})
    counters: dict[tuple, int] = defaultdict(int)
    numbers = {}
    siblings = ReportJob.objects.filter(kind__in={job.kind for job in jobs}, parameters__year__in=years)
    for pk, parameters in siblings.order_by("pk").values_list("pk", "parameters"):
        series = _series(parameters)
        if series in wanted:
            counters[series] += 1
            numbers[pk] = counters[series]
    return numbers


def edition_number_text(number: int | None) -> str:
    return f"第{number}版" if number else ""


def edition_name(job: ReportJob, number: int | None = None) -> str:
    """The edition as a reader names it: the kind's description (year and scope) and its number, e.g.
    “2023年度工作综述（忻府区） 第2版”."""
    if number is None:
        number = edition_numbers([job]).get(job.pk)
    return f"{get_job_kind(job.kind).title(job.parameters)} {edition_number_text(number)}".strip()
