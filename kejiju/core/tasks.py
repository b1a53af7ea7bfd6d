"""Celery tasks of core: run a report job, re-queue lost ones, send a mail message, sweep import uploads."""

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from smtplib import SMTPException

from celery import shared_task

from .services import ClaimOutcome, report_job_run, report_jobs_requeue_stale


@contextlib.contextmanager
def _time_limit_watch(task) -> Iterator[Callable[[], bool]]:
    """Yields a function that says whether this run's soft time limit has fired, even if the code it
    interrupted swallowed SoftTimeLimitExceeded (WeasyPrint draws each image inside `except
    BaseException`). Two records, either of which suffices: a flag set by the signal the prefork pool sends
    when the soft limit fires (the pool's own handler, which raises the exception, still runs), and the
    deadline of the limit the worker applies (the message carries none: see kejiju.celery)."""
    soft_limit = (task.request.timelimit or (None, None))[1] or task.soft_time_limit
    deadline = time.monotonic() + soft_limit if soft_limit else None
    fired = threading.Event()

    def out_of_time() -> bool:
        return fired.is_set() or (deadline is not None and time.monotonic() >= deadline)

    try:
        from billiard.pool import SIG_SOFT_TIMEOUT
    except ImportError:  # pragma: no cover - billiard comes with celery
        SIG_SOFT_TIMEOUT = None
    previous = signal.getsignal(SIG_SOFT_TIMEOUT) if SIG_SOFT_TIMEOUT else None
    # Only in a pool child that handles the signal (prefork): elsewhere (eager, solo, threads) there is
    # no soft-limit signal to watch and the deadline alone decides.
    if not callable(previous) or threading.current_thread() is not threading.main_thread():
        yield out_of_time
        return

    def noted(signum, frame):
        fired.set()
        previous(signum, frame)

    signal.signal(SIG_SOFT_TIMEOUT, noted)
    try:
        yield out_of_time
    finally:
        signal.signal(SIG_SOFT_TIMEOUT, previous)


@shared_task(bind=True, max_retries=None, name="kejiju.core.tasks.run_report_job")
def run_report_job(self, job_id: int) -> str:
    """Thin task: the service claims and runs the job. A copy of the message that arrives while another
    worker holds a live claim waits and tries again, so a job whose worker died is finished by the copy.
    A run whose time limit fired at any point fails, whatever the build returned."""
    with _time_limit_watch(self) as out_of_time:
        outcome = report_job_run(job_id=job_id, out_of_time=out_of_time)
    if outcome is ClaimOutcome.BUSY:
        from django.conf import settings

        raise self.retry(countdown=settings.REPORT_JOB_HEARTBEAT_SECONDS)
    return outcome.value


@shared_task(name="kejiju.core.tasks.requeue_stale_report_jobs")
def requeue_stale_report_jobs() -> int:
    """Beat: queue again the jobs whose message was lost (see report_jobs_requeue_stale)."""
    return len(report_jobs_requeue_stale())


# Django's SMTP backend raises smtplib.SMTPException (a subclass of OSError) or OSError (refused, reset,
# timed out, DNS): both are worth another try.
MAIL_RETRY_ERRORS = (SMTPException, OSError)


@shared_task(
    name="kejiju.core.tasks.send_mail_message",
    autoretry_for=MAIL_RETRY_ERRORS,
    retry_backoff=30,  # 30 s, 60 s, 120 s … (with jitter), at most an hour apart
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_mail_message(subject: str, body: str, recipients: list[str]) -> int:
    """Thin task: one message through Django's mail settings (kejiju.core.mail.mail_send queues it)."""
    from django.core.mail import send_mail

    return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


@shared_task(name="kejiju.core.tasks.sweep_import_uploads")
def sweep_import_uploads() -> int:
    """Beat: remove import uploads kept for a preview nobody confirmed (see import_uploads_sweep)."""
    from .spreadsheets import import_uploads_sweep

    return len(import_uploads_sweep())
