"""A report-job kind for the worker-fault tests only: it notes which process runs it, then sleeps. The
test worker imports this module (celery worker --include tests.security.slow_jobs)."""

import contextlib
import os
import time
from pathlib import Path

from kejiju.core.jobs import JobKind, JobOutput, register_job_kind


def build_slow(job) -> JobOutput:
    marks = Path(job.parameters["marks"])
    marks.mkdir(parents=True, exist_ok=True)
    (marks / f"{job.pk}-{job.attempts}.pid").write_text(str(os.getpid()))
    deadline = time.monotonic() + float(job.parameters.get("seconds", 5))
    while time.monotonic() < deadline:
        time.sleep(0.1)
    return JobOutput(
        filename=f"slow-{job.parameters['tag']}.txt", content=b"done", result={"attempt": job.attempts}
    )


SLOW = JobKind(name="test_slow", label="测试用慢任务", build=build_slow, permission="core.view_reportjob")
register_job_kind(SLOW)


def build_swallowing(job) -> JobOutput:
    """Runs past the soft time limit inside code that swallows every exception, as a library may."""
    marks = Path(job.parameters["marks"])
    marks.mkdir(parents=True, exist_ok=True)
    (marks / f"{job.pk}-{job.attempts}.pid").write_text(str(os.getpid()))
    deadline = time.monotonic() + float(job.parameters.get("seconds", 5))
    while time.monotonic() < deadline:
        with contextlib.suppress(BaseException):  # the point: SoftTimeLimitExceeded is lost here
            time.sleep(0.1)
    return JobOutput(filename=f"slow-{job.parameters['tag']}.txt", content=b"done")


def build_chart_pdf(job) -> JobOutput:
    """A PDF with one SVG chart of the annual summary, drawn by WeasyPrint. `draw_seconds` makes the chart
    slow to draw, so that the soft time limit fires inside WeasyPrint's image drawing; `broken` gives it an
    image that cannot be loaded."""
    from weasyprint import HTML
    from weasyprint.svg import SVG

    from kejiju.reporting.annual_pdf import bar_chart_pieces, chart_images

    chart = chart_images(bar_chart_pieces([("忻府区", 12), ("定襄县", 7)]))
    if job.parameters.get("broken"):
        chart += '<img alt="" src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0i">'  # a truncated SVG
    html = f"<html><body><h1>{job.parameters['tag']}</h1>{chart}</body></html>"
    draw = SVG.draw
    seconds = float(job.parameters.get("draw_seconds", 0))

    def slow_draw(self, *args, **kwargs):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
        return draw(self, *args, **kwargs)

    SVG.draw = slow_draw
    try:
        content = HTML(string=html).write_pdf()
    finally:
        SVG.draw = draw
    return JobOutput(filename=f"slow-{job.parameters['tag']}.pdf", content=content)


register_job_kind(
    JobKind(
        name="test_swallowing", label="测试用任务", build=build_swallowing, permission="core.view_reportjob"
    )
)
register_job_kind(
    JobKind(
        name="test_chart_pdf", label="测试用图表", build=build_chart_pdf, permission="core.view_reportjob"
    )
)
