from celery import shared_task

from .services import ClaimOutcome, report_job_run


@shared_task(bind=True, max_retries=None)
def run_report_job(self, job_id: int) -> str:
    """Thin task: the service claims and runs the job. A copy of the message that arrives while another
    worker holds a live claim waits and tries again, so a job whose worker died is finished by the copy."""
    outcome = report_job_run(job_id=job_id)
    if outcome is ClaimOutcome.BUSY:
        from django.conf import settings

        raise self.retry(countdown=settings.REPORT_JOB_HEARTBEAT_SECONDS)
    return outcome.value


@shared_task
def requeue_stale_report_jobs() -> int:
    """Beat: queue again the jobs whose message was lost (see report_jobs_requeue_stale)."""
    from .services import report_jobs_requeue_stale

    return len(report_jobs_requeue_stale())


@shared_task
def sweep_import_uploads() -> int:
    """Beat: remove import uploads kept for a preview nobody confirmed (see import_uploads_sweep)."""
    from .spreadsheets import import_uploads_sweep

    return len(import_uploads_sweep())
