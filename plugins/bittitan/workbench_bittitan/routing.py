"""Which BitTitan team works a ticket (BT-ROUTE-1, BT-ROUTE-2).

The queue follows from the form's answers, never from the description's wording: the kind,
the three yes / no questions and the planned cutover date. A guidance request meeting any
forcing condition goes to customer support, and the route's reason names the conditions.
"""

from __future__ import annotations

from datetime import date

from workbench import DeskReader
from workbench.model import Action, Case, Finding, Route
from workbench_bittitan.forms import ROUTING_QUESTIONS
from workbench_bittitan.program import PROBLEM, SUCCESS_QUEUE, SUPPORT_QUEUE


def imminent_days(desk: DeskReader) -> float:
    """The BT-ROUTE-2 bound: a cutover this many days away or nearer is imminent."""
    return float(desk.setting("bittitan.imminent_cutover_days"))


def cutover_condition(case: Case, desk: DeskReader) -> str | None:
    """The imminent-cutover condition in words, or ``None`` when the cutover is further away.

    Days count from the desk's today (the desk's customers plan their cutover in the desk's
    calendar); the bound is inclusive, and a planned date already passed is imminent too.
    """
    raw = case.fields.get("cutover_date")
    if not raw:
        return None
    cutover = date.fromisoformat(str(raw))
    days = (cutover - desk.today()).days
    bound = imminent_days(desk)
    if days > bound:
        return None
    if days < 0:
        return f"the planned cutover {cutover} has passed: urgent help"
    return (f"the cutover {cutover} is {days} day{'' if days == 1 else 's'} away, within "
            f"{bound:g} (setting bittitan.imminent_cutover_days): urgent help")


def forcing_conditions(case: Case, desk: DeskReader) -> list[str]:
    """Every BT-ROUTE-2 condition the form's answers meet, in the form's order."""
    conditions = [label.lower() for name, label in ROUTING_QUESTIONS.items()
                  if case.fields.get(name) is True]
    cutover = cutover_condition(case, desk)
    return conditions + ([cutover] if cutover else [])


def route(case: Case, desk: DeskReader) -> Route:
    """Customer support for a product-problem or a forcing condition; customer success otherwise."""
    conditions = forcing_conditions(case, desk)
    if case.fields.get("kind") == PROBLEM:
        also = f"; also: {'; '.join(conditions)}" if conditions else ""
        return Route("subscription-support", SUPPORT_QUEUE, "BT-ROUTE-2",
                     f"a product-problem goes to customer support, which answers within 24 "
                     f"hours{also}")
    if conditions:
        return Route("subscription-support", SUPPORT_QUEUE, "BT-ROUTE-2",
                     f"a guidance request sent to customer support because {'; '.join(conditions)}"
                     " — customer success answers none of these")
    return Route("guidance", SUCCESS_QUEUE, "BT-ROUTE-1",
                 "a guidance request with no problem and no imminent cutover: customer success "
                 "answers how-to and planning questions, free, in English, Monday–Friday "
                 "business hours, with no urgent handling")


def reroute_findings(case: Case, desk: DeskReader) -> list[Finding]:
    """A case left with customer success whose cutover has since come near (BT-ROUTE-2): the
    next sweep moves it."""
    if case.queue != SUCCESS_QUEUE or not case.is_open:
        return []
    cutover = cutover_condition(case, desk)
    if cutover is None:
        return []
    return [Finding("warning", "BT-ROUTE-2",
                    f"{cutover}, and customer success does no urgent handling: the next sweep "
                    "moves the case to customer support", "cutover_date")]


def sweep(case: Case, desk: DeskReader) -> list[Action]:
    """BT-ROUTE-2, counted from today: an open guidance case whose cutover has entered the
    window moves to customer support, once, with an event citing the rule."""
    if case.queue != SUCCESS_QUEUE or not case.is_open:
        return []
    cutover = cutover_condition(case, desk)
    if cutover is None:
        return []
    return [Action("reroute", f"bt-route-2:cutover:{case.fields.get('cutover_date')}", "BT-ROUTE-2",
                   f"a guidance request moved to customer support because {cutover} — customer "
                   "success answers no urgent request",
                   {"path": "subscription-support", "queue": SUPPORT_QUEUE})]
