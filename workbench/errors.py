"""What can go wrong, in words a user can act on; nothing was changed.

Every error a user may see, in one module that imports nothing heavy: the command line
names them before it has opened a desk (``workbench.desk``, ``workbench.store`` and
``workbench.plugins`` re-export their own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.model import Decision, Finding

# ----------------------------------------------------------------------------------------
# What can go wrong, in words a user can act on
# ----------------------------------------------------------------------------------------


class DeskError(Exception):
    """Base of the desk's refusals; nothing was changed."""


class BadInput(DeskError):
    """A value given by the user is not acceptable; names the field and the problem, and the
    rule that refuses it where one does (a product the vendor does not sell, a change dated
    before a record's history): ``rule`` ends the message in brackets."""

    def __init__(self, field: str, problem: str, rule: str | None = None) -> None:
        super().__init__(f"{field}: {problem}" + (f" ({rule})" if rule else ""))
        self.field = field
        self.problem = problem
        self.rule = rule


class NotFound(BadInput):
    """No record with that ID."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(what, f"no {what} with ID {key!r}")


class Invalid(DeskError):
    """Validation produced errors: the change is blocked (the findings say why)."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.level == "error"]
        super().__init__(
            "; ".join(f"{f.field + ': ' if f.field else ''}{f.message} ({f.rule})" for f in errors)
        )


class FormInvalid(Invalid):
    """A workflow step's form answers that a vendor's rule refused: bad input like any other
    (the findings name each answer), with the refusal itself."""

    def __init__(self, findings: list[Finding], decision: Decision) -> None:
        super().__init__(findings)
        self.decision = decision


class Refused(DeskError):
    """A rule refuses the action now; the decision says which rule, why, and from when."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        text = f"refused by {decision.rule}: {decision.reason.rstrip('.')}."
        if decision.missing:
            text += " Missing: " + ", ".join(decision.missing) + "."
        if decision.earliest:
            text += f" Allowed from {decision.earliest.isoformat()}."
        super().__init__(text)


class Stale(Refused):
    """A change made on a view of a record that another agent has changed since: refused
    (CORE-AUDIT-1), never written over theirs; the caller reloads the record."""

    def __init__(self, decision: Decision, kind: str, key: str) -> None:
        super().__init__(decision)
        self.kind = kind
        self.key = key


class StoreError(Exception):
    """The desk file cannot be used; the message names the file and the problem."""


class LogDamaged(StoreError):
    """A line of the desk's log fails its check: history that cannot be believed. ``offset``
    is the byte where the line starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class StoreLocked(StoreError):
    """Another process holds the writer lock longer than we are willing to wait; the
    message says which process (pid, host, command) holds it."""


class ClockError(ValueError):
    """A time given by the user could not be read: ``what`` names where it came from (``--now``,
    ``WORKBENCH_NOW``, a form field), ``problem`` says what is wrong. (Kept here, beside the
    other errors, so that the entry point names it without importing the clock.)"""

    def __init__(self, what: str, problem: str) -> None:
        super().__init__(f"{what}: {problem}")
        self.what = what
        self.problem = problem
