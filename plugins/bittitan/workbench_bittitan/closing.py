"""How a BitTitan ticket closes (BT-CLOSE-1): exactly one reason of the list.

The desk refuses any code not offered here, so the core's generic reasons (``resolved``,
``withdrawn`` …) and combinations are refused on a BitTitan case, naming BT-CLOSE-1.
``pending-timeout`` is the reason of an automatic close (BitTitan's own, on its ticket,
BT-PENDING-1; or the desk's policy close after waiting on its customer, when the desk turned it
on): it is listed but never given by hand.
"""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, CloseReason
from workbench_bittitan.pending import TIMEOUT

REASONS = [
    CloseReason("resolved-confirmed", "the user told the engineer the problem is solved",
                "BT-CLOSE-1"),
    CloseReason("outside-scope", "the root cause lies outside BitTitan's software or control, "
                "and the customer was told", "BT-CLOSE-1"),
    CloseReason("resolution-steps", "steps that solve the problem were provided", "BT-CLOSE-1"),
    CloseReason("workaround", "a working workaround giving the expected result was provided",
                "BT-CLOSE-1"),
    CloseReason("feature-request", "a feature or change request was submitted to the product "
                "team", "BT-CLOSE-1"),
    CloseReason("third-party-limitation", "a third-party product's limitation: the "
                "investigation was reassigned", "BT-CLOSE-1"),
    CloseReason("user-education", "a matter of end-user education: the information or "
                "documents were provided", "BT-CLOSE-1"),
    CloseReason("cannot-reproduce", "not reproducible in BitTitan's test environment",
                "BT-CLOSE-1"),
]
TIMEOUT_REASON = CloseReason(TIMEOUT, "closed automatically after 72 hours pending without an "
                             "answer (BT-PENDING-1)", "BT-CLOSE-1", manual=False)


def close_reasons(case: Case, desk: DeskReader) -> list[CloseReason]:
    return [*REASONS, TIMEOUT_REASON]
