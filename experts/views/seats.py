"""The expert's own pages (我的评审) and the bureau's opening of an expert's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from kejiju.core import uploads
from kejiju.core.views.generic import ServiceFormMixin, service_error_text

from .. import material, rules, seats, selectors
from ..forms import DeclarationForm, ExpertAccountForm, SeatDeclineForm, SeatScoresForm, SeatSubmitForm
from ..models import Expert, ReviewMember, ReviewPanel


class MySeatsView(PermissionRequiredMixin, TemplateView):
    permission_required = "experts.review_as_expert"
    raise_exception = True
    template_name = "experts/my_seats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="我的评审",
            seats=selectors.my_seats(user=self.request.user),
            expert=Expert.objects.filter(user=self.request.user).first(),
        )
        return context


class _OwnSeatMixin(PermissionRequiredMixin):
    permission_required = "experts.review_as_expert"
    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.member = get_object_or_404(selectors.my_seats(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class SeatAcceptView(_OwnSeatMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            seats.seat_accept(user=request.user, member=self.member)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已接受“{self.member.panel.title}”的评审邀请。")
        return redirect("experts:my_seats")


class SeatDeclineView(_OwnSeatMixin, ServiceFormMixin, FormView):
    form_class = SeatDeclineForm
    template_name = "generic/object_form.html"
    success_message = "已说明不能参加的原因，将由备选专家递补。"

    def perform(self, form):
        seats.seat_decline(user=self.request.user, member=self.member, reason=form.cleaned_data["reason"])
        return redirect("experts:my_seats")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"不能参加评审：{self.member.panel.title}",
            cancel_url=reverse("experts:my_seats"),
            breadcrumbs=[("我的评审", reverse("experts:my_seats")), ("不能参加", None)],
        )
        return context


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class ExpertAccountOpenView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "experts.open_expert_account"
    raise_exception = True
    form_class = ExpertAccountForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.expert = get_object_or_404(Expert, pk=kwargs["pk"])  # the library is city-wide
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        user = seats.expert_account_open(actor=self.request.user, expert=self.expert, **form.cleaned_data)
        self.success_message = (
            f"已为专家{self.expert.name}开通评审账户“{user.username}”，首次登录须修改初始密码。"
        )
        return redirect(self.expert.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"开通评审账户：{self.expert.name}",
            cancel_url=self.expert.get_absolute_url(),
            breadcrumbs=[
                ("专家", reverse("experts:expert_list")),
                (self.expert.name, self.expert.get_absolute_url()),
                ("开通评审账户", None),
            ],
        )
        return context


class _ConfirmedSeatMixin(PermissionRequiredMixin):
    """The requesting expert's own confirmed regular seat (another's, or none: 404)."""

    permission_required = "experts.review_as_expert"
    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.member = get_object_or_404(
            selectors.my_seats(user=request.user).filter(
                role=ReviewMember.Role.REGULAR, status=ReviewMember.Status.CONFIRMED
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def seat_row(self):
        """The seat's sheets of every subject of the panel (the expert's own only)."""
        if not hasattr(self, "_seat_row"):
            self._seat_row = selectors.seat_row(self.member)
        return self._seat_row


class SeatReviewView(_ConfirmedSeatMixin, ServiceFormMixin, FormView):
    """网评 of one seat: every subject of the panel with the expert's own progress on it (声明, 回避,
    评分), and the submission of all their scores. Only the expert's own scores are ever shown."""

    template_name = "experts/seat_review.html"
    form_class = SeatSubmitForm
    success_message = "评分已提交。"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        seats.seat_submit(user=self.request.user, member=self.member)
        return redirect("experts:my_seat_review", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panel = self.member.panel
        row = self.seat_row()
        context.update(
            title=f"网评：{panel.title}",
            member=self.member,
            panel=panel,
            cells=row.cells,
            max_total=panel.max_total,
            # Once the panel is closed each record's frozen result is shown; others' scores never are.
            closed=panel.state == ReviewPanel.State.CLOSED,
            problem="评审已完成，评审得分已冻结，评分不能再修改。"
            if panel.state == ReviewPanel.State.CLOSED
            else seats.review_problem(self.member),
            breadcrumbs=[("我的评审", reverse("experts:my_seats")), (panel.title, None)],
        )
        return context


class SeatSubjectView(_ConfirmedSeatMixin, ServiceFormMixin, FormView):
    """网评 of one subject of the seat: the 回避及保密声明 first; then the subject's material and the
    expert's own scores of it (saved and changed until the seat's scores are submitted)."""

    template_name = "experts/seat_subject.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.subject_pk = kwargs.get("subject_pk")

    @property
    def cell(self):
        if not hasattr(self, "_cell"):
            row = self.seat_row()
            self._cell = next((c for c in row.cells if c.subject.pk == self.subject_pk), None)
            if self._cell is None:
                raise Http404("评审对象不存在。")
        return self._cell

    @property
    def declared(self) -> bool:
        return self.cell.declared

    def get_form_class(self):
        return SeatScoresForm if self.declared else DeclarationForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.declared:
            kwargs["criteria"] = rules.parse_criteria(self.member.panel.criteria)
            kwargs["initial"] = {f"c_{key}": value for key, value in self.cell.scores.items()} | {
                "comment": self.cell.sheet.comment
            }
        return kwargs

    def post(self, request, *args, **kwargs):
        if self.cell.recused:
            messages.info(request, "您已对该评审对象申明回避。")
            return redirect("experts:my_seat_review", pk=self.member.pk)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        subject = self.cell.subject
        if not self.declared:
            seats.seat_declare(
                user=self.request.user, member=self.member, subject=subject, **form.cleaned_data
            )
            if form.cleaned_data["conflict"]:
                self.member.refresh_from_db()
                if self.member.status == ReviewMember.Status.REFUSED:
                    self.success_message = "已申明回避，将由备选专家递补。"
                    return redirect("experts:my_seats")
                self.success_message = f"已对“{subject}”申明回避，不参加该评审对象的评分。"
                return redirect("experts:my_seat_review", pk=self.member.pk)
            self.success_message = "已签署回避及保密声明。"
            return redirect("experts:my_seat_subject", pk=self.member.pk, subject_pk=subject.pk)
        seats.seat_scores_save(
            user=self.request.user,
            member=self.member,
            subject=subject,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
        )
        self.success_message = "评分已保存，提交前可修改。"
        return redirect("experts:my_seat_review", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panel = self.member.panel
        subject = self.cell.subject
        form = context["form"]
        show = self.declared and not self.cell.recused
        material_problem = seats.material_problem(self.member) if show else None
        closed = panel.state == ReviewPanel.State.CLOSED
        problem = (
            (seats.sheet_problem(self.cell.sheet) or seats.review_problem(self.member))
            if self.declared
            else None
        )
        context.update(
            title=f"网评：{subject}",
            member=self.member,
            panel=panel,
            subject=subject,
            cell=self.cell,
            several=len(self.seat_row().cells) > 1,
            # The record's material only once its declaration is signed (and while the panel is at work).
            materials=material.seat_material(self.member, subject=subject)
            if show and not material_problem
            else [],
            material_problem=material_problem,
            # Once the panel is closed its frozen result is shown; the other experts' scores never are.
            frozen_result=subject.result if closed else None,
            problem="评审已完成，评审得分已冻结，评分不能再修改。" if closed and problem else problem,
            breadcrumbs=[
                ("我的评审", reverse("experts:my_seats")),
                (panel.title, reverse("experts:my_seat_review", kwargs={"pk": self.member.pk})),
                (subject.title, None),
            ],
            declaration_form=None if self.declared else form,
            scores_form=form if show else None,
        )
        return context


class SeatFileView(_OwnSeatMixin, View):
    """A file of the seat's material, marked with the expert's name and the time on every page, the
    download audited (experts.seats.seat_material_download). Another expert's seat or a file of any
    other record: 404; the material not open to the expert (no declaration, seat left, panel closed) or a
    file that cannot be marked: 403 with the reason."""

    http_method_names = ["get"]

    def get(self, request, pk, key):
        try:
            download = seats.seat_material_download(user=request.user, member=self.member, key=key)
        except (PermissionDenied, ValidationError) as error:
            reason = service_error_text(error) if isinstance(error, ValidationError) else str(error)
            return render(
                request,
                "experts/seat_file_refused.html",
                {
                    "title": "无法查阅评审材料",
                    "reason": reason,
                    "member": self.member,
                    "breadcrumbs": [
                        ("我的评审", reverse("experts:my_seats")),
                        (self.member.panel.title, None),
                    ],
                },
                status=403,
            )
        return uploads.bytes_response(
            download.data, filename=download.filename, content_type=download.content_type
        )
