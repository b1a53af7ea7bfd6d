"""Writes of the core app: audit events, report jobs, and the rotation of the key of personal data."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import integrity_mac, uploads
from .auditing import acting_as
from .clientip import client_ip
from .identifiers import IdentifierError, validate_uscc
from .invariants import Unique, declare_invariants, require_unique
from .jobs import get_job_kind, job_runner
from .models import AuditEvent, HolidayArrangement, Organization, ParameterValue, ReportJob

logger = logging.getLogger(__name__)


def audit_event_record(
    *,
    event_type: str,
    request=None,
    user=None,
    username: str = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    object_repr: str = "",
    detail: str = "",
) -> AuditEvent:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if user is not None and not username:
        username = user.get_username()
    # The request's client address; without the request, the one of the request (or job) being served.
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=user,
        username=username[:150],
        ip_address=client_ip(request),
        outcome=outcome,
        object_repr=object_repr[:255],
        detail=detail,
    )


# ---------------------------------------------------------------------------------------------- report jobs


def report_job_request(*, kind: str, parameters: dict[str, Any], user) -> ReportJob:
    """Create a job row and queue it once the transaction commits."""
    get_job_kind(kind)  # fail early on an unknown kind
    job = ReportJob.objects.create(kind=kind, parameters=parameters, requested_by=user, client_ip=client_ip())
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> bool:
    """Queue the job's message and note its id and time on the job. With the broker down or not answering
    (its socket timeouts and publish retries are bounded in settings: about a second) the job stays
    pending (the page says 排队中) and report_jobs_requeue_stale sends it again later: a request never
    fails, nor waits, because Redis is restarting, frozen or cut off."""
    message_id = str(uuid.uuid4())
    try:
        job_runner().apply_async(args=[job_id], task_id=message_id)
    except Exception:
        logger.exception("report job %s: could not be queued; the sweeper will queue it again", job_id)
        return False
    ReportJob.objects.filter(pk=job_id).update(queued_at=timezone.now(), message_id=message_id)
    return True


def _waiting_message_ids() -> set[str] | None:
    """The ids of the report-job messages waiting in the broker's queue (not yet taken by a worker), or
    None when the queue cannot be looked into (tasks run in-process, a broker other than Redis, the broker
    unreachable)."""
    runner = job_runner()
    app = runner.app
    if app.conf.task_always_eager:
        return None
    ids: set[str] = set()
    try:
        queue = app.amqp.router.route({}, runner.name)["queue"].name
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            with channel.conn_or_acquire() as client:  # kombu's Redis transport
                for key in {channel._q_for_pri(queue, pri) for pri in channel.priority_steps}:
                    start, page = 0, 1000
                    while True:
                        messages = client.lrange(key, start, start + page - 1)
                        for raw in messages:
                            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                                ids.add(json.loads(raw)["headers"]["id"])
                        if len(messages) < page:
                            break
                        start += page
    except Exception:
        logger.warning("report jobs: the broker's queue could not be read; resending by age", exc_info=True)
        return None
    return ids


def report_jobs_requeue_stale() -> list[int]:
    """Send again the message of every job that should be running but is not, unless its last message is
    still waiting in the broker's queue (a worker will run it when one is free; another copy would only
    pile up behind it: 3 pending jobs, 3 sweeps made 12 messages):
    - pending, its last message sent (or the job created) more than REPORT_JOB_REQUEUE_SECONDS ago and no
      longer in the queue: it never reached the broker, the broker lost it, or the worker that took it died;
    - running with a heartbeat older than the lease: its worker died and the message is gone.
    When the queue cannot be read, a job gets at most one message per REPORT_JOB_REQUEUE_SECONDS. Either
    way a second sweep right after the first sends nothing more, and the claim makes a surplus copy
    harmless. Celery beat calls this every few minutes."""
    now = timezone.now()
    sent_before = now - timedelta(seconds=settings.REPORT_JOB_REQUEUE_SECONDS)
    stale = now - timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS)
    candidates = list(
        ReportJob.objects.alias(last_sent=Coalesce("queued_at", "created_at"))
        .filter(
            Q(state=ReportJob.State.PENDING, last_sent__lt=sent_before)
            | Q(state=ReportJob.State.RUNNING, heartbeat_at__lt=stale)
        )
        .values_list("pk", "message_id", "queued_at")
    )
    if not candidates:
        return []
    waiting = _waiting_message_ids()

    def still_queued(message_id: str, queued_at) -> bool:
        if waiting is None:
            return queued_at is not None and queued_at >= sent_before
        return bool(message_id) and message_id in waiting

    return [
        job_id
        for job_id, message_id, queued_at in candidates
        if not still_queued(message_id, queued_at) and _enqueue(job_id)
    ]


class ClaimOutcome(enum.Enum):
    DONE = "done"  # this call ran the job (it succeeded or failed with a reason)
    ALREADY_FINISHED = "already_finished"  # a duplicate delivery: nothing to do
    BUSY = "busy"  # another worker holds a live claim
    MISSING = "missing"
    # This run lost its lease (its heartbeat stopped long enough for a copy of the message to claim the
    # job again): its result is dropped so that the job ends with one file, the newer run's.
    SUPERSEDED = "superseded"


def _claim(job_id: int) -> ClaimOutcome | None:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS)
    claimed = (
        ReportJob.objects.filter(pk=job_id)
        .filter(Q(state=ReportJob.State.PENDING) | Q(state=ReportJob.State.RUNNING, heartbeat_at__lt=stale))
        .update(state=ReportJob.State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    )
    if claimed:
        return None
    state = ReportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
    if state is None:
        return ClaimOutcome.MISSING
    if state == ReportJob.State.RUNNING:
        return ClaimOutcome.BUSY
    return ClaimOutcome.ALREADY_FINISHED


class _Heartbeat(threading.Thread):
    """Touches the job row while the builder runs, so that a copy of the message can tell a live worker
    from a dead one."""

    def __init__(self, job_id: int) -> None:
        super().__init__(daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.REPORT_JOB_HEARTBEAT_SECONDS):
                try:
                    ReportJob.objects.filter(pk=self.job_id, state=ReportJob.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a dropped connection must not stop the heartbeat for good
                    logger.warning("report job %s: heartbeat failed, retrying", self.job_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()


# Libraries that log what they could not draw and carry on without it: an error they log during a build
# means the file lacks something (WeasyPrint logs "Failed to render SVG image" and leaves the chart out).
RENDER_LOGGERS = ("weasyprint",)

TIME_LIMIT_REASON = "超过时间限制，任务已中止。请缩小范围后重试，或联系系统管理员。"


class _RenderErrors(logging.Handler):
    """Collects the errors that RENDER_LOGGERS log from this thread while a job builds its file."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            with contextlib.suppress(Exception):
                self.messages.append(record.getMessage()[:300])


@contextlib.contextmanager
def _watch_render_errors():
    handler = _RenderErrors()
    watched = [logging.getLogger(name) for name in RENDER_LOGGERS]
    levels = [log.level for log in watched]
    for log in watched:
        log.addHandler(handler)
        if log.getEffectiveLevel() > logging.ERROR:
            log.setLevel(logging.ERROR)
    try:
        yield handler.messages
    finally:
        for log, level in zip(watched, levels, strict=True):
            log.removeHandler(handler)
            log.setLevel(level)


def report_job_run(*, job_id: int, out_of_time: Callable[[], bool] | None = None) -> ClaimOutcome:
    """Claim the job atomically and build its file. Safe to call any number of times for one job.

    A job ends with a file only if nothing went missing from it: `out_of_time` (from the task) says
    whether its time limit fired at any point during the build, even where a library swallowed the
    exception (WeasyPrint draws an image inside `except BaseException`), and an error that a renderer
    logged (RENDER_LOGGERS) means a part was left out. Either fails the job with its reason."""
    outcome = _claim(job_id)
    if outcome is not None:
        logger.info("report job %s not run: %s", job_id, outcome.value)
        return outcome
    job = ReportJob.objects.get(pk=job_id)
    kind = get_job_kind(job.kind)
    heartbeat = _Heartbeat(job_id)
    if connection.vendor != "sqlite":  # SQLite (the embedded demo) would lock against the second writer
        heartbeat.start()
    try:
        with (
            _watch_render_errors() as render_errors,
            acting_as(user=job.requested_by, client_ip=job.client_ip),
        ):
            output = kind.build(job)
    except SoftTimeLimitExceeded:
        finished = _fail(job, TIME_LIMIT_REASON)
    except Exception as exc:
        logger.exception("report job %s failed", job_id)
        timed_out = out_of_time is not None and out_of_time()
        finished = _fail(job, TIME_LIMIT_REASON if timed_out else f"生成失败：{exc}")
    else:
        if out_of_time is not None and out_of_time():
            logger.error("report job %s: its time limit fired during the build; the file is dropped", job_id)
            finished = _fail(job, TIME_LIMIT_REASON)
        elif render_errors:
            logger.error("report job %s: the renderer reported %s", job_id, "; ".join(render_errors))
            finished = _fail(
                job,
                f"生成失败：文件中有 {len(render_errors)} 处图表或图片未能绘制，文件不完整，已作废。"
                "请重试；如仍失败，请联系系统管理员。",
            )
        else:
            finished = _succeed(job, output)
    finally:
        heartbeat.stopped.set()
    if not finished:
        logger.warning("report job %s: attempt %s lost its lease; result dropped", job_id, job.attempts)
        return ClaimOutcome.SUPERSEDED
    return ClaimOutcome.DONE


def _this_attempt(job: ReportJob):
    """The job's row while this run still holds it (no later claim has taken it over)."""
    return ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING, attempts=job.attempts)


def _succeed(job: ReportJob, output) -> bool:
    field = job.file.field
    name = field.storage.save(field.generate_filename(job, output.filename), ContentFile(output.content))
    updated = _this_attempt(job).update(
        file=name,
        display_name=uploads.display_name(output.filename, default=""),
        result=output.result,
        state=ReportJob.State.SUCCEEDED,
        error="",
        finished_at=timezone.now(),
    )
    if not updated:
        field.storage.delete(name)
        return False
    job.refresh_from_db()
    return True


def _fail(job: ReportJob, reason: str) -> bool:
    return bool(
        _this_attempt(job).update(state=ReportJob.State.FAILED, error=reason, finished_at=timezone.now())
    )


# ------------------------------------------------------------------------------------------ audit archive


class AuditArchiveError(ValueError):
    pass


@contextlib.contextmanager
def _audit_archive_switch():
    """Lets the append-only trigger through for this transaction only (SET LOCAL), and switches it back
    at once should the caller's transaction go on (a savepoint inside a longer one)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL kejiju.audit_archive = 'on'")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL kejiju.audit_archive = 'off'")


def audit_archive(*, before, output_dir, actor_name: str = "archive_audit") -> dict[str, Any]:
    """Move the audit rows older than `before` (a date at least AUDIT_RETENTION_DAYS ago) into a gzipped
    JSON Lines file, then delete them. Beside it: a SHA-256 checksum (`sha256sum -c`) and a seal, the
    HMAC-SM3 of the file under INTEGRITY_MAC_KEY (`manage.py verify_audit_archive`), which whoever can
    rewrite the archive cannot recompute. The delete is the only one the append-only trigger lets
    through: it sets `kejiju.audit_archive` for this transaction only."""
    import datetime as dt
    import gzip
    import hashlib
    import json
    from pathlib import Path

    from auditlog.models import LogEntry
    from django.core.serializers import serialize

    today = timezone.localdate()
    if before > today - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS):
        raise AuditArchiveError(
            f"审计记录至少保存 {settings.AUDIT_RETENTION_DAYS} 天：归档日期须不晚于 "
            f"{today - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS):%Y-%m-%d}。"
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    path = output_dir / f"audit-before-{before:%Y%m%d}-{stamp}.jsonl.gz"
    counts: dict[str, int] = {}
    with transaction.atomic(), _audit_archive_switch():
        querysets = {
            "core.auditevent": AuditEvent.objects.filter(created_at__lt=cutoff).order_by("pk"),
            "auditlog.logentry": LogEntry.objects.filter(timestamp__lt=cutoff).order_by("pk"),
        }
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            for label, queryset in querysets.items():
                rows = list(queryset.select_for_update())
                counts[label] = len(rows)
                for row in json.loads(serialize("json", rows)):
                    handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
        seal = integrity_mac.seal_file(path)
        audit_archive_seal_path(path).write_text(
            json.dumps(
                {"file": path.name, "before": before.isoformat(), "counts": counts, "sha256": digest, **seal},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        for queryset in querysets.values():
            queryset.model.objects.filter(pk__in=queryset.values("pk")).delete()
        audit_event_record(
            event_type=AuditEvent.Type.ARCHIVE,
            username=actor_name,
            object_repr=path.name,
            detail=f"归档 {before:%Y-%m-%d} 之前的审计记录：安全事件 {counts['core.auditevent']} 条，"
            f"数据变更 {counts['auditlog.logentry']} 条；SHA-256 {digest}；"
            f"{seal['algorithm']} {seal['mac']}（密钥标识 {seal['key_id']}）",
        )
    return {"path": path, "sha256": digest, "seal": seal, "counts": counts}


AUDIT_ARCHIVE_SEAL_SUFFIX = ".seal.json"


def audit_archive_seal_path(path) -> Path:
    path = Path(path)
    return path.with_name(path.name + AUDIT_ARCHIVE_SEAL_SUFFIX)


def audit_archive_verify(*, path) -> None:
    """Raise AuditArchiveError naming the file unless the archive at `path` matches its seal (HMAC-SM3
    under INTEGRITY_MAC_KEY or a retired key it names). A missing or unreadable seal fails too."""
    path = Path(path)
    if not path.is_file():
        raise AuditArchiveError(f"{path.name}：归档文件不存在。")
    seal_path = audit_archive_seal_path(path)
    try:
        seal = json.loads(seal_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditArchiveError(f"{path.name}：缺少校验文件 {seal_path.name}，无法证明未被篡改。") from None
    except (ValueError, UnicodeDecodeError):
        raise AuditArchiveError(f"{path.name}：校验文件 {seal_path.name} 无法读取。") from None
    if not isinstance(seal, dict) or seal.get("file") != path.name:
        raise AuditArchiveError(f"{path.name}：校验文件 {seal_path.name} 不属于该归档。")
    try:
        integrity_mac.check_file(path, seal, what=path.name)
    except integrity_mac.IntegrityMacError as error:
        raise AuditArchiveError(str(error)) from None


@transaction.atomic
def holiday_arrangement_save(*, instance: HolidayArrangement, actor) -> HolidayArrangement:
    """Create or change one year's 节假日安排 (checked against its own year and the neighbouring years);
    the row change is audited by django-auditlog and every process reloads the working-day calendar."""
    instance.full_clean()
    instance.save()
    return instance


# ------------------------------------------------------------------------------------------ 系统参数


def _parameter_audit(*, parameter, old, new, actor, request, note: str = "") -> None:
    audit_event_record(
        event_type=AuditEvent.Type.PARAMETER,
        request=request,
        user=actor,
        object_repr=f"{parameter.label}（{parameter.name}）",
        detail=f"{parameter.text(old)} → {parameter.text(new)}{note}",
    )


@transaction.atomic
def parameters_save(*, values: dict[str, Any], actor, request=None) -> list[str]:
    """The system admin's values of the 系统参数 ({name: form text}): every value is checked first (a
    refusal names the field; nothing is saved), then each one that differs from the value in force is
    saved and audited (old → new). Every process uses the new values once the transaction commits.
    Returns the names changed."""
    from . import parameters

    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        parameter = parameters.REGISTRY.get(name)
        if parameter is None:
            raise ValidationError(f"没有名为“{name}”的系统参数。")
        try:
            parsed[name] = parameter.parse(raw)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    rows = {row.name: row for row in ParameterValue.objects.select_for_update().filter(name__in=list(parsed))}
    changed = []
    for name, new in parsed.items():
        parameter = parameters.get(name)
        row = rows.get(name)
        old = parameters.stored_value(parameter, row.value) if row is not None else parameters.default(name)
        if new == old:
            continue
        if row is None:
            row = ParameterValue(name=name)
        row.value = parameter.stored(new)
        row.changed_by = actor
        row.full_clean()
        row.save()
        _parameter_audit(parameter=parameter, old=old, new=new, actor=actor, request=request)
        changed.append(name)
    if changed:
        parameters.changed()
    return changed


@transaction.atomic
def parameters_reset(*, names: list[str] | None, actor, request=None) -> list[str]:
    """恢复默认: the saved values of `names` (None: every parameter) are removed, each removal audited
    (the saved value → the default). Returns the names reset."""
    from . import parameters

    if names is not None:
        unknown = [name for name in names if name not in parameters.REGISTRY]
        if unknown:
            raise ValidationError(f"没有名为“{unknown[0]}”的系统参数。")
    rows = ParameterValue.objects.select_for_update().order_by("name")
    if names is not None:
        rows = rows.filter(name__in=names)
    reset = []
    for row in rows:
        parameter = parameters.REGISTRY.get(row.name)
        if parameter is not None:
            try:
                old = parameters.stored_value(parameter, row.value)
            except (ValidationError, TypeError, ValueError):
                old = row.value  # out of a narrowed range (not in force): shown as stored
            _parameter_audit(
                parameter=parameter,
                old=old,
                new=parameters.default(row.name),
                actor=actor,
                request=request,
                note="（恢复默认）",
            )
        row.delete()
        reset.append(row.name)
    if reset:
        parameters.changed()
    return reset


# ------------------------------------------------------------------------------------------ 单位库

ORGANIZATION_NAME_UNIQUE = Unique(
    key="core.organization_name",
    model="core.Organization",
    fields=("name",),
    label="单位库：同一单位名称",
)
ORGANIZATION_USCC_UNIQUE = Unique(
    key="core.organization_uscc",
    model="core.Organization",
    fields=("uscc",),
    label="单位库：同一统一社会信用代码",
)
declare_invariants(ORGANIZATION_NAME_UNIQUE, ORGANIZATION_USCC_UNIQUE)


def normalise_organization_name(name: str) -> str:
    """A unit's name as the 单位库 keeps it: runs of spaces (a pasted name's line break, a double space)
    become one, so "忻州职业技术学院" typed twice is one unit."""
    return " ".join((name or "").split())


def organization_save(*, organization: Organization, user=None, uscc_checked: bool = False) -> Organization:
    """Create or rename a unit: no two units share a name (one with a code and one without would both be
    offered in every select) or a 统一社会信用代码. `uscc_checked`: the caller validated the code already
    (an enterprise's code may carry an audited checksum exception)."""
    organization.name = normalise_organization_name(organization.name)
    organization.uscc = organization.uscc.strip().upper()
    others = (
        Organization.objects.exclude(pk=organization.pk) if organization.pk else Organization.objects.all()
    )
    require_unique(ORGANIZATION_NAME_UNIQUE, existing=others.filter(name=organization.name))
    if organization.uscc:
        if not uscc_checked:
            try:
                organization.uscc = validate_uscc(organization.uscc)
            except IdentifierError as error:
                raise ValidationError({"uscc": str(error)}) from error
        require_unique(ORGANIZATION_USCC_UNIQUE, existing=others.filter(uscc=organization.uscc))
    organization.full_clean()
    organization.save()
    return organization


def organization_for_name(*, name: str, kind: str, region=None, field: str = "name") -> Organization:
    """The unit of that name (spaces normalised), created through `organization_save` when it is new: an
    expert's employer, a platform's host unit, a 省校合作 university typed by name."""
    name = normalise_organization_name(name)
    if not name:
        raise ValidationError({field: "请填写单位名称。"})
    organization = Organization.objects.filter(name=name).first()
    if organization is not None:
        return organization
    try:
        return organization_save(organization=Organization(name=name, kind=kind, region=region))
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


# ------------------------------------------------------------------------------------- PII key rotation


@dataclasses.dataclass
class PIIRotation:
    """One model's share of a rotation: rows still holding a value under another key version (or written
    before SM4) when it started, rows re-encrypted, rows whose values would not decrypt (by pk), rows left
    for a later run (locked or changed by the running portal meanwhile)."""

    model: str
    pending: int = 0
    rotated: int = 0
    failed: list[int] = dataclasses.field(default_factory=list)
    left: int = 0
    fields: dict[str, int] = dataclasses.field(default_factory=dict)


def _stale(names: list[str], prefix: str) -> Q:
    condition = Q(pk__in=[])
    for name in names:
        condition |= (
            ~Q(**{name: ""}) & ~Q(**{f"{name}__startswith": prefix}) & Q(**{f"{name}__isnull": False})
        )
    return condition


def pii_key_rotate(
    *,
    batch_size: int = 500,
    limit: int | None = None,
    dry_run: bool = False,
    progress: Callable[[PIIRotation], None] | None = None,
) -> tuple[list[PIIRotation], bool]:
    """Re-encrypt every SealedField value (kejiju.core.pii.sealed_models) that is not under the current
    key version, while the portal runs: batches of ``batch_size`` rows in their own transactions, rows locked
    by a running request skipped (``skip_locked``: the next sweep or run takes them), each row written only
    if its values are still those read (a concurrent write is never overwritten). Values stay readable
    throughout: old versions are read with their own key until the last one is rewritten. Idempotent: a
    second run continues with what is left. Stops after ``limit`` rows (None: all). Returns the per-model
    outcome and whether it stopped at the limit."""
    from . import keys, pii

    prefix = f"{pii.SCHEME}:v{keys.provider().current_version(pii.PURPOSE)}:"
    outcomes: list[PIIRotation] = []
    done = 0
    for model, names in pii.sealed_models():
        outcome = PIIRotation(model=model._meta.label)
        outcomes.append(outcome)
        stale = model._base_manager.filter(_stale(names, prefix))
        outcome.pending = stale.count()
        if dry_run:
            outcome.fields = {name: stale.filter(_stale([name], prefix)).count() for name in names}
            continue
        for sweep in range(3):  # further sweeps take rows locked or changed during the previous one
            if sweep and not stale.exclude(pk__in=outcome.failed).exists():
                break
            last_pk = None
            while limit is None or done < limit:
                size = batch_size if limit is None else min(batch_size, limit - done)
                with transaction.atomic():
                    batch = stale.exclude(pk__in=outcome.failed).order_by("pk")
                    if last_pk is not None:
                        batch = batch.filter(pk__gt=last_pk)
                    rows = list(batch.select_for_update(skip_locked=True).only(pii.ROW_FIELD, *names)[:size])
                    if not rows:
                        break
                    for row in rows:
                        done += _pii_row_rotate(model, row, names, prefix, outcome)
                    last_pk = rows[-1].pk
                if progress is not None:
                    progress(outcome)
            if limit is not None and done >= limit:
                break
        outcome.left = stale.exclude(pk__in=outcome.failed).count()
        if limit is not None and done >= limit:
            return outcomes, True
    return outcomes, False


def _pii_row_rotate(model, row, names: list[str], prefix: str, outcome: PIIRotation) -> int:
    from . import pii

    old = {name: getattr(row, name) for name in names}
    try:
        new = {
            name: pii.reencrypted(value, aad=pii.binding(row, name))
            for name, value in old.items()
            if value and not value.startswith(prefix)
        }
    except pii.PIIError:
        outcome.failed.append(row.pk)
        return 0
    if new and model._base_manager.filter(pk=row.pk, **old).update(**new):
        outcome.rotated += 1
        return 1
    return 0
