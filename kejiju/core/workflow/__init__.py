"""One workflow mechanism for every app: declarations (`declarations`), the engine (`services`), the
history and the state on a day (`selectors`), the one transition view and form, and the diagrams."""

from .declarations import (
    Transition,
    TransitionContext,
    TransitionRefused,
    Workflow,
    all_of,
    register_workflow,
    sources,
    workflow,
    workflow_for,
    workflows,
)

__all__ = [
    "Transition",
    "TransitionContext",
    "TransitionRefused",
    "Workflow",
    "all_of",
    "register_workflow",
    "sources",
    "workflow",
    "workflow_for",
    "workflows",
]
