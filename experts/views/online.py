"""Staff's side of 网评 on a panel: remind the experts who have not submitted, and reopen one expert's
submitted scores with a reason. Thin views over experts.reminders and experts.reopen."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import View

from kejiju.core.views.generic import service_error_text

from .. import reminders, reopen
from ..forms import ScoresReopenForm
from .panels import PanelActionMixin, PanelFormView


class PanelRemindView(PanelActionMixin, View):
    """提醒未提交的专家 (POST, confirmed on the page)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            done = reminders.panel_remind(panel=self.panel, user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            names = "、".join(str(member.expert) for member in done.members)
            messages.success(request, f"已提醒 {len(done.members)} 位专家：{names}。")
            if done.unreachable:
                others = "、".join(str(member.expert) for member in done.unreachable)
                messages.warning(request, f"{others}未开通评审账户或不在库，请另行联系。")
        return redirect(self.panel)


class MemberScoresReopenView(PanelFormView):
    """退回网评评分: one member's submitted scores, with the reason."""

    form_class = ScoresReopenForm
    template_name = "experts/member_reopen.html"

    def get_page_title(self):
        return f"退回网评评分：{self.member.expert}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        return context

    def act(self, form):
        reopen.online_scores_reopen(
            member=self.member, reason=form.cleaned_data["comment"], user=self.request.user
        )
        return f"已退回“{self.member.expert}”的网评评分，专家修改后须重新提交。"
