from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import DetailView, TemplateView

from kejiju.core import captcha, uploads, watermark
from kejiju.core.jobs import get_job_kind
from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.registry import home_panels_for, todos_for
from kejiju.core.selectors import report_jobs_visible_to
from kejiju.core.services import audit_event_record


class HomeView(TemplateView):
    """Every logged-in user lands here: their role, their region, their to-do list and the apps' panels
    (通知公告 …)."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["todos"] = todos_for(self.request.user)
        context["holiday_warning"] = holiday_warning(self.request.user)
        context["home_panels"] = home_panels_for(self.request.user)
        return context


def holiday_warning(user, *, today=None) -> dict | None:
    """The years of 节假日安排 still missing (this year; from 1 November the next one too), for the system
    admin who adds them and for the bureau staff whose 公示 periods need them; None when nothing is missing
    or the user is neither."""
    from kejiju.core.workdays import local_today, missing_years

    maintains = user.has_perm("core.change_holidayarrangement")
    if not (maintains or user.has_perm("core.be_warned_holidayarrangement")):
        return None
    years = missing_years(today=today or local_today())
    if not years:
        return None
    return {"years": years, "maintains": maintains}


class ReportJobPermissionMixin(PermissionRequiredMixin):
    permission_required = "core.view_reportjob"
    raise_exception = True


class ReportJobDetailView(ReportJobPermissionMixin, DetailView):
    template_name = "core/reportjob_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return report_jobs_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = get_job_kind(self.object.kind)
        context["kind_label"] = kind.label
        context["title"] = self.object.title
        index = [(kind.index[0], reverse(kind.index[1]))] if kind.index else []
        context["breadcrumbs"] = [*index, (str(self.object), None)]
        return context

    def get_template_names(self):
        # htmx polls the status fragment while the job runs.
        if self.request.headers.get("HX-Request"):
            return ["core/_reportjob_status.html"]
        return [self.template_name]


class ReportJobDownloadView(ReportJobPermissionMixin, DetailView):
    def get_queryset(self):
        return report_jobs_visible_to(user=self.request.user).filter(state=ReportJob.State.SUCCEEDED)

    def get(self, request, *args, **kwargs):
        job = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not job.file:
            raise Http404
        # The stored file stays clean: each copy names whoever downloads it (another user of the same
        # job's file gets their own name), on every PDF page and in every xlsx sheet's page header.
        with uploads.open_stored(job.file, label=job.filename) as handle:
            data = handle.read()
        text = watermark.viewer_stamp(request.user)
        try:
            stamped = watermark.stamp_download(data, filename=job.filename, text=text)
        except watermark.WatermarkError as error:
            audit_event_record(
                event_type=AuditEvent.Type.DOWNLOAD,
                request=request,
                outcome=AuditEvent.Outcome.FAILURE,
                object_repr=f"{job} {job.filename}",
                detail=str(error),
            )
            return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD,
            request=request,
            object_repr=f"{job} {job.filename}",
            detail=f"加注水印“{text}”",
        )
        return uploads.bytes_response(stamped.data, filename=job.filename, content_type=stamped.content_type)


@method_decorator(login_not_required, name="dispatch")
class CaptchaView(View):
    """A new captcha picture for that page (its code replaces the one in the session)."""

    def get(self, request, scope: str):
        if scope not in captcha.SCOPES:
            raise Http404("没有该验证码。")
        response = HttpResponse(captcha.captcha_png(captcha.captcha_new(request.session, scope)), "image/png")
        response["Cache-Control"] = "no-store"
        return response


class WatermarkView(View):
    """The on-screen watermark of pages showing personal data: an SVG tile naming the viewer and the time,
    the background of `.kj-watermark` in the stylesheet (the CSP allows no inline style). Never cached,
    so the time is the page's."""

    def get(self, request):
        response = HttpResponse(
            watermark.page_svg(watermark.viewer_stamp(request.user)),
            content_type="image/svg+xml; charset=utf-8",
        )
        response["Cache-Control"] = "private, no-store"
        return response
