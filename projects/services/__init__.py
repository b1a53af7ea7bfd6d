"""Every write of the projects app (keyword-only, atomic, `full_clean()` first; bad input raises
ValidationError with a Chinese message naming the field), one module per sub-domain; the public names are
re-exported here: `from projects import services; services.project_create(...)` is the app's service API."""

from .applications import (
    EDITABLE_FIELDS,
    applicant_facts,
    may_edit,
    project_create,
    project_from_application,
    project_update,
    same_pi_condition,
    set_pi_id_number,
)
from .attachments import (
    UNIT_FILED_KINDS,
    attachment_create,
    attachment_delete,
    attachment_max_bytes,
    is_project_filer,
    may_upload,
    require_project_filer,
)
from .cooperation import COOPERATION_UNIQUE, cooperation_project_save
from .execution import (
    annual_report_create,
    change_request_create,
    change_request_decide,
    midterm_check_create,
)
from .funding import budget_line_create, disbursement_create, paid_total
from .lifecycle import project_transition, review_score
from .ownership import (
    APPROVAL_FILE_TYPES,
    achievement_save,
    achievement_transfer_save,
    ownership_grant_save,
    ownership_pilot_save,
)
from .plans import call_save, is_lump_sum_unit, lump_sum_pilot_save, programme_save

__all__ = [
    "APPROVAL_FILE_TYPES",
    "COOPERATION_UNIQUE",
    "EDITABLE_FIELDS",
    "UNIT_FILED_KINDS",
    "achievement_save",
    "achievement_transfer_save",
    "annual_report_create",
    "applicant_facts",
    "attachment_create",
    "attachment_delete",
    "attachment_max_bytes",
    "budget_line_create",
    "call_save",
    "change_request_create",
    "change_request_decide",
    "cooperation_project_save",
    "disbursement_create",
    "is_lump_sum_unit",
    "is_project_filer",
    "lump_sum_pilot_save",
    "may_edit",
    "may_upload",
    "midterm_check_create",
    "ownership_grant_save",
    "ownership_pilot_save",
    "paid_total",
    "programme_save",
    "project_create",
    "project_from_application",
    "project_transition",
    "project_update",
    "require_project_filer",
    "review_score",
    "same_pi_condition",
    "set_pi_id_number",
]
