"""The one transition view: every app's `<model>_transition` URL is this view with its model."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.generic import FormView

from kejiju.core.scoping import scoped_queryset
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin

from . import services
from .declarations import TransitionRefused, workflow_for
from .diagram import flow_states
from .forms import transition_form_class
from .selectors import available_transitions


class TransitionView(ServiceFormMixin, BreadcrumbMixin, FormView):
    """GET without an action: the actions the user may take now; GET ?action=: its form; POST: take it.

    A user who holds none of the workflow's permissions gets 403; a record outside the user's scope 404."""

    model = None
    template_name = "workflow/transition_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.flow = workflow_for(self.model)
        if not any(request.user.has_perm(perm) for perm in self.flow.permissions()):
            raise PermissionDenied
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        self.action = (request.POST.get("action") or request.GET.get("action") or "").strip()
        state = str(getattr(self.object, self.flow.state_field))
        self.transition = self.flow.transition(action=self.action, state=state) or next(
            iter(self.flow.transitions_for(self.action)), None
        )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return scoped_queryset(self.model, self.request.user)

    def get_form_class(self):
        return transition_form_class(self.transition)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(transition=self.transition, record=self.object, user=self.request.user)
        return kwargs

    def get_initial(self):
        return {"action": self.action}

    def get(self, request, *args, **kwargs):
        if not self.action:
            return self.render_to_response(self.get_context_data(choosing=True))
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        action = form.cleaned_data["action"]
        declared = self.flow.transitions_for(action)
        if declared and not any(t.form for t in declared):
            # Taken by the app's own step (a batch's ranking, a panel's seating), never by this form.
            raise TransitionRefused(
                f"“{self.flow.action_label(action)}”由系统在相应环节自动办理，不能在此直接办理。",
                field="action",
            )
        event = services.apply_transition(
            record=self.object,
            action=form.cleaned_data["action"],
            actor=self.request.user,
            effective_on=form.cleaned_data.get("effective_on"),
            comment=form.cleaned_data.get("comment", ""),
            data=form.extra_data(),
        )
        self.success_message = f"已办理“{event.label}”：{self.flow.state_label(event.to_state)}。"

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs) if not kwargs.get("choosing") else kwargs
        state = str(getattr(self.object, self.flow.state_field))
        context.update(
            object=self.object,
            view=self,
            flow=self.flow,
            transition=self.transition,
            target_label=self.flow.state_label(self.transition.target) if self.transition else "",
            state_label=self.flow.state_label(state),
            available=available_transitions(self.object, self.request.user),
            flow_states=flow_states(self.flow, state),
            title=(f"{self.transition.label}：{self.object}" if self.transition else f"办理：{self.object}"),
            cancel_url=self.object.get_absolute_url(),
            breadcrumbs=self.get_breadcrumbs(),
        )
        return context
