"""Scale data of `manage.py seed_scale`: for every county-level region, approved tasks and
`scale.filing_years` years of monthly filings (confirmed,
with their figures, task progress and 报送/确认 events). The texts are in data/scale.json."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core import demodata
from kejiju.core.models import WorkflowEvent
from kejiju.core.scale import copy_objects, next_id

from . import rules
from .figures import DEFAULT_FIGURES
from .models import CountyTask, FigureEntry, MonthlyFiling, TaskCategory, TaskProgress
from .workflow import FILING_FLOW

TASKS_PER_YEAR = 3


def seed_scale(*, scale, rng, stdout) -> None:
    texts = demodata.read("reporting", "scale")
    regions = list(Region.objects.county_level().values_list("pk", flat=True))
    this_year = timezone.localdate().year
    years = range(this_year - scale.filing_years, this_year)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    categories = [c for c, _ in TaskCategory.choices]
    task_first, filing_first = next_id(CountyTask), next_id(MonthlyFiling)
    tasks, filings, figures, progress, events = [], [], [], [], []
    filing_type = ContentType.objects.get_for_model(MonthlyFiling)
    for region in regions:
        for year in years:
            year_tasks = []
            for t in range(TASKS_PER_YEAR):
                task = CountyTask(
                    pk=task_first + len(tasks),
                    region_id=region,
                    year=year,
                    category=rng.choice(categories),
                    title=texts["task_title"].format(year=year, number=t + 1),
                    target_quantity=rng.randint(2, 12),
                    deadline=dt.date(year, 12, 31),
                    status=CountyTask.Status.APPROVED,
                    created_at=now,
                )
                tasks.append(task)
                year_tasks.append(task)
            for month in range(1, 13):
                nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
                late = rng.random() < 0.1
                submitted = dt.datetime.combine(
                    nxt + dt.timedelta(days=rng.randint(8, 15) if late else rng.randint(0, 4)),
                    dt.time(10),
                    tz,
                )
                pk = filing_first + len(filings)
                filings.append(
                    MonthlyFiling(
                        pk=pk,
                        region_id=region,
                        year=year,
                        month=month,
                        state=MonthlyFiling.State.CONFIRMED,
                        key_progress=texts["key_progress"].format(year=year, month=month),
                        first_submitted_at=submitted,
                        submitted_at=submitted,
                        is_late=late,
                        reviewed_at=submitted + dt.timedelta(days=2),
                        created_at=submitted,
                        updated_at=submitted,
                    )
                )
                for key, label in DEFAULT_FIGURES:
                    value = rng.randint(0, 6)
                    figures.append(
                        FigureEntry(filing_id=pk, key=key, label=label, value=value, system_value=value)
                    )
                for task in year_tasks:
                    done = min(task.target_quantity, task.target_quantity * month // 12 + rng.randint(0, 1))
                    progress.append(
                        TaskProgress(
                            filing_id=pk,
                            task_id=task.pk,
                            done_quantity=done,
                            percent=rules.suggested_percent(done, task.target_quantity),
                            status=TaskProgress.Status.DONE
                            if done >= task.target_quantity
                            else TaskProgress.Status.IN_PROGRESS,
                        )
                    )
                reviewed = submitted + dt.timedelta(days=2)
                for action, label, source, target, at in (
                    ("submit", "报送", "draft", "submitted", submitted),
                    ("confirm", "确认", "submitted", "confirmed", reviewed),
                ):
                    events.append(
                        WorkflowEvent(
                            content_type=filing_type,
                            object_id=pk,
                            workflow=FILING_FLOW,
                            action=action,
                            label=label,
                            from_state=source,
                            to_state=target,
                            effective_on=timezone.localdate(at),
                            recorded_at=at,
                            data={"late": True} if late and action == "submit" else {},
                        )
                    )
    copy_objects(CountyTask, tasks)
    copy_objects(MonthlyFiling, filings)
    copy_objects(FigureEntry, figures)
    copy_objects(TaskProgress, progress)
    WorkflowEvent.objects.bulk_create(events, batch_size=5000)
    stdout.write(f"  reporting: {len(regions)} regions × {len(years)} years: {len(filings)} filings")
