"""The projects app's models, one module per sub-domain; every model class is imported here (Django finds
them here, and `from projects.models import Project` keeps working)."""

from .attachments import Attachment
from .cooperation import CooperationProject, CooperationProjectQuerySet
from .execution import AnnualReport, ChangeRequest, MidtermCheck
from .funding import BudgetLine, Disbursement
from .ownership import Achievement, AchievementTransfer, OwnershipGrant, OwnershipPilot
from .plans import Call, LumpSumPilot, Programme
from .projects import MONEY, REVIEW_CRITERIA, Project, ProjectChildQuerySet, ProjectQuerySet

__all__ = [
    "MONEY",
    "REVIEW_CRITERIA",
    "Achievement",
    "AchievementTransfer",
    "AnnualReport",
    "Attachment",
    "BudgetLine",
    "Call",
    "ChangeRequest",
    "CooperationProject",
    "CooperationProjectQuerySet",
    "Disbursement",
    "LumpSumPilot",
    "MidtermCheck",
    "OwnershipGrant",
    "OwnershipPilot",
    "Programme",
    "Project",
    "ProjectChildQuerySet",
    "ProjectQuerySet",
]
