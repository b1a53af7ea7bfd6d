"""The registry of ReportJob kinds. A domain app registers a builder for its kind in AppConfig.ready():

    register_job_kind(JobKind(name="monthly_report", label="月度进展报告", build=build_monthly_report,
                              permission="reporting.view_monthlyreport"))

A builder takes the job, does the work and returns a JobOutput: the file's name and bytes, and any
figures to keep with the job (so that a page and a file show the same numbers).

The Celery task that runs a job (kejiju.core.tasks.run_report_job) is registered here too, by
CoreConfig.ready(): the services queue a job through `job_runner()` without importing the tasks module,
which calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Task

    from .models import ReportJob


@dataclass
class JobOutput:
    filename: str
    content: bytes
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    build: Callable[[ReportJob], JobOutput]
    # Needed to request the job and to download its file.
    permission: str
    # The job's title from its parameters (the month or the year it covers); the label when None.
    describe: Callable[[dict[str, Any]], str] | None = None
    # The page listing jobs of the kind, for the breadcrumb: (label, URL name).
    index: tuple[str, str] | None = None

    def title(self, parameters: dict[str, Any]) -> str:
        return self.describe(parameters) if self.describe else self.label


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _kinds[kind.name] = kind


def get_job_kind(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"unknown report job kind: {name}") from None


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)


_runner: Task | None = None


def register_job_runner(task: Task) -> None:
    """The Celery task that claims and runs a job by id (CoreConfig.ready() registers it)."""
    global _runner
    _runner = task


def job_runner() -> Task:
    if _runner is None:
        raise LookupError("no report job runner registered (kejiju.core.apps.CoreConfig.ready)")
    return _runner
