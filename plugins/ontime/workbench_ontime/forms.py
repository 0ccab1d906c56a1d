"""The OnTime intake form: platform and isolation first (ONTIME-TRIAGE-1), the evidence an
escalation carries (ONTIME-ESC-2), and what decides a paid-support offer (ONTIME-PAID-1).

Nothing is required at intake: a customer often calls before anyone knows the platform
version; routing and the escalation check say what is still missing.
"""

from __future__ import annotations

from workbench.model import Case, Field
from workbench_ontime.program import (
    CASE_KINDS,
    ISOLATION_ANSWERS,
    NOT_CHECKED,
    PLATFORMS,
    USER_SETTINGS_ANSWERS,
)

FIELDS = [
    Field("kind", "Kind of question", "choice", choices=CASE_KINDS, default=CASE_KINDS[0],
          rule="ONTIME-TRIAGE-2",
          help="unexpected-behaviour: OnTime does not behave as expected (most cases); failure: "
          "something stopped working; question: how to use OnTime."),
    Field("platform", "Calendar platform", "choice", choices=list(PLATFORMS), rule="ONTIME-TRIAGE-1",
          help="The customer's calendar platform: " + "; ".join(
              f"{key} = {name}" for key, name in PLATFORMS.items()) + "."),
    Field("platform_version", "Platform version", rule="ONTIME-ESC-2",
          help="e.g. Domino 12.0.2 FP3, Exchange 2019 CU14, Exchange Online (current)."),
    Field("isolation", "Reproduces on the platform without OnTime?", "choice",
          choices=ISOLATION_ANSWERS, default=NOT_CHECKED, rule="ONTIME-TRIAGE-1",
          help="not-checked: not checked yet (the case stays in triage); reproduces-without-ontime: "
          "the platform alone shows it (platform support); does-not-reproduce: only with OnTime "
          "(an OnTime product question)."),
    Field("user_settings", "End users' own platform settings checked?", "choice",
          choices=USER_SETTINGS_ANSWERS, default=NOT_CHECKED, rule="ONTIME-TRIAGE-1",
          help="OnTime follows each end user's own platform settings (e.g. their meeting-response "
          "settings), so isolation checks them too. not-checked: not yet; explain-it: a user's own "
          "setting causes the behaviour (the platform side works it); not-the-cause: checked, they "
          "do not explain it."),
    Field("reproduction_steps", "Reproduction steps", "longtext", rule="ONTIME-ESC-2",
          help="Step by step, what to do to see the behaviour, and what happens instead of what."),
    Field("browser", "Browser name", rule="ONTIME-ESC-2", help="e.g. Microsoft Edge, Google Chrome."),
    Field("browser_version", "Browser version", rule="ONTIME-ESC-2", help="e.g. 131.0.2903.70."),
    Field("environment_notes", "Environment notes", "longtext", rule="ONTIME-ESC-2",
          help="OnTime version, servers, clients, who is affected, relevant platform settings."),
    Field("customer_can_isolate", "Can the customer do the isolation?", "bool", rule="ONTIME-PAID-1",
          help="Whether the customer (or its staff) can check the behaviour on the platform alone."),
    Field("platform_partner", "Platform partner", rule="ONTIME-PAID-1",
          help="Who supports the customer's calendar platform: the desk's platform team or the SIer "
          "that runs it; empty when nobody does."),
]

EVIDENCE = ["reproduction_steps", "browser", "browser_version", "platform", "platform_version",
            "environment_notes"]
"""What an escalation to OnTime carries (ONTIME-ESC-2), in the form's order."""

LABELS = {f.name: f.label for f in FIELDS}


def answer(case: Case, name: str) -> str:
    """A text answer of the form, stripped; empty when not given."""
    value = case.fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def isolation(case: Case) -> str:
    return answer(case, "isolation") or NOT_CHECKED


def user_settings(case: Case) -> str:
    """The answer on the end users' own platform settings (ONTIME-TRIAGE-1)."""
    return answer(case, "user_settings") or NOT_CHECKED


def platform_name(case: Case) -> str:
    """The platform as people call it, with its version when known."""
    platform = PLATFORMS.get(answer(case, "platform"))
    if platform is None:
        return "the customer's calendar platform"
    version = answer(case, "platform_version")
    return f"{platform}, version {version}" if version else platform


def has_reproduction(case: Case) -> bool:
    """Reproduction steps on the form, or a reproduction attached as evidence."""
    return bool(answer(case, "reproduction_steps")) or any(
        e.get("kind") == "reproduction" for e in case.evidence
    )


def missing_evidence(case: Case) -> list[str]:
    """The labels of the evidence items an escalation to OnTime still lacks (ONTIME-ESC-2)."""
    present = {name for name in EVIDENCE if answer(case, name)}
    if has_reproduction(case):
        present.add("reproduction_steps")
    return [LABELS[name] for name in EVIDENCE if name not in present]
