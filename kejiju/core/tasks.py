from smtplib import SMTPException

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


# Django's SMTP backend raises smtplib.SMTPException (a subclass of OSError) or OSError (refused, reset,
# timed out, DNS): both are worth another try.
MAIL_RETRY_ERRORS = (SMTPException, OSError)


@shared_task(
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
