"""Staff's side of 网评 on a panel: remind the experts who have not submitted, a thin view over
experts.reminders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import View

from kejiju.core.views.generic import service_error_text

from . import reminders
from .views import PanelActionMixin


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
