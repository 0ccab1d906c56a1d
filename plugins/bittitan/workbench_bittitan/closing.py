"""How a BitTitan ticket closes (BT-CLOSE-1): exactly one reason of the list.

The desk refuses any code not offered here, so the core's generic reasons (``resolved``,
``withdrawn`` …) and combinations are refused on a BitTitan case. ``pending-timeout`` is
offered only when it is true: the case has been pending 72 hours without a reply
(BT-PENDING-1); the sweep closes with it, and a desk may close by hand at that point too.
"""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, CloseReason
from workbench_bittitan.pending import CLOSE_AFTER, TIMEOUT, pending_since

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
TIMEOUT_REASON = CloseReason(TIMEOUT, "pending on the customer for 72 hours without a reply",
                             "BT-PENDING-1")


def close_reasons(case: Case, desk: DeskReader) -> list[CloseReason]:
    since = pending_since(case)
    timed_out = since is not None and desk.now() - since >= CLOSE_AFTER
    return [*REASONS, TIMEOUT_REASON] if timed_out else list(REASONS)
