"""OnTime's escalation as an e-mail (``case send --mail``): the evidence of ONTIME-ESC-2, sent
one hop up the commercial chain of ONTIME-ESC-1 — to the OnTime Japan team for a tier-1 desk,
to its tier-1 partner / distributor for a tier-2 desk — under the desk's technical contact
(ONTIME-PARTNER-1). It goes only when the escalation itself would be allowed: isolated, fully
evidenced, with a contact (the refusal names the rule and what is missing)."""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, Decision, MailDraft
from workbench_ontime.escalation import ONTIME_TEAM, check
from workbench_ontime.forms import EVIDENCE, LABELS, answer, platform_name
from workbench_ontime.program import PLATFORMS, TIER_2

TEAM_EMAIL = "ontime.team_email"
TIER1_EMAIL = "ontime.tier1_email"


def compose(case: Case, text: str, desk: DeskReader) -> MailDraft | Decision:
    allowed = check(case, 1, desk)
    if not allowed.allowed:
        return allowed
    contact = str(desk.setting("ontime.technical_contact")).strip()
    if desk.setting("ontime.partner_tier") == TIER_2:
        tier1 = str(desk.setting("ontime.tier1_partner")).strip()
        setting, hop = TIER1_EMAIL, f"the tier-1 / distributor {tier1}"
        route = f"to {hop}, which brings it to the {ONTIME_TEAM} (tier-2 desk)"
    else:
        setting, hop = TEAM_EMAIL, f"the {ONTIME_TEAM}"
        route = f"to the {ONTIME_TEAM} directly (tier-1 partner)"
    to = str(desk.setting(setting)).strip()
    if not to:
        return Decision(False, "ONTIME-ESC-1",
                        f"the escalation goes to {hop}, and the desk has not recorded its address",
                        missing=[f"setting {setting}: the e-mail address of {hop}"])
    lines = [text.strip(), ""] if text.strip() else []
    lines += [
        f"Escalation of {case.id}: {case.subject}",
        f"Route (ONTIME-ESC-1): {route}",
        f"Technical contact (ONTIME-PARTNER-1): {contact}",
        f"Isolation (ONTIME-TRIAGE-1): does not reproduce on {platform_name(case)} without OnTime; "
        "the end users' own platform settings are not the cause",
        "",
        "Evidence (ONTIME-ESC-2):",
        *[f"{LABELS[name]}: {_shown(case, name)}" for name in EVIDENCE if answer(case, name)],
        *[f"Attached evidence ({e.get('kind')}): {e.get('text')}" for e in case.evidence],
    ]
    return MailDraft(
        to=[to],
        subject=f"OnTime escalation: {case.subject}",
        body="\n".join(lines) + "\n",
        rule="ONTIME-ESC-2",
        reason=f"the escalation with its evidence, {route}, under technical contact {contact} "
               "(ONTIME-ESC-1, ONTIME-PARTNER-1)",
        sender_name=contact,
    )


def _shown(case: Case, name: str) -> str:
    value = answer(case, name)
    return PLATFORMS.get(value, value) if name == "platform" else value
