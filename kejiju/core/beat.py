"""Celery beat that follows the 系统参数 (kejiju.core.parameters): the times of the periodic tasks are
parameters the system admin changes on a page, and beat applies a change without a restart.

Beat reads CELERY_BEAT_SCHEDULE once at start. This scheduler builds the schedule from it with the
parameters' values, and before every tick compares the parameters' version in the shared cache (one cache
read) with the one it built from; when it changed, the entries are merged again — an entry keeps its last
run time, so a moved daily task runs once at its new time, not twice — and the heap of due times is built
again."""

from __future__ import annotations

from celery.beat import PersistentScheduler

from . import parameters


class ParameterScheduler(PersistentScheduler):
    _parameters_version: int | None = None

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self.apply_parameters()

    def apply_parameters(self) -> None:
        self._parameters_version = parameters.version()
        self.merge_inplace(parameters.beat_schedule(self.app.conf.beat_schedule))
        self.install_default_entries(self.schedule)
        # Entries are updated in place, which the heap's own comparison does not see: rebuild it.
        self._heap = None
        self.sync()

    def parameters_changed(self) -> bool:
        current = parameters.version()
        return current is None or current != self._parameters_version

    def tick(self, *args, **kwargs):
        if self.parameters_changed():
            self.apply_parameters()
        return super().tick(*args, **kwargs)
