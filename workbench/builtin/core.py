"""The core rules as a plugin: paths, the desk's own clock, commercial escalation.

Registered through the ``workbench`` entry-point group like any vendor. Its answers to
first-result hooks are ``trylast``, so a vendor plugin's answer wins where it gives one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from workbench import hookimpl
from workbench.model import (
    Action,
    Case,
    CloseReason,
    Commitment,
    Contract,
    Decision,
    Field,
    Finding,
    Ladder,
    MailDraft,
    Route,
    Rule,
    Rung,
    Setting,
    VendorProgram,
)

RULES = [
    Rule(
        "CORE-PATH-1",
        "Every case is on exactly one path at a time: subscription-support, "
        "consulting, guidance, platform or self-service.",
    ),
    Rule(
        "CORE-PATH-2",
        "Consulting presupposes an active subscription with support; offering or "
        "opening a consulting path without one is refused, with the reason.",
    ),
    Rule(
        "CORE-PATH-3",
        "Problem-time questions go to subscription support; performance tuning and "
        "environment-specific optimisation go to consulting. Intake asks every case its nature "
        "(problem, how-to, tuning); a tuning case goes to path consulting when the customer holds an "
        "active consulting contract with the vendor, otherwise it stays on subscription support with a "
        "finding to offer consulting. A plugin refines this per vendor",
    ),
    Rule(
        "CORE-PATH-4",
        "Subscription support includes a response-time commitment, investigation to "
        "the product's source and forwarding bugs / requests; consulting adds an on-site or "
        "dedicated consultant, tuning, patches and emergency phone.",
    ),
    Rule(
        "CORE-ESC-1",
        "A technical escalation moves a case one level up the vendor's ladder, only when "
        "the vendor's condition for that level holds; otherwise it is refused with the condition "
        "and the earliest time it will hold.",
    ),
    Rule(
        "CORE-ESC-2",
        "A commercial escalation (account manager / sales executive) is offered when the "
        "technical track is stalled (no vendor progress for 30 days) on a case with technical "
        "evidence attached; it is refused without evidence.",
    ),
    Rule(
        "CORE-SLA-1",
        "Every deadline is computed on a named business calendar and shown with the "
        "calendar's name; pending-on-customer time does not count against a vendor's commitment.",
    ),
    Rule(
        "CORE-SLA-2",
        "A deadline is ok, at-risk (less than 25% of its window left) or breached, and so is every "
        "dated step of a workflow; a breach, once it happened, stays in the case's evidence",
    ),
    Rule(
        "CORE-SLA-3",
        "The desk's own commitment to its customer: first response within 4 business "
        "hours and an update at least every 2 business days on the desk calendar; waiting on the "
        "customer pauses it, waiting on the vendor does not. A resolution sent to the customer is a "
        "response; a resolved case's desk clocks stop (a reopen restarts the update clock) and a "
        "closed case has no running or paused clock",
    ),
    Rule(
        "CORE-SLA-4",
        "Who holds the ball follows from the case's history; the case shows the "
        "business time each side has held it and its SLA timeline can be exported as evidence.",
    ),
    Rule(
        "CORE-AUDIT-1",
        "Every change to a case, a customer, a contract or a workflow is an event "
        "with time, actor and before/after; history is never rewritten.",
    ),
]

TEAM_RULES = [
    Rule(
        "CORE-TEAM-1",
        "On a desk with agents every change is made by an active agent of the desk, named on its "
        "event. Leads change settings, the team and anyone's assignments; an agent changes the "
        "cases assigned to them or to nobody, takes unassigned ones, and releases or hands off "
        "their own. The desk keeps at least one active lead.",
    ),
    Rule(
        "CORE-TEAM-2",
        "A case has one assignee or none; assigning, taking, releasing and handing off are events "
        "with the assignee before and after, to an active agent only, never on a closed case. A "
        "new case may be assigned by the desk's rule: a default assignee per vendor, or "
        "round-robin among the active agents (off by default).",
    ),
]
"""The desk's own rules for its team: RULES.md has no rule for who acts, so the core
declares these (docs/agents.md)."""

RECORD_RULES = [
    Rule(
        "CORE-CASE-1",
        "A case's state decides what may be done to it: an open, waiting-vendor, pending or "
        "resolved case takes notes, responses, evidence, escalations, a resolution and a close; only "
        "an open or resolved case is sent to the vendor; a vendor reply or pending needs an open or "
        "waiting-vendor case; a resolved or closed case is reopened, and a closed case takes nothing "
        "else but the customer's reply.",
    ),
    Rule(
        "CORE-CUST-1",
        "Each customer of the desk has a name of its own (ignoring case and spaces): the name is how "
        "agents, imports and vendors' records find it, so a customer added or renamed to a name "
        "another customer has is refused.",
    ),
]
"""The desk's own rules for the life of a case and the identity of a customer: RULES.md has
none, and a refusal names the rule that decided it, so the core declares these."""

SETTINGS = [
    Setting("desk.timezone", "Asia/Tokyo", "The desk's time zone: times are shown in it.", kind="timezone"),
    Setting(
        "desk.name",
        "",
        "The desk's name, shown in the title bar and signing the text it drafts to customers; "
        "empty until the desk names itself (the demo calls itself Demo desk).",
    ),
    Setting(
        "desk.saved_views",
        [],
        "The queue's own views, NAME=FILTER each (e.g. Zoho waiting=vendor:zoho state:waiting), "
        "comma-separated: shown after the built-in views; V on the queue saves its filter as one.",
        kind="list",
    ),
    Setting(
        "core.pending_close_hours",
        0,
        "The desk's own policy: close its case after this many hours (wall clock) waiting on the "
        "customer with no reply, drafting two reminders first; 0 (the default) never closes.",
        kind="number",
        rule="CORE-SLA-3",
    ),
    Setting(
        "core.pending_first_reminder_hours",
        24,
        "With core.pending_close_hours set: hours waiting on the customer before the first reminder.",
        kind="number",
        rule="CORE-SLA-3",
    ),
    Setting(
        "core.pending_second_reminder_hours",
        48,
        "With core.pending_close_hours set: hours waiting on the customer before the second reminder.",
        kind="number",
        rule="CORE-SLA-3",
    ),
    Setting(
        "desk.locale",
        "auto",
        "The language of relative times ('in 3 hours' / '3時間後'): en, ja, or auto (ja for the "
        "time zone Asia/Tokyo, else en).",
        kind="choice",
        choices=["auto", "en", "ja"],
    ),
    Setting(
        "core.at_risk_share",
        0.25,
        "A deadline is at risk when less than this share of its window is left.",
        kind="number",
        rule="CORE-SLA-2",
        maximum=1,
    ),
    Setting(
        "core.calendar_alarm_minutes",
        1440,
        "workbench calendar: each event's reminder alarm, this many minutes before it; 0 for none.",
        kind="number",
        rule="CORE-SLA-2",
    ),
    Setting(
        "core.stall_days",
        30,
        "Days without vendor progress after which the technical track counts as stalled.",
        kind="number",
        rule="CORE-ESC-2",
        minimum=1,
    ),
    Setting(
        "core.first_response_hours",
        4,
        "The desk's first response to its customer, in business hours on the desk calendar.",
        kind="number",
        rule="CORE-SLA-3",
        minimum=1,
    ),
    Setting(
        "core.update_days",
        2,
        "The desk updates its customer at least every this many business days.",
        kind="number",
        rule="CORE-SLA-3",
        minimum=1,
    ),
    Setting(
        "core.desk_hours",
        "09:00-18:00",
        "The desk calendar's working hours (HH:MM-HH:MM).",
        rule="CORE-SLA-3",
    ),
    Setting(
        "core.desk_holidays",
        "JP",
        "Public holidays off on the desk calendar (a country code of the holidays package; empty for none).",
        rule="CORE-SLA-3",
    ),
    Setting(
        "core.closed_dates",
        [],
        "Extra dates the desk is closed (YYYY-MM-DD, comma-separated).",
        kind="list",
        rule="CORE-SLA-3",
    ),
    Setting(
        "core.assign_new_cases",
        "off",
        "Who a new case is assigned to: off (nobody), vendor (core.vendor_assignees), "
        "or round-robin among the active agents.",
        kind="choice",
        choices=["off", "vendor", "round-robin"],
        rule="CORE-TEAM-2",
    ),
    Setting(
        "core.vendor_assignees",
        [],
        "The default assignee of each vendor's new cases (VENDOR=HANDLE, comma-separated), "
        "used when core.assign_new_cases is vendor.",
        kind="list",
        rule="CORE-TEAM-2",
    ),
    Setting(
        "desk.sweep_minutes",
        1,
        "Minutes between the scheduled sweeps of the time-driven rules (reminders, breaches, "
        "renewals, automatic closes) that an open terminal desk and `workbench run` make by "
        "themselves; 0 for none (read when they start).",
        kind="number",
        rule="CORE-SLA-2",
        minimum=0,
    ),
    Setting(
        "desk.webhook_url",
        "",
        "Where `workbench run` posts a JSON notification (a chat tool's incoming webhook) when a "
        "case assigned to an agent becomes at risk or breached, once each; empty for none.",
        rule="CORE-SLA-2",
    ),
    Setting(
        "mail.smtp_host",
        "",
        "The SMTP server the desk sends its e-mail through (host name or address); empty: no "
        "SMTP, and `case send --mail` writes an .eml file for your mail program instead. "
        "Credentials come from WORKBENCH_SMTP_USER / WORKBENCH_SMTP_PASSWORD, a netrc entry for "
        "the host or the system keyring, never from the desk.",
    ),
    Setting(
        "mail.smtp_port",
        587,
        "The SMTP server's port: 587 for starttls, 465 for tls.",
        kind="number",
        minimum=1,
        maximum=65535,
    ),
    Setting(
        "mail.smtp_security",
        "starttls",
        "How the connection to the SMTP server is protected: starttls (upgrade on the submission "
        "port), tls (implicit TLS from the first byte), or none (only for a server on this "
        "machine: 127.0.0.1, ::1 or localhost).",
        kind="choice",
        choices=["starttls", "tls", "none"],
    ),
    Setting(
        "mail.from",
        "",
        "The desk's own address its e-mail goes from (responses to customers, vendor requests "
        "whose program names no sender of its own, notifications to agents).",
        kind="email",
    ),
    Setting(
        "mail.notify",
        "immediate",
        "Notifications by e-mail to the agent concerned (and to the leads, CORE-TEAM-1), sent by "
        "`workbench run` through mail.smtp_host: immediate (one message per event), hourly (one "
        "digest per agent at most once an hour) or off.",
        kind="choice",
        choices=["immediate", "hourly", "off"],
        rule="CORE-SLA-2",
    ),
    Setting(
        "mail.imap_host",
        "",
        "The IMAP server `workbench mail poll` and `workbench run` read the desk's mail from "
        "(its user and password come from WORKBENCH_IMAP_USER / WORKBENCH_IMAP_PASSWORD or "
        "~/.netrc, never from the desk); empty for none.",
    ),
    Setting(
        "mail.imap_port",
        0,
        "The IMAP server's port; 0 for the usual one (993 with tls, 143 with starttls).",
        kind="number",
        maximum=65535,
    ),
    Setting(
        "mail.imap_security",
        "tls",
        "How the IMAP connection is encrypted: tls (IMAPS, from the first byte) or starttls; "
        "the server's certificate is always checked.",
        kind="choice",
        choices=["tls", "starttls"],
    ),
    Setting(
        "mail.imap_folder",
        "INBOX",
        "The IMAP folder the desk's mail arrives in.",
    ),
    Setting(
        "mail.maildir",
        "",
        "A local Maildir the desk's mail is delivered to (read beside IMAP); empty for none.",
    ),
    Setting(
        "mail.attachment_max_kb",
        10240,
        "The largest attachment kept beside the desk, in KiB; a larger one is listed, not kept.",
        kind="number",
    ),
    Setting(
        "core.plugin_time_limit",
        5,
        "Seconds a plugin's hook may take: past it its answer is left out and that hook is "
        "not asked again until the desk is reopened.",
        kind="number",
        minimum=0.1,
    ),
]


@hookimpl
def workbench_vendor() -> VendorProgram:
    return VendorProgram(
        id="core",
        name="Core rules (all vendors)",
        version="0.1.0",
        rules=RULES + TEAM_RULES + RECORD_RULES,
        settings=SETTINGS,
        description="Paths, the desk's own commitment, and commercial escalation for every vendor.",
    )


# -- the nature of a case (CORE-PATH-3) -------------------------------------------------------

NATURES = {
    "problem": "something broke, an error, a wrong result: subscription support",
    "how-to": "how to use the product",
    "tuning": "performance tuning or environment-specific optimisation: consulting",
}

NATURE = Field(
    "nature",
    "Nature of the question",
    "choice",
    required=True,
    choices=list(NATURES),
    default="problem",
    rule="CORE-PATH-3",
    help="; ".join(f"{k}: {v}" for k, v in NATURES.items())
    + ". A tuning case goes to consulting where the customer holds an active consulting contract "
    "with the vendor.",
)
"""The question intake asks of every case, whatever the vendor (CORE-PATH-3)."""


def consulting_contracts(case: Case, desk) -> list[Contract]:
    """The customer's active consulting contracts with the case's vendor (CORE-PATH-3)."""
    consulting = set(desk.programs()[case.vendor].consulting_products)
    return [c for c in desk.active_contracts(case.customer_id, case.vendor) if c.product in consulting]


def consulting_route(case: Case, desk) -> Route | None:
    """CORE-PATH-3: a tuning case goes to path ``consulting`` when the customer holds an active
    consulting contract with the vendor; otherwise the vendor's own route decides (``None``)."""
    if case.fields.get("nature") != "tuning":
        return None
    held = consulting_contracts(case, desk)
    if not held:
        return None
    names = ", ".join(f"{c.id} {c.product}" for c in held)
    return Route(
        "consulting",
        "consulting",
        "CORE-PATH-3",
        f"performance tuning / environment-specific optimisation goes to consulting, and the customer "
        f"holds an active consulting contract with {case.vendor} ({names})",
    )


def tuning_findings(case: Case, desk) -> list[Finding]:
    """CORE-PATH-3: a tuning case without a consulting contract stays on subscription support;
    the desk is told to offer consulting (CORE-PATH-2 allows it only with support)."""
    if case.fields.get("nature") != "tuning" or consulting_contracts(case, desk):
        return []
    program = desk.programs()[case.vendor]
    if not program.consulting_products:
        offer = f"{program.name} sells no consulting the desk can offer"
    elif desk.has_support(case.customer_id, case.vendor):
        offer = f"offer consulting ({', '.join(program.consulting_products)})"
    else:
        offer = (
            "consulting needs an active subscription with support first (CORE-PATH-2), which the "
            "customer does not hold"
        )
    return [
        Finding(
            "info",
            "CORE-PATH-3",
            "a tuning question is consulting work and the customer holds no active consulting "
            f"contract with {case.vendor}: it stays on its support path; {offer}",
            "nature",
        )
    ]


@hookimpl(trylast=True)
def workbench_route_case(case: Case, desk) -> Route:
    if desk.has_support(case.customer_id, case.vendor):
        return Route(
            "subscription-support",
            "desk",
            "CORE-PATH-3",
            "the customer holds an active support subscription: a problem-time question "
            "goes to subscription support",
        )
    return Route(
        "self-service",
        "desk",
        "CORE-PATH-1",
        "no support subscription is active: the desk answers from the vendor's docs",
    )


@hookimpl
def workbench_validate_case(case: Case, desk) -> list[Finding]:
    if case.path == "consulting" and not desk.has_support(case.customer_id, case.vendor):
        return [
            Finding(
                "error",
                "CORE-PATH-2",
                "consulting needs an active subscription with support; this customer has "
                f"none for {case.vendor}",
            )
        ]
    return tuning_findings(case, desk)


@hookimpl
def workbench_check_contract(contract: Contract, desk) -> list[Finding]:
    program = desk.programs().get(contract.vendor)
    if program is None or contract.product not in program.consulting_products:
        return []
    if desk.has_support(contract.customer_id, contract.vendor, on=contract.start):
        return []
    return [
        Finding(
            "error",
            "CORE-PATH-2",
            f"{contract.product} is consulting, which needs an active subscription with "
            f"support on {contract.start}; the customer has none for {program.name}",
            "product",
        )
    ]


@hookimpl
def workbench_commitments(case: Case, desk) -> list[Commitment]:
    """The desk's own two clocks (CORE-SLA-3) on every case."""
    calendar = desk.desk_calendar()
    first = int(float(desk.setting("core.first_response_hours")) * 60)
    commitments = [
        Commitment(
            name="desk first response",
            start=case.opened_at,
            minutes=first,
            calendar=calendar.to_dict(),
            rule="CORE-SLA-3",
            clock="desk",
            reason=f"the desk answers its customer within {first // 60} business hours; a response "
            "or a resolution sent to the customer meets it",
            met_by=["respond", "resolve:to-customer"],
        )
    ]
    events = desk.events("cases", case.id)
    restarts = [e.at for e in events if e.action in ("respond", "reopen")]
    if any(e.action == "respond" for e in events):
        days = int(desk.setting("core.update_days"))
        commitments.append(
            Commitment(
                name="desk update",
                start=restarts[-1],
                minutes=0,
                business_days=days,
                calendar=calendar.to_dict(),
                rule="CORE-SLA-3",
                clock="desk",
                reason=f"the desk updates its customer at least every {days} business days",
                earlier_windows=update_windows(restarts, [e.at for e in events if e.action == "resolve"]),
            )
        )
    if case.state in ("resolved", "closed"):
        resolved = [e.at for e in events if e.action == "resolve"]
        stop = resolved[-1] if resolved and case.state == "resolved" else case.closed_at
        for commitment in commitments:
            commitment.stops_at = stop
            commitment.reason += "; stopped when the case was " + case.state
    return commitments


def update_windows(restarts: list[datetime], resolved: list[datetime]) -> list[tuple[datetime, datetime]]:
    """The update clock's windows before the running one (CORE-SLA-3): each from a response
    or reopen until the next, or until the case was resolved in between (its desk clocks
    stop; a reopen starts the clock again)."""
    windows = []
    for start, following in pairwise(restarts):
        stops = [at for at in resolved if start <= at <= following]
        windows.append((start, min(stops, default=following)))
    return windows


COMMERCIAL_TRACK = [
    Rung(
        1, "account manager", "commercial", "a stalled technical track and technical evidence", "CORE-ESC-2"
    ),
    Rung(
        2, "sales executive", "commercial", "a stalled technical track and technical evidence", "CORE-ESC-2"
    ),
]
"""The core's commercial track (CORE-ESC-2): the desk adds it to a vendor ladder that has none."""


def with_commercial_track(ladder: Ladder) -> Ladder:
    """``ladder`` with the core's commercial track (CORE-ESC-2) when it brings none of its own."""
    if any(rung.track == "commercial" for rung in ladder.rungs):
        return ladder
    return Ladder(ladder.rungs + COMMERCIAL_TRACK, ladder.rule, ladder.reason)


@hookimpl(trylast=True)
def workbench_escalation_ladder(case: Case, desk) -> Ladder:
    return Ladder(
        rungs=[
            Rung(1, "vendor support", "technical", "the vendor's condition", "CORE-ESC-1"),
            *COMMERCIAL_TRACK,
        ],
        rule="CORE-ESC-1",
        reason="the vendor publishes no ladder of its own",
    )


@hookimpl(trylast=True)
def workbench_check_escalation(case: Case, track: str, level: int, desk, now: datetime) -> Decision:
    if track == "technical":
        return Decision(True, "CORE-ESC-1", "the vendor sets no condition for this level")
    return commercial_decision(case, desk, now)


def commercial_decision(case: Case, desk, now: datetime) -> Decision:
    """CORE-ESC-2: a stalled technical track with technical evidence attached."""
    if not case.evidence:
        return Decision(
            False,
            "CORE-ESC-2",
            "the sales side acts fast only on a technically grounded case: attach a "
            "reproduction, a patch or a log first",
            missing=["technical evidence"],
        )
    if case.sent_at is None:
        return Decision(
            False, "CORE-ESC-2", "the technical track has not started: the case was never sent to the vendor"
        )
    progress = [e.at for e in desk.events("cases", case.id) if e.action == "vendor-reply"]
    last = max([case.sent_at, *progress])
    days = int(desk.setting("core.stall_days"))
    stalled_from = last + timedelta(days=days)
    if now < stalled_from:
        return Decision(
            False,
            "CORE-ESC-2",
            f"the technical track is not stalled: the vendor last moved on "
            f"{last.date().isoformat()}, and it counts as stalled after {days} days",
            earliest=stalled_from,
        )
    return Decision(
        True,
        "CORE-ESC-2",
        f"no vendor progress for {(now - last).days} days on a case with technical evidence",
    )


@hookimpl(trylast=True)
def workbench_close_reasons(case: Case, desk) -> list[CloseReason]:
    return [
        CloseReason("resolved", "resolved on the case's path", "CORE-PATH-1"),
        CloseReason("answered-from-docs", "answered from the vendor's documentation", "CORE-PATH-1"),
        CloseReason("platform", "the cause lies outside the vendor product", "CORE-PATH-1"),
        CloseReason("withdrawn", "the customer withdrew the question", "CORE-PATH-1"),
        NO_REPLY,
    ]


# -- the desk's own policy on waiting for its customer ---------------------------------------

NO_REPLY = CloseReason(
    "no-reply",
    "closed by the desk's own policy: no reply from the customer within the set hours "
    "(setting core.pending_close_hours)",
    "CORE-SLA-3",
    manual=False,
)
"""The reason the desk's policy closes with when the vendor names no automatic close reason
of its own (:func:`workbench.desk.sweep.automatic_close_reason`)."""


REMINDER_SETTINGS = ("core.pending_first_reminder_hours", "core.pending_second_reminder_hours")


def pending_since(case: Case) -> datetime | None:
    """When the case went pending on its customer, while it still is."""
    if case.state != "pending" or not case.pauses or case.pauses[-1].get("end"):
        return None
    return datetime.fromisoformat(case.pauses[-1]["start"])


@hookimpl
def workbench_demo(desk) -> list[str]:
    """The demo desk names itself (a new desk has no name until the desk gives it one)."""
    if desk.setting("desk.name"):
        return []
    desk.set_setting("desk.name", "Demo desk")
    return ["core: the desk is called Demo desk (setting desk.name)"]


@hookimpl
def workbench_sweep(case: Case, desk, now: datetime) -> list[Action]:
    """The desk's own policy (off by default, CORE-SLA-3 settings): after
    ``core.pending_close_hours`` of waiting on the customer (wall clock), close the desk's
    case; before that, draft two reminders to the customer. A late sweep does only the latest
    stage due: the close without stale reminders, or the second reminder without the first."""
    close_hours = float(desk.setting("core.pending_close_hours"))
    since = pending_since(case)
    if not close_hours or since is None:
        return []
    key = f"desk-pending:{case.pauses[-1]['start']}"
    closes_at = since + timedelta(hours=close_hours)
    waited = now - since
    policy = f"the desk's policy (setting core.pending_close_hours: {close_hours:g} h)"
    if waited >= timedelta(hours=close_hours):
        return [
            Action(
                "close",
                f"{key}:close",
                "CORE-SLA-3",
                f"waiting on the customer since {_shown(desk, since)} with no reply for "
                f"{close_hours:g} hours: closed by {policy}",
                {"pending_since": since.isoformat(), "due": closes_at.isoformat()},
            )
        ]
    due = [
        number
        for number, setting in enumerate(
            ("core.pending_first_reminder_hours", "core.pending_second_reminder_hours"), 1
        )
        if waited >= timedelta(hours=float(desk.setting(setting)))
    ]
    if not due:
        return []
    number = due[-1]
    customer = desk.customer(case.customer_id)
    return [
        Action(
            "reminder",
            f"{key}:reminder-{number}",
            "CORE-SLA-3",
            f"reminder {number} of 2 to the customer: no reply since {_shown(desk, since)}; "
            f"{policy} closes the case {_shown(desk, closes_at)}",
            {
                "to": customer.email,
                "reminder": number,
                "pending_since": since.isoformat(),
                "closes_at": closes_at.isoformat(),
                "email": reminder_email(case, customer.name, customer.email, desk, number, since, closes_at),
            },
        )
    ]


def reminder_email(
    case: Case, customer: str, to: str, desk, number: int, since: datetime, closes_at: datetime
) -> str:
    """The desk's reminder to its customer, ready to copy: Japanese first, then English."""
    last = number == 2
    subject_ja = "最終のご確認" if last else "ご返信のお願い"
    subject_en = "last reminder" if last else "reminder"
    return "\n".join(
        [
            f"To: {to}",
            f"Subject: [{case.id}] {subject_ja} / {subject_en}: {case.subject}",
            "",
            f"{customer} ご担当者様",
            "",
            f"お問い合わせ「{case.subject}」({case.id}) について、{_shown(desk, since)} より"
            "お客様からのご返信をお待ちしております。",
            f"{_shown(desk, closes_at)} までにご返信がない場合、本件はクローズさせていただきます。",
            "このメールにご返信いただければ、引き続き対応いたします。",
            "",
            f"Dear {customer},",
            "",
            f'We have been waiting for your reply on "{case.subject}" ({case.id}) '
            f"since {_shown(desk, since)}.",
            f"Without a reply by {_shown(desk, closes_at)}, we close the case.",
            "Reply to this e-mail and we carry on.",
            *(["", str(desk.setting("desk.name"))] if desk.setting("desk.name") else []),
        ]
    )


def _shown(desk, at: datetime) -> str:
    """An instant as the desk reads it, e.g. "Wed 2026-11-25 10:00 JST"."""
    return at.astimezone(desk.timezone()).strftime("%a %Y-%m-%d %H:%M %Z")


# -- e-mail to the customer (issue #21) ----------------------------------------------------

CUSTOMER_MAIL = {
    "response": ("CORE-SLA-3", "a response to the customer meets the desk's first response and update"),
    "resolve": (
        "CORE-SLA-3",
        "the resolution sent to the customer is a response and stops the desk's clocks",
    ),
}


@hookimpl(trylast=True)
def workbench_compose_mail(case: Case, purpose: str, text: str, desk) -> MailDraft | Decision | None:
    """A response or a resolution to the customer's contact, for every vendor: the customer's
    e-mail, else the address the case's form recorded (Zoho's ``customer_email``)."""
    if purpose not in CUSTOMER_MAIL:
        return None
    rule, reason = CUSTOMER_MAIL[purpose]
    customer = desk.customer(case.customer_id)
    contact = customer.email or str(case.fields.get("customer_email") or "")
    if not contact:
        return Decision(
            False,
            rule,
            f"customer {customer.id} ({customer.name}) has no e-mail address to send the message to",
            missing=[f"the customer's e-mail (workbench customer edit {customer.id} --email ADDRESS)"],
        )
    heading = "Resolution" if purpose == "resolve" else "Re"
    signature = str(desk.setting("desk.name") or "")
    body = "\n".join([f"{customer.name} ご担当者様 / Dear {customer.name},", "", text.strip()])
    if signature:
        body += f"\n\n{signature}"
    return MailDraft(
        [contact], f"{heading}: {case.subject}", body + "\n", rule, f"to the customer's contact: {reason}"
    )
