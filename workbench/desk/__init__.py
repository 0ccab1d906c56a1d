"""The desk: the one service layer the CLI and the TUI use (see :class:`Desk`)."""

from workbench.desk.deadlines import RUNNING, next_running
from workbench.desk.facade import Desk
from workbench.desk.values import EMAIL, EVIDENCE_KINDS, attribute_text, attribute_value, parse_value
from workbench.desk.views import (
    CasePreview,
    CaseView,
    EscalationOption,
    SettingView,
    SweepReport,
    WorkflowView,
)
from workbench.errors import BadInput, DeskError, FormInvalid, Invalid, NotFound, Refused, Stale

__all__ = [
    "EMAIL",
    "RUNNING",
    "EVIDENCE_KINDS",
    "BadInput",
    "CasePreview",
    "CaseView",
    "Desk",
    "DeskError",
    "EscalationOption",
    "FormInvalid",
    "Invalid",
    "NotFound",
    "Refused",
    "SettingView",
    "Stale",
    "SweepReport",
    "WorkflowView",
    "attribute_text",
    "attribute_value",
    "next_running",
    "parse_value",
]
