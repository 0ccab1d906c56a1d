"""The desk's words as the terminal desk draws them: the shared renderer in colour.

The wording comes from ``workbench.render``; here only how it looks (tones as Textual
content markup) and how an error becomes a notification.
"""

from __future__ import annotations

from datetime import tzinfo

from workbench.errors import BadInput, DeskError, Invalid, Refused
from workbench.render import Renderer

MARKUP_TONE = {
    "ok": "$text-success",
    "at-risk": "$text-warning",
    "breached": "$text-error",
    "dim": "$text-muted",
    "info": "$text-accent",
    "bold": "bold",
}


def escape(text: str) -> str:
    """Text safe inside Textual content markup."""
    return text.replace("[", r"\[")


class CellText(Renderer):
    """The desk's words for table cells: plain text, times without the zone."""

    zone = False


class Markup(CellText):
    """The desk's words in Textual content markup, for ``Static`` widgets."""

    def data(self, value: object) -> str:
        return escape(super().data(value))

    def strong(self, text: str) -> str:
        return f"[b]{text}[/b]"

    def title(self, text: str) -> str:
        return f"[b $text-primary]{text}[/]"

    def muted(self, text: str) -> str:
        return f"[$text-muted]{text}[/]"

    def accent(self, text: str) -> str:
        return f"[$text-accent]{text}[/]"

    def current(self, text: str) -> str:
        return f"[b $text-accent]{text}[/]"

    def tone(self, tone: str, text: str) -> str:
        return f"[{MARKUP_TONE.get(tone, '$text')}]{text}[/]"


def error_title_and_text(error: BaseException, tz: tzinfo) -> tuple[str, str]:
    """What a notification says about a desk refusal (rule and reason, not just "no")."""
    words = CellText(tz)
    if isinstance(error, Refused):
        return f"Refused by {error.decision.rule}", words.decision_text(error.decision)
    if isinstance(error, Invalid):
        errors = [f for f in error.findings if f.level == "error"]
        return "Not saved: the rules found errors", "\n".join(words.finding(f) for f in errors)
    if isinstance(error, BadInput):
        return f"Check {error.field}", error.problem
    if isinstance(error, DeskError):
        return "Not done", str(error)
    return "Unexpected error", f"{type(error).__name__}: {error}"
