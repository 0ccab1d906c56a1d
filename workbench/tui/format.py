"""How the app writes times, durations, deadlines and decisions: presentation only.

Nothing here decides anything; it turns what the desk answered into words and tones.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from workbench.errors import BadInput, DeskError, Invalid, Refused
from workbench.model import Decision, Finding

TONE_OF_STATE = {
    "ok": "ok",
    "at-risk": "at-risk",
    "breached": "breached",
    "met": "dim",
    "met-late": "at-risk",
    "paused": "dim",
    "overdue": "breached",
    "done": "dim",
}
"""The tone a deadline or workflow state is drawn in."""

TONE_OF_LEVEL = {"error": "breached", "warning": "at-risk", "info": "info"}

MARKUP_TONE = {
    "ok": "$text-success",
    "at-risk": "$text-warning",
    "breached": "$text-error",
    "dim": "$text-muted",
    "info": "$text-accent",
    "bold": "bold",
}


def local(instant: datetime | None, tz: tzinfo, *, seconds: bool = False) -> str:
    """An instant in the desk's time zone: ``2026-11-24 10:00``."""
    if instant is None:
        return "-"
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day(value: date | None) -> str:
    return value.isoformat() if value else "-"


def duration(minutes: int) -> str:
    """``3d 04h``, ``2h 05m`` or ``7m``."""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def countdown(due: datetime | None, now: datetime) -> str:
    """Wall time left until ``due`` (``−`` when it has passed)."""
    if due is None:
        return "paused"
    minutes = int((due - now).total_seconds() // 60)
    return duration(minutes) if minutes >= 0 else "−" + duration(minutes)


def escalation_levels(case: Any) -> str:
    """``T2 C1`` for the current levels on both tracks, ``-`` before any escalation."""
    technical, commercial = case.level("technical"), case.level("commercial")
    if not technical and not commercial:
        return "-"
    parts = []
    if technical:
        parts.append(f"T{technical}")
    if commercial:
        parts.append(f"C{commercial}")
    return " ".join(parts)


def decision_text(decision: Decision, tz: tzinfo) -> str:
    """A decision in words: the rule, the reason, what is missing and from when."""
    text = f"{decision.rule}: {decision.reason}"
    if decision.missing:
        text += f" — missing: {', '.join(decision.missing)}"
    if decision.earliest:
        text += f" — allowed from {local(decision.earliest, tz)}"
    return text


def finding_text(finding: Finding) -> str:
    where = f"{finding.field}: " if finding.field else ""
    return f"{finding.level.upper()} {finding.rule} {where}{finding.message}"


def error_title_and_text(error: BaseException, tz: tzinfo) -> tuple[str, str]:
    """What a notification says about a desk refusal (rule and reason, not just "no")."""
    if isinstance(error, Refused):
        return f"Refused by {error.decision.rule}", decision_text(error.decision, tz)
    if isinstance(error, Invalid):
        errors = [f for f in error.findings if f.level == "error"]
        return "Not saved: the rules found errors", "\n".join(finding_text(f) for f in errors)
    if isinstance(error, BadInput):
        return f"Check {error.field}", error.problem
    if isinstance(error, DeskError):
        return "Not done", str(error)
    return "Unexpected error", f"{type(error).__name__}: {error}"


def escape(text: str) -> str:
    """Text safe inside Textual content markup."""
    return text.replace("[", r"\[")
