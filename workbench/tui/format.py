"""The desk's words as the terminal desk draws them: the shared renderer in colour.

The wording comes from ``workbench.render``; here only how it looks (tones as Textual
content markup) and how an error becomes a notification.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from workbench.errors import BadInput, DeskError, Invalid, Refused, StoreError
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


COMPANY_FORMS = re.compile(
    r"^(?:株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|\(株\)|（株）)\s*"
    r"|\s*(?:株式会社|有限会社|合同会社|\(株\)|（株）)$"
    r"|,?\s+(?:K\.?K\.?|Co\.?,? Ltd\.?|Ltd\.?|Inc\.?|Pty\.? Ltd\.?|Pty|LLC|GmbH|Corp\.?|Corporation)$"
)
"""Legal forms of a company that say nothing in a narrow column: 株式会社さくら物流 reads
さくら物流, Contoso Japan KK reads Contoso Japan (the case itself shows the full name)."""


def short_company(name: str) -> str:
    """``name`` without its legal form, where something is left."""
    shorter = COMPANY_FORMS.sub("", name).strip()
    return shorter or name


def severity_badge(severity: str) -> tuple[str, str]:
    """A severity as a badge cell: its first word (``3`` for ``3 (outside SLA)``), drawn
    high for 1, middle for 2; ``-`` muted where there is none."""
    word = severity.split()[0] if severity.strip() else ""
    if not word:
        return ("-", "dim")
    return (f" {word} ", {"1": "badge-high", "2": "badge-mid"}.get(word, "badge"))


def age(since: datetime | None, now: datetime) -> str:
    """How long ago: ``12m``, ``5h``, ``3d``, ``4w`` (``-`` for never)."""
    if since is None:
        return "-"
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    if minutes < 28 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // (7 * 24 * 60)}w"


def vendor_name(program_name: str, vendor: str) -> str:
    """A vendor program's name in a word, the same in a column and a view tab: the word
    of the name that spells the vendor's ID (``Cisco WebEx (Japan orders)`` → ``WebEx``),
    else its first word."""
    words = [w.strip("()") for w in program_name.split()]
    return next((w for w in words if w.lower() == vendor.lower()), words[0] if words else vendor)


KEYS_FOR_COMMANDS = {
    "case edit": "key e (Edit) on the case",
    "case owner": "key w (Owner) on the case",
    "case send": "key s (Send) on the case",
    "workflow new": "key n on Work (F3)",
    "workflow show": "Work (F3)",
    "settings": "Settings (F6)",
    "agent add": "Team (F7)",
    "agent list": "Team (F7)",
    "agent edit": "Team (F7)",
}
"""What a TUI user does where the desk's text names a command line (a finding written for
both): the key, not a command to leave the terminal desk for."""

COMMAND = re.compile(r"`workbench ([a-z]+)(?: ([a-z]+))?[^`]*`")


def in_keys(text: str) -> str:
    """``text`` with every ``workbench …`` command it names said as the TUI's key."""

    def key(match: re.Match[str]) -> str:
        group, verb = match.group(1), match.group(2)
        return KEYS_FOR_COMMANDS.get(f"{group} {verb}", KEYS_FOR_COMMANDS.get(group, match.group(0)))

    return COMMAND.sub(key, text) if "`workbench " in text else text


class CellText(Renderer):
    """The desk's words for table cells: plain text, times without the zone; a command
    line named in a finding or refusal is said as the TUI's key."""

    zone = False

    def data(self, value: object) -> str:
        return in_keys(super().data(value))


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
        return f"Check {error.field}", in_keys(error.problem)
    if isinstance(error, DeskError):
        return "Not done", in_keys(str(error))
    if isinstance(error, StoreError):
        return "Not saved: the desk's store", str(error)
    return "Unexpected error", f"{type(error).__name__}: {error}"
