"""Every write of the enterprises app: keyword-only, typed, atomic, validated first. The package
re-exports the public names of its modules (the app's service API), so `from enterprises import services;
services.x(...)` keeps working."""

from .certificates import (
    SHANXI,
    certificate_create,
    certificate_delete,
    certificate_revoke,
    certificate_update,
)
from .enterprises import (
    ENTERPRISE_FIELDS,
    FIGURE_FIELDS,
    enterprise_create,
    enterprise_set_active,
    enterprise_update,
    figures_clean,
    figures_save,
    uscc_clean,
)
from .evaluation import (
    enterprise_flags,
    smes_bulk_transition,
    smes_evaluate,
    smes_evaluation_create,
    smes_transition,
    to_rule_figures,
)
from .pool import POOL_CERTIFIED_UNIQUE, pool_innovation_assess, pool_recommend, pool_request, pool_transition
from .rewards import doubling_target_save, reward_amount, reward_tier_save, reward_transition, rewards_compute

__all__ = [
    "ENTERPRISE_FIELDS",
    "FIGURE_FIELDS",
    "POOL_CERTIFIED_UNIQUE",
    "SHANXI",
    "certificate_create",
    "certificate_delete",
    "certificate_revoke",
    "certificate_update",
    "doubling_target_save",
    "enterprise_create",
    "enterprise_flags",
    "enterprise_set_active",
    "enterprise_update",
    "figures_clean",
    "figures_save",
    "pool_innovation_assess",
    "pool_recommend",
    "pool_request",
    "pool_transition",
    "reward_amount",
    "reward_tier_save",
    "reward_transition",
    "rewards_compute",
    "smes_bulk_transition",
    "smes_evaluate",
    "smes_evaluation_create",
    "smes_transition",
    "to_rule_figures",
    "uscc_clean",
]
