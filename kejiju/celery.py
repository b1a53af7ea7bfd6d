import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejiju.settings")


class WorkerLimitsTask(Task):
    """Time limits belong to the task or to the worker that runs it (CELERY_TASK_SOFT_TIME_LIMIT and
    CELERY_TASK_TIME_LIMIT in the worker's settings, or the task's own soft_time_limit/time_limit), never
    to whichever process sent the message. Celery copies the sender's limits into the message, and a
    worker honours the message's limits before its own: a worker started with a 1 s limit ran a 16.7 s job
    sent by a web server configured with ten minutes. So every message goes out without limits."""

    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        options["time_limit"] = None
        options["soft_time_limit"] = None
        return super().apply_async(
            args,
            kwargs,
            task_id=task_id,
            producer=producer,
            link=link,
            link_error=link_error,
            shadow=shadow,
            **options,
        )


app = Celery("kejiju", task_cls=WorkerLimitsTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
