"""Escalation: the vendor's ladder with the core's commercial track (CORE-ESC-2), the next
rung on each track and whether the vendor's condition lets the case climb it (CORE-ESC-1/2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.builtin.core import with_commercial_track
from workbench.desk.cases import change_case
from workbench.desk.views import (
    EscalationOption,
)
from workbench.errors import BadInput, Refused
from workbench.model import (
    Case,
    Decision,
    Escalation,
    Ladder,
    Rung,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


def ladder(desk: Desk, case: Case) -> Ladder:
    """The vendor's ladder (the hook's first answer), with the core's commercial track
    (CORE-ESC-2) added where the vendor's brings none."""
    return with_commercial_track(desk.plugins.first("workbench_escalation_ladder", case=case, desk=desk))


def escalation_options(desk: Desk, case: Case, ladder: Ladder | None = None) -> list[EscalationOption]:
    ladder = ladder or desk.ladder(case)
    options = []
    for track in ("technical", "commercial"):
        current = case.level(track)
        rung = ladder.next_rung(track, current)
        decision = _check_escalation(desk, case, track, rung) if rung and case.is_open else None
        options.append(EscalationOption(track, current, rung, decision))
    return options


def _check_escalation(desk: Desk, case: Case, track: str, rung: Rung) -> Decision:
    return desk.plugins.first(
        "workbench_check_escalation",
        case=case,
        track=track,
        level=rung.level,
        desk=desk,
        now=desk.now(),
    )


def escalate(desk: Desk, key: str, track: str = "technical", reason: str = "", owner: str = "") -> Case:
    """Climb one rung on ``track`` if the vendor's condition holds (CORE-ESC-1/2);
    otherwise :class:`Refused` with the rule, the reason, the earliest time and what is missing."""
    if track not in ("technical", "commercial"):
        raise BadInput("track", f"{track!r} is not technical or commercial")
    desk.case(key)

    def change(c: Case) -> dict[str, Any]:
        # Decided on the case as of the writer lock: of two escalations at once, one climbs
        # the rung and the other is asked about the next one, as a late command would be.
        ladder = desk.ladder(c)
        rung = ladder.next_rung(track, c.level(track))
        if rung is None:
            raise Refused(Decision(False, ladder.rule, f"case {key} is at the top of the {track} ladder"))
        decision = _check_escalation(desk, c, track, rung)
        if not decision.allowed:
            raise Refused(decision)
        c.escalations.append(
            Escalation(
                track=track,
                level=rung.level,
                role=rung.role,
                rule=decision.rule,
                reason=reason or decision.reason,
                at=desk.now(),
                actor=desk.actor,
                owner=owner,
            )
        )
        data = {"track": track, "level": rung.level, "role": rung.role, "owner": owner, "why": reason}
        return {"rule": decision.rule, "reason": decision.reason, "data": data}

    return change_case(desk, key, "escalate", change)


def set_escalation_owner(desk: Desk, key: str, track: str, level: int, owner: str) -> Case:
    """Record who owns an escalation on the vendor's side once the vendor names them."""
    if not owner.strip():
        raise BadInput("owner", "must name the vendor-side owner")

    def change(case: Case) -> None:
        escalation = next((e for e in case.escalations if e.track == track and e.level == level), None)
        if escalation is None:
            raise BadInput("level", f"case {key} has no {track} escalation at level {level}")
        escalation.owner = owner.strip()

    return change_case(
        desk, key, "escalation-owner", change, data={"track": track, "level": level, "owner": owner.strip()}
    )
