"""A project's files: who may file which kind, upload and delete."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from kejiju.core import parameters, uploads
from kejiju.core.scoping import unit_id_of_user, user_may_see_region

from .. import rules
from ..models import (
    Attachment,
    Project,
)
from ..rules import State
from .common import _require, _step


def attachment_max_bytes() -> int:
    return parameters.value("project_attachment_max_bytes")


# What a unit files for its running project (the 申报书, 任务书 and 绩效评估报告 are the offices').
UNIT_FILED_KINDS = frozenset(
    {Attachment.Kind.ANNUAL, Attachment.Kind.MIDTERM, Attachment.Kind.CHANGE, Attachment.Kind.ACCEPTANCE}
)


def is_project_filer(*, project: Project, user) -> bool:
    """A unit account files for a project of its own unit: the administrator for every one, a 项目负责人
    for the project that came from their own online application."""
    unit_id = unit_id_of_user(user)
    if unit_id is None or unit_id != project.applicant_id:
        return False
    if user.has_perm("accounts.see_whole_unit"):
        return True
    from kejiju.applications.models import Application

    return Application.objects.filter(project_id=project.pk, leader_id=user.pk).exists()


def require_project_filer(*, project: Project, user) -> None:
    """Unit accounts file only for their own projects while these run; staff are not concerned."""
    if unit_id_of_user(user) is None:
        return
    if not is_project_filer(project=project, user=user):
        raise PermissionDenied("只有本单位管理员或该项目的负责人可以报送。")
    if project.state not in rules.UNIT_FILING_STATES:
        raise PermissionDenied(f"项目当前状态为“{project.get_state_display()}”，不能报送执行材料。")


def may_upload(*, project: Project, user, kind: str) -> bool:
    """Those who run the projects upload any kind while the project is not archived; a unit files its
    running project's 年报, 中期, 变更 and 验收 material; whoever else may add attachments only the 申报书 of
    an application of their county before 受理."""
    if not user.has_perm("projects.add_attachment"):
        return False
    if unit_id_of_user(user) is not None:
        return (
            kind in UNIT_FILED_KINDS
            and project.state in rules.UNIT_FILING_STATES
            and is_project_filer(project=project, user=user)
        )
    if not user_may_see_region(user, project.region_id):
        return False
    if user.has_perm("projects.manage_project"):
        return project.state != State.ARCHIVED
    return project.state == State.SUBMITTED and kind == Attachment.Kind.APPLICATION


@uploads.atomic()
def attachment_create(*, project: Project, user, kind: str, upload) -> Attachment:
    """Store an uploaded file under a generated name (never the client's) after checking its extension,
    its first bytes and its size."""
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": "请选择附件类型。"})
    if not may_upload(project=project, user=user, kind=kind):
        raise PermissionDenied("当前状态下无权上传该类附件。")
    original = uploads.display_name(uploads.upload_original_name(upload))
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(16)
    problem = rules.attachment_problem(
        filename=original, head=head, size=size, max_bytes=attachment_max_bytes(), upload=upload
    )
    if problem:
        raise ValidationError({"file": problem})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = rules.attachment_extension(original)
    attachment = Attachment(
        project=project,
        kind=kind,
        original_name=original,
        size=size,
        content_type=rules.CONTENT_TYPES[extension],
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    uploads.store(
        attachment.file, upload if hasattr(upload, "chunks") else ContentFile(upload.read(), original)
    )
    attachment.full_clean()
    attachment.save()
    _step(
        project=project,
        action="attachment",
        label=f"上传{attachment.get_kind_display()}",
        user=user,
        comment=original,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user) -> None:
    _require(user, "projects.delete_attachment")
    project = attachment.project
    if project.state == State.ARCHIVED:
        raise ValidationError({"file": "已归档项目的附件不能删除。"})
    label = str(attachment)
    uploads.delete_on_commit(attachment.file)
    attachment.delete()
    _step(project=project, action="attachment_delete", label=f"删除附件：{label}", user=user)
