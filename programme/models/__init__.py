"""Models of the programme app, split by subject; import them from here."""

from .cascade import CascadeRelease, ReadinessCriterion
from .organisation import (
    Administration,
    AdministrationSnapshot,
    ExternalKind,
    ExternalPerson,
    ImportRun,
    Leadership,
    MedCommittee,
    MedLevel,
    Person,
    Role,
    Workplace,
)
from .plan import BudgetYear, Milestone, Phase, Postponement, Programme, Tier
from .reminders import DeliveryStatus, ReminderDelivery, ReminderRule

__all__ = [
    "Administration",
    "AdministrationSnapshot",
    "BudgetYear",
    "CascadeRelease",
    "DeliveryStatus",
    "ExternalKind",
    "ExternalPerson",
    "ImportRun",
    "Leadership",
    "MedCommittee",
    "MedLevel",
    "Milestone",
    "Person",
    "Phase",
    "Postponement",
    "Programme",
    "ReadinessCriterion",
    "ReminderDelivery",
    "ReminderRule",
    "Role",
    "Tier",
    "Workplace",
]
