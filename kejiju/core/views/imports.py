"""The one upload → check → preview → confirm path of every spreadsheet importer (enterprises, 失信名单).
An importer module supplies `parse(content=, name=, user=)` (its result has `ok` and `errors`),
`commit(parsed=, user=)`, `UPLOAD_DIR` and `ImportRefused`; the views here do the rest the same way for all:
the size and name checks before reading, the stored upload under a generated name, one pending file per
session, a confirmation that parses again (never trusting the preview) and deletes the file whatever the
outcome, and the audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.views.generic import FormView, View

from kejiju.core import spreadsheets
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record


class ImportUploadView(FormView):
    """Upload → check every row → preview; nothing is written until the preview is confirmed."""

    importer: Any = None
    session_key = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def preview(self, parsed) -> tuple[dict, dict]:
        """(what the page shows of a parsed file, what the session keeps besides path and name)."""
        return {}, {}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            content = spreadsheets.upload_content(upload)  # name and size checked before it is read
            parsed = self.importer.parse(content=content, name=upload.name, user=self.request.user)
        except self.importer.ImportRefused as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        context = self.get_context_data(form=form, parsed=parsed, filename=upload.name)
        if parsed.ok:
            previous = self.request.session.get(self.session_key)
            if previous:
                spreadsheets.import_upload_delete(previous["path"])  # a preview left unconfirmed
            path = spreadsheets.import_upload_save(importer=self.importer.UPLOAD_DIR, content=content)
            shown, kept = self.preview(parsed)
            self.request.session[self.session_key] = {"path": path, "name": upload.name, **kept}
            context.update(shown)
        return render(self.request, self.template_name, context)


class ImportConfirmView(View):
    """Writes the previewed file: parsed again, committed all or nothing, the stored upload deleted after."""

    http_method_names = ["post"]
    importer: Any = None
    session_key = ""
    upload_url_name = ""
    done_url_name = ""

    def in_background(self, pending: dict):
        """A response when this file is imported by a worker instead (None: here and now)."""
        return None

    def summary(self, written) -> str:
        raise NotImplementedError

    def post(self, request):
        pending = request.session.pop(self.session_key, None)
        if not pending or not default_storage.exists(pending["path"]):
            messages.error(request, "没有待确认的导入文件，请重新上传。")
            return redirect(self.upload_url_name)
        background = self.in_background(pending)
        if background is not None:
            return background
        with default_storage.open(pending["path"], "rb") as handle:
            content = handle.read()
        try:
            parsed = self.importer.parse(content=content, name=pending["name"], user=request.user)
            if not parsed.ok:
                raise self.importer.ImportRefused(f"{parsed.errors[0]}（未导入任何数据）")
            written = self.importer.commit(parsed=parsed, user=request.user)
        except self.importer.ImportRefused as error:
            messages.error(request, str(error))
            return redirect(self.upload_url_name)
        finally:  # after the commit's transaction, whatever its outcome
            spreadsheets.import_upload_delete(pending["path"])
        summary = self.summary(written)
        audit_event_record(
            event_type=AuditEvent.Type.TRANSITION,
            request=request,
            object_repr=f"导入 {pending['name']}"[:255],
            detail=summary,
        )
        messages.success(request, f"导入完成：{summary}。")
        return redirect(self.done_url_name)
