"""BitTitan's ticket as an e-mail (``case send --mail``): the fields of BT-FORM-1 in the order
of MigrationWiz's "Submit a Request" form, to BitTitan's support address the desk was given.
BitTitan answers the ticket's account e-mail (BT-FORM-1), so the message names it first."""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, Decision, MailDraft
from workbench_bittitan.forms import ROUTING_QUESTIONS, case_fields
from workbench_bittitan.program import GUIDANCE

SUPPORT_EMAIL = "bittitan.support_email"


def compose(case: Case, text: str, desk: DeskReader) -> MailDraft | Decision:
    to = str(desk.setting(SUPPORT_EMAIL) or "").strip()
    if not to:
        return Decision(False, "BT-FORM-1",
                        "a ticket goes to BitTitan support by e-mail, and the desk has not recorded "
                        "that address", missing=[f"setting {SUPPORT_EMAIL}: BitTitan's support address"])
    lines = [text.strip(), ""] if text.strip() else []
    for field in case_fields():
        if field.name in ROUTING_QUESTIONS and case.fields.get("kind") != GUIDANCE:
            continue
        value = case.fields.get(field.name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"{field.label}: {value if value not in (None, '') else '-'}")
    lines.append(f"Subject: {case.subject}")
    queue = f"queue {case.queue}, path {case.path}" if case.queue else "not routed"
    return MailDraft(
        to=[to],
        subject=f"MigrationWiz {case.fields.get('kind') or 'ticket'}: {case.subject}",
        body="\n".join(lines) + "\n",
        rule="BT-FORM-1",
        reason=f"BitTitan's ticket fields to {to}; BitTitan answers the account e-mail "
               f"{case.fields.get('account_email') or '-'} ({queue}, {case.route_rule})",
    )
