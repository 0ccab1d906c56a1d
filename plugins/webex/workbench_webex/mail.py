"""WebEx and e-mail (``case send --mail``): Cisco takes no request the desk composes by mail.
A technical question goes to Cisco's technical line (WX-HOURS-1); an order or a renewal is
provisioned through the form link Cisco mails with the confirmation (WX-PROV-1), worked as a
workflow (WX-FLOW-1); a lost password is the site's forgot-password (WX-SITE-2). The refusal
says which, so the agent reaches Cisco the way its rules say."""

from __future__ import annotations

from datetime import datetime

from workbench.model import Case, Decision
from workbench_webex.timing import FORGOT_PASSWORD, support_hours


def refusal(case: Case, now: datetime) -> Decision:
    kind = case.fields.get("kind")
    if kind == "order":
        return Decision(False, "WX-PROV-1",
                        "a WebEx order is provisioned through the form link Cisco mails with the "
                        "confirmation (SO#), worked as a workflow (WX-FLOW-1), not by an e-mail "
                        "from the desk")
    if kind == "site-access":
        return Decision(False, "WX-SITE-2",
                        f"the Welcome e-mail cannot be resent, and no e-mail from the desk "
                        f"replaces it: {FORGOT_PASSWORD}")
    return Decision(False, "WX-HOURS-1",
                    "Cisco takes technical questions on its technical line, not by an e-mail from "
                    f"the desk: {support_hours(now).message}")
