"""What the reporting pages share: a permission check that answers 403, and one workflow action behind its
own URL."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied

from kejiju.core.workflow import workflow_for
from kejiju.core.workflow.views import TransitionView


class PermissionMixin(PermissionRequiredMixin):
    raise_exception = True


class ActionView(TransitionView):
    """One action of a flow behind its own URL (a button on the detail page, POST only): the one
    transition view with the action fixed, refused (403) without that action's permission."""

    http_method_names = ["post"]
    fixed_action = ""

    def action_for(self, pk) -> str:
        return self.fixed_action

    def dispatch(self, request, *args, **kwargs):
        action = self.action_for(kwargs["pk"])
        permission = workflow_for(self.model).transitions_for(action)[0].permission
        if not request.user.has_perm(permission):
            raise PermissionDenied
        post = request.POST.copy()
        post["action"] = action
        request.POST = post
        return super().dispatch(request, *args, **kwargs)
