"""How the desk's facts read for people: one wording for the command line and the terminal desk.

A :class:`Renderer` writes a case, its deadlines, its escalation tracks, a decision, a finding, a
workflow and a time in the desk's zone as plain text (the command line prints it as is). The
terminal desk uses a subclass (``workbench.tui.format.MarkupRenderer``) that overrides only the
style hooks (``strong``, ``muted``, ``accent``, ``tone`` …) to draw the same words in colour.

Everything that comes from the desk's records (subjects, names, reasons, answers, notes) goes
through :func:`shown` (:meth:`Renderer.data`), the one place where such text enters what is
shown; the queue's cells use it too.

Nothing here decides anything and nothing here imports the desk: it turns what the desk
answered into words.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from workbench.model import Attachment, Case, Deadline, Decision, Event, Field, Finding, Mail, Route, Step

if TYPE_CHECKING:
    from workbench.desk import CasePreview, CaseView, EscalationOption, SweepReport, WorkflowView

CASE_SECTIONS = {
    "route": "Route and why",
    "escalation": "Escalation",
    "ball": "Who holds the ball",
    "deadlines": "Deadlines",
    "findings": "Findings",
    "answers": "Form answers",
    "customer": "Customer",
}
"""The parts of a case, each with its title (a box on the case screen, a heading in ``case show``)."""

TONE_OF_STATE = {
    "ok": "ok",
    "at-risk": "at-risk",
    "breached": "breached",
    "met": "dim",
    "met-late": "at-risk",
    "paused": "dim",
    "stopped": "dim",
    "done": "dim",
}
"""The tone a deadline or workflow state is drawn in."""

TONE_OF_LEVEL = {"error": "breached", "warning": "at-risk", "info": "info"}
MARK_OF_LEVEL = {"error": "✗", "warning": "!", "info": "i"}


_CONTROLS = {
    code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if chr(code) not in "\n\t"
}
"""Every C0 control but line feed and tab, DEL, and every C1 control (CSI 0x9b, OSC 0x9d …),
each to its visible escape: ESC becomes ``\x1b``."""


_CONTROL = re.compile("[" + "".join(re.escape(chr(code)) for code in _CONTROLS) + "]")
"""Any one of :data:`_CONTROLS`: text without one is shown as it is (``str.translate`` walks
every character, 12 ms of the 2,000 lines of ``case list``; the search finds none in 0.3)."""


def visible(text: str) -> str:
    """``text`` with every control character a terminal would act on (ESC, and so CSI and OSC
    sequences, BEL, the C1 controls) written as a visible escape (``\x1b``): data from the
    desk can never set a terminal's title or clear its screen. Line feeds and tabs stay."""
    return text if _CONTROL.search(text) is None else text.translate(_CONTROLS)


def shown(value: Any) -> str:
    """Text from the desk's records (a subject, a name, a note) as it may be shown: the one
    place where such text enters what people read (:meth:`Renderer.data`, table cells), its
    control characters made visible (:func:`visible`)."""
    return visible(str(value))


def local(instant: datetime | None, tz: tzinfo, *, seconds: bool = False, zone: bool = False) -> str:
    """An instant in the zone ``tz``: ``2026-11-24 10:00`` (``2026-11-24 10:00 JST`` with
    ``zone``), ``-`` for none."""
    if instant is None:
        return "-"
    try:
        shown = instant.astimezone(tz)
    except OverflowError:  # the local date would be past 9999-12-31 (or before year 1)
        shown = instant.astimezone(UTC)
    # strftime's "%Y-%m-%d %H:%M" as glibc writes it (the year unpadded), in a third of the
    # time: a list of 2,000 cases writes 2,000 of them.
    text = f"{shown.year}-{shown.month:02d}-{shown.day:02d} {shown.hour:02d}:{shown.minute:02d}"
    if seconds:
        text += f":{shown.second:02d}"
    return f"{text} {shown.tzname()}" if zone else text


def day(value: date | None) -> str:
    """A date, ``-`` for none."""
    return value.isoformat() if value else "-"


def duration(minutes: int) -> str:
    """``3d 04h``, ``2h 05m`` or ``7m``."""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def relative(instant: datetime | None, now: datetime, locale: str) -> str:
    """``in 3 hours`` / ``3時間後``, ``2 days ago`` / ``2日前``: ``instant`` as seen at ``now``, in
    the language ``locale``; ``paused`` for a clock with no due time. The words and the
    steps are Arrow's ``humanize`` (1.4), worked out here: importing Arrow was 15 ms of every
    command that shows a time (a test holds the two equal)."""
    if instant is None:
        return "paused"
    words = RELATIVE_WORDS.get(locale, RELATIVE_WORDS["en"])
    zone = instant.tzinfo or UTC
    at, seen = instant.replace(tzinfo=zone), now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    delta = int(round((at - seen).total_seconds()))
    sign, diff = (-1 if delta < 0 else 1), abs(delta)
    if diff < 10:
        return words["now"]
    if diff < 60:
        return _described(words, "seconds", sign * diff)
    if diff < 120:
        return _described(words, "minute", sign)
    if diff < 3_600:
        return _described(words, "minutes", sign * max(diff // 60, 2))
    if diff < 7_200:
        return _described(words, "hour", sign)
    if diff < DAY:
        return _described(words, "hours", sign * max(diff // 3_600, 2))
    if diff < 2 * DAY:
        return _described(words, "day", sign)
    if diff < WEEK:
        return _described(words, "days", sign * max(diff // DAY, 2))
    months = _calendar_months(*sorted((at, seen)))
    if months >= 1 and diff < YEAR:
        return _described(words, "month", sign) if months == 1 else _described(words, "months", sign * months)
    if diff < 2 * WEEK:
        return _described(words, "week", sign)
    if diff < MONTH:
        return _described(words, "weeks", sign * max(diff // WEEK, 2))
    if diff < 2 * YEAR:
        return _described(words, "year", sign)
    return _described(words, "years", sign * max(diff // YEAR, 2))


DAY, WEEK, MONTH, YEAR = 86_400, 604_800, 2_635_200, 31_536_000
"""Arrow's seconds per day, week, month (30.5 days) and year (365 days)."""

RELATIVE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "now": "just now",
        "past": "{0} ago",
        "future": "in {0}",
        "seconds": "{0} seconds",
        "minute": "a minute",
        "minutes": "{0} minutes",
        "hour": "an hour",
        "hours": "{0} hours",
        "day": "a day",
        "days": "{0} days",
        "week": "a week",
        "weeks": "{0} weeks",
        "month": "a month",
        "months": "{0} months",
        "year": "a year",
        "years": "{0} years",
    },
    "ja": {
        "now": "現在",
        "past": "{0}前",
        "future": "{0}後",
        "seconds": "{0}秒",
        "minute": "1分",
        "minutes": "{0}分",
        "hour": "1時間",
        "hours": "{0}時間",
        "day": "1日",
        "days": "{0}日",
        "week": "1週間",
        "weeks": "{0}週間",
        "month": "1ヶ月",
        "months": "{0}ヶ月",
        "year": "1年",
        "years": "{0}年",
    },
}
"""Arrow's words for a time relative to now, in the desk's two languages (``desk.locale``)."""


def _described(words: dict[str, str], timeframe: str, amount: int) -> str:
    text = words[timeframe].format(abs(amount))
    return (words["past"] if amount < 0 else words["future"]).format(text)


def _calendar_months(earlier: datetime, later: datetime) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (a remainder of more than 14 days
    counting as one more), at most 12: dateutil's ``relativedelta(later, earlier)`` as Arrow
    reads it."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    shifted = _months_after(earlier, months)
    while later < shifted:
        months -= 1
        shifted = _months_after(earlier, months)
    if (later - shifted).days > 14:
        months += 1
    return min(months, 12)


def _months_after(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months, its day kept where the month has it."""
    import calendar

    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    return moment.replace(
        year=year, month=month + 1, day=min(moment.day, calendar.monthrange(year, month + 1)[1])
    )


def escalation_levels(case: Case) -> str:
    """``T2 C1`` for the current levels on both tracks, ``-`` before any escalation."""
    technical, commercial = case.level("technical"), case.level("commercial")
    parts = ([f"T{technical}"] if technical else []) + ([f"C{commercial}"] if commercial else [])
    return " ".join(parts) or "-"


def requirement(required: bool, when: dict[str, Any]) -> str:
    """``required`` / ``optional``, and the answers it depends on (``when reproducible=yes``)."""
    need = "required" if required else "optional"
    if not when:
        return need
    return f"{need} when {', '.join(f'{name}={_wanted(value)}' for name, value in when.items())}"


def _wanted(value: Any) -> str:
    """What a ``when`` waits for in words: one answer, or any of several ("P1 or P2")."""
    return " or ".join(answer(v) for v in value) if isinstance(value, list) else answer(value)


def answer(value: Any) -> str:
    """A form answer in words: ``yes``/``no``, a list joined with commas."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class Renderer:
    """The desk's facts in words, times in the desk's zone ``tz``; with ``now``, each instant
    that is due or allowed is also said relative to it in the desk's language ``locale``
    (``2026-11-24 13:00 (in 3 hours)`` / ``(3時間後)``).

    ``zone`` adds the zone's abbreviation to every time (``2026-11-24 13:00 JST``): the command
    line's output is read away from the desk; the terminal desk's narrow columns leave it out.
    """

    zone = True

    def __init__(self, tz: tzinfo, now: datetime | None = None, locale: str = "en") -> None:
        self.tz = tz
        self.now = now
        self.locale = locale

    # -- style hooks (plain here; the terminal desk draws them in colour) --------------------

    def data(self, value: Any) -> str:
        """Text from the desk's records, as it may be shown (:func:`shown`)."""
        return shown(value)

    def strong(self, text: str) -> str:
        return text

    def title(self, text: str) -> str:
        return text

    def muted(self, text: str) -> str:
        return text

    def accent(self, text: str) -> str:
        return text

    def current(self, text: str) -> str:
        return text

    def tone(self, tone: str, text: str) -> str:
        """``text`` in a tone: ``ok``, ``at-risk``, ``breached``, ``dim``, ``info``."""
        return text

    def state(self, state: str) -> str:
        return self.tone(TONE_OF_STATE.get(state, ""), state)

    # -- values ------------------------------------------------------------------------------

    def time(self, instant: datetime | None, *, seconds: bool = False) -> str:
        """An instant in the desk's zone: ``2026-11-24 10:00`` (``-`` for none)."""
        return local(instant, self.tz, seconds=seconds, zone=self.zone)

    def ended(self, deadline: Deadline) -> str:
        """How a clock ended, after its state: ``at 2026-11-24 10:00`` when it was met,
        ``stopped 2026-11-24 10:00`` when it was stopped; empty while it runs."""
        if deadline.stopped_at is not None:
            return f"stopped {self.time(deadline.stopped_at)}"
        if deadline.met_at:
            return f"at {self.time(deadline.met_at)}"
        return ""

    def when(self, instant: datetime | None) -> str:
        """An instant in the desk's zone and relative to now: ``2026-11-24 13:00 (in 3 hours)``."""
        if instant is None or self.now is None:
            return self.time(instant)
        return f"{self.time(instant)} ({relative(instant, self.now, self.locale)})"

    # -- decisions and findings --------------------------------------------------------------

    def decision_text(self, decision: Decision) -> str:
        """A decision in words: the rule, the reason, what is missing and from when."""
        text = f"{decision.rule}: {self.data(decision.reason)}"
        if decision.missing:
            text += f" — missing: {', '.join(self.data(m) for m in decision.missing)}"
        if decision.earliest:
            text += f" — allowed from {self.when(decision.earliest)}"
        return text

    def decision(self, decision: Decision) -> str:
        verdict = self.tone("ok", "✓ allowed") if decision.allowed else self.tone("breached", "✗ refused")
        return f"{verdict} {self.decision_text(decision)}"

    def finding(self, finding: Finding) -> str:
        mark = MARK_OF_LEVEL.get(finding.level, "·")
        where = f"{self.data(finding.field)}: " if finding.field else ""
        head = self.tone(TONE_OF_LEVEL.get(finding.level, "dim"), f"{mark} {finding.level} {finding.rule}")
        return f"{head} {where}{self.data(finding.message)}"

    def findings(self, findings: list[Finding]) -> list[str]:
        if not findings:
            return [self.tone("ok", "✓ No findings.")]
        return [self.finding(f) for f in findings]

    # -- a case ------------------------------------------------------------------------------

    def case_head(self, view: CaseView) -> list[str]:
        case = view.case
        customer = view.customer.name if view.customer else case.customer_id
        parts = [
            self.strong(case.vendor),
            f"{self.data(customer)} ({case.customer_id})",
            f"state {self.strong(case.state)}",
            f"severity {self.strong(case.severity or '-')}",
            *([f"ball {self.strong(view.ball)}"] if case.is_open else []),
            f"assignee {self.strong(case.assignee or 'nobody')}",
        ]
        if case.close_reason:
            parts.append(f"closed: {self.data(case.close_reason)}")
        return [f"{self.strong(case.id)}  {self.title(self.data(case.subject))}", " · ".join(parts)]

    def route(self, route: Route | None, severity: str = "", missing: str = "Not routed.") -> list[str]:
        """Where a case goes and why (with its severity, where it is not shown beside)."""
        if route is None or not route.path:
            return [self.muted(missing)]
        shown = f" · severity {self.strong(severity)}" if severity else ""
        return [
            f"path {self.strong(route.path)} · queue {self.strong(route.queue)}{shown}",
            f"{self.accent(route.rule)} {self.data(route.reason)}",
        ]

    def preview(self, preview: CasePreview) -> dict[str, list[str]]:
        """A case not yet saved: whether it can be, its route, its first deadlines, its findings."""
        verdict = (
            self.tone("breached", "✗ errors block saving")
            if preview.blocked
            else f"{self.tone('ok', '✓ can be saved')} (warnings do not block)"
        )
        deadlines = [
            line
            for d in preview.deadlines
            for line in (
                f"{self.strong(self.data(d.name))} ({d.clock}) due {self.time(d.due)}",
                f"  {self.data(d.calendar)} · {self.accent(d.rule)}",
            )
        ]
        return {
            "findings": [verdict, *self.findings(preview.findings)],
            "route": self.route(preview.route, preview.case.severity, "No route until the errors are fixed."),
            "deadlines": deadlines or [self.muted("No deadline yet.")],
        }

    def ball(self, view: CaseView) -> list[str]:
        sides = " · ".join(
            (self.strong if side == view.ball else str)(f"{side} {duration(view.ball_minutes.get(side, 0))}")
            for side in ("desk", "vendor", "customer")
        )
        agents = " · ".join(
            f"{handle or 'unassigned'} {duration(minutes)}"
            for handle, minutes in view.desk_minutes_by_agent.items()
        )
        return [
            f"{self.strong(view.ball)} holds the ball (CORE-SLA-4)",
            sides,
            *([f"desk by agent: {agents}"] if agents else []),
            self.muted("business time on the desk calendar"),
        ]

    def deadline(self, deadline: Deadline) -> list[str]:
        d = deadline
        target = f" · target {self.time(d.target)}" if d.target else ""
        ended = f" {self.ended(d)}" if d.stopped_at is not None or d.met_at else ""
        clock = self.muted(f"({d.clock} clock)")
        return [
            f"{self.strong(self.data(d.name))} {clock} {self.state(d.state)}{ended}",
            f"  due {self.when(d.due)}{target} · {self.data(d.calendar)}",
            f"  {self.accent(d.rule)} {self.muted(self.data(d.reason))}",
        ]

    def deadlines(self, deadlines: list[Deadline]) -> list[str]:
        """The vendor's clock first, then the desk's."""
        if not deadlines:
            return [self.muted("No deadline runs on this case.")]
        return [
            line
            for clock in ("vendor", "desk")
            for d in deadlines
            if d.clock == clock
            for line in self.deadline(d)
        ]

    def escalation(self, view: CaseView) -> list[str]:
        case, ladder = view.case, view.ladder
        lines = [] if case.is_open else [self.muted("closed: reopen the case to escalate it")]
        lines += [line for option in view.options for line in self.track(option, ladder.rungs)]
        history = [
            f"  {self.time(e.at)} {e.track} L{e.level} {self.data(e.role)}"
            f"{' · owner ' + self.data(e.owner) if e.owner else ''} {self.accent(e.rule)}"
            for e in case.escalations
        ]
        if history:
            lines += [self.strong("History"), *history]
        reason = f": {self.data(ladder.reason)}" if ladder.reason else ""
        lines.append(self.muted(f"ladder {ladder.rule}{reason}"))
        return lines

    def track(self, option: EscalationOption, rungs: list) -> list[str]:
        """One escalation track: its ladder, where the case stands and whether it may climb."""
        steps = []
        for rung in sorted((r for r in rungs if r.track == option.track), key=lambda r: r.level):
            label = f"{rung.level} {self.data(rung.role)}"
            if rung.level == option.current:
                steps.append(self.current(f"● {label}"))
            elif rung.level < option.current:
                steps.append(self.muted(f"✓ {label}"))
            else:
                steps.append(f"○ {label}")
        current = f"level {option.current}" if option.current else "not escalated"
        lines = [f"{self.strong(option.track.capitalize())} — {current}", "  " + " → ".join(steps)]
        if option.rung is None:
            lines.append("  " + self.muted("top of the ladder"))
        else:
            needs = f" — needs {self.data(option.rung.needs)}" if option.rung.needs else ""
            lines.append(f"  next: level {option.rung.level} {self.data(option.rung.role)}{needs}")
            if option.decision is not None:
                lines.append("  " + self.decision(option.decision))
        return lines

    def answers(self, case: Case, fields: list[Field]) -> list[str]:
        """The case's form answers in the form's order (``*`` marks a required field), then
        its dates."""
        known = {f.name for f in fields}
        lines = []
        for definition in fields:
            value = case.fields.get(definition.name)
            shown = self.muted("—") if value in (None, "") else self.data(answer(value))
            mark = "*" if definition.required else " "
            lines.append(f"{mark}{self.strong(self.data(definition.label))}: {shown}")
        lines += [
            f" {self.strong(self.data(name))}: {self.data(answer(value))}"
            for name, value in case.fields.items()
            if name not in known
        ]
        return [
            *lines,
            "",
            f"opened {self.time(case.opened_at)} · sent to vendor {self.time(case.sent_at)}",
            f"updated {self.time(case.updated_at)} · closed {self.time(case.closed_at)}",
        ]

    def customer(self, view: CaseView) -> list[str]:
        """The case's customer, eligibility, evidence and the vendor's closure reasons."""
        customer = view.customer
        if customer is None:
            return [self.tone("breached", "The customer record is missing.")]
        lines = [
            f"{self.strong(self.data(customer.name))} ({customer.id})",
            f"e-mail {self.data(customer.email or '-')} · domain {self.data(customer.domain or '-')}",
            f"users {customer.users}",
        ]
        if customer.attributes:
            lines.append(
                " · ".join(f"{key} {self.data(str(value))}" for key, value in customer.attributes.items())
            )
        for e in view.eligibility:
            mark = self.tone("ok", "✓") if e.eligible else self.tone("breached", "✗")
            claim = "claimable" if e.claimable else "not claimable yet"
            lines += [
                f"{mark} {self.data(e.program)} ({e.vendor}) — "
                f"{'eligible' if e.eligible else 'not eligible'}, {claim}",
                f"  {self.accent(e.rule)} {self.data(e.reason)}",
            ]
        case = view.case
        if case.evidence:
            lines += ["", self.strong("Evidence")]
            lines += [
                f"• {self.data(e.get('kind', ''))}: {self.data(e.get('text', ''))}" for e in case.evidence
            ]
        if view.close_reasons:
            lines += ["", self.strong("Closure reasons")]
            lines += [f"• {r.code} — {self.data(r.text)} {self.accent(r.rule)}" for r in view.close_reasons]
        return lines

    def event_what(self, event: Event) -> str:
        """What an event did, on one line: its reason, its text, the change of state, and the
        milestone, track, level, owner, evidence kind or e-mail it names."""
        data = event.data or {}
        what = [self.data(event.reason)] if event.reason else []
        if data.get("text"):
            what.append(f"“{self.data(data['text'])}”")
        after, before = event.after or {}, event.before or {}
        if "state" in after and event.action != "open":
            what.append(f"state {before.get('state', '?')} → {after['state']}")
        what += [
            f"{key} {self.data(data[key])}"
            for key in ("milestone", "track", "level", "owner", "kind")
            if data.get(key) not in (None, "")
        ]
        if data.get("email"):
            what.append(f"e-mail to {self.data(data.get('to', ''))}")
        mail = data.get("mail")
        if isinstance(mail, dict) and mail.get("direction") == "in":
            what.append(f"mail {mail.get('id', '')} from {self.data(mail.get('from') or '?')}")
        elif isinstance(mail, dict):
            how = "written as .eml for the mail program" if mail.get("channel") == "eml" else "e-mailed"
            to = ", ".join(str(a) for a in mail.get("to", []))
            what.append(f"{how} to {self.data(to)} {self.data(str(mail.get('message_id', '')))}")
        return " · ".join(what).replace("\n", " ")

    def event(self, event: Event) -> list[str]:
        """An event of the history; an e-mail it sent follows, indented."""
        rule = f" {self.accent(event.rule)}" if event.rule else ""
        what = self.event_what(event)
        lines = [
            f"{self.time(event.at)} {event.actor}: {self.strong(event.action)}{rule}"
            + (f" — {what}" if what else "")
        ]
        if event.data.get("email"):
            lines += ["    " + line for line in self.data(event.data["email"]).splitlines()]
        mail = event.data.get("mail")
        for attachment in mail.get("attachments") or [] if isinstance(mail, dict) else []:
            lines.append("    " + self.attachment(Attachment.from_dict(attachment)))
        return lines

    # -- mail the desk took in ---------------------------------------------------------------

    def attachment(self, attachment: Attachment) -> str:
        """An attachment: its name, type and size, and where it is kept or why it is not."""
        size = f"{attachment.size / 1024:.0f} KiB" if attachment.size >= 1024 else f"{attachment.size} B"
        where = f"kept as {self.data(attachment.path)}" if attachment.path else self.data(attachment.reason)
        return (
            f"Attachment: {self.data(attachment.name)} ({self.data(attachment.content_type)}, {size}) {where}"
        )

    def mail_row(self, mail: Mail) -> str:
        """A message on one line: ID, when taken, sender, subject, where it is."""
        where = {"filed": f"on {mail.case}", "dismissed": "set aside"}.get(mail.state, "Inbox")
        return (
            f"{mail.id}  {self.time(mail.received_at)}  {self.data(mail.sender or '?')}  "
            f"{self.data(mail.subject or '(no subject)')}  {self.muted(where)}"
        ).replace("\n", " ")

    def mail(self, mail: Mail) -> list[str]:
        """A message in full: its headers, where it went and why, what was wrong with it, its
        attachments and its text."""
        where = {"filed": f"recorded on {mail.case}", "dismissed": "set aside"}.get(
            mail.state, "in the Inbox"
        )
        sender = (
            f"{self.data(mail.sender_name)} <{self.data(mail.sender)}>"
            if mail.sender_name
            else self.data(mail.sender)
        )
        lines = [
            f"{self.strong(mail.id)} {self.data(mail.subject or '(no subject)')}",
            f"From: {sender or '?'}",
            f"To: {self.data(', '.join(mail.to))}" if mail.to else "",
            f"Date: {self.data(mail.date_header) or '-'}"
            + (f" ({self.time(mail.date)})" if mail.date else ""),
            f"Message-ID: {self.data(mail.message_id)}",
            f"Taken {self.time(mail.received_at)} from {self.data(mail.source)}: {where}"
            + (f" {self.accent(mail.rule)}" if mail.rule else "")
            + (f" — {self.data(mail.reason)}" if mail.reason else ""),
        ]
        lines = [line for line in lines if line]
        lines += [self.tone("at-risk", f"! {self.data(problem)}") for problem in mail.problems]
        lines += [self.attachment(a) for a in mail.attachments]
        return [*lines, "", self.data(mail.text) if mail.text else self.muted("(no text)")]

    # -- a workflow --------------------------------------------------------------------------

    def step_mark(self, step: Step, next_id: str | None) -> tuple[str, str]:
        """A step's mark and its tone: done ✓, next ▶, later ○."""
        if step.done_at:
            return "✓", "ok"
        return ("▶", "at-risk") if step.id == next_id else ("○", "dim")

    def workflow_head(self, view: WorkflowView, customer: str) -> list[str]:
        w = view.workflow
        return [
            f"{self.strong(w.id)} {self.data(w.title)} · {w.vendor} · {self.data(customer)}"
            f"{' · ' + w.contract_id if w.contract_id else ''}"
            f"{' · anchor ' + day(w.anchor) if w.anchor else ''}",
            f"state {self.state(view.state)}",
        ]

    def next_step(self, view: WorkflowView, form_hint: str = "") -> list[str]:
        """The workflow's next step, the form it asks for and whether it may be done now."""
        step = view.next_step
        if step is None:
            return [self.tone("ok", "✓ every step is done")]
        lines = [f"next: {self.strong(self.data(step.title))} due {day(step.due)} ({self.accent(step.rule)})"]
        if step.form:
            lines.append(f"asks for the {self.strong(self.data(step.form))} form{form_hint}")
        if view.next_decision is not None:
            lines.append(self.decision(view.next_decision))
        return lines

    def step(self, step: Step, next_id: str | None) -> str:
        mark, tone = self.step_mark(step, next_id)
        form = f" · form {self.data(step.form)}" if step.form else ""
        done = f" · done {self.time(step.done_at)}" if step.done_at else ""
        return (
            f"{self.tone(tone, mark)} {step.id} {self.data(step.title)}{form} · due {day(step.due)}{done} "
            f"{self.accent(step.rule)}"
        )

    def workflow(self, view: WorkflowView, customer: str) -> list[str]:
        """A workflow as the command line prints it: head, next step, steps, findings."""
        next_id = view.next_step.id if view.next_step else None
        return [
            *self.workflow_head(view, customer),
            *self.next_step(view),
            *["  " + self.step(s, next_id) for s in view.workflow.steps],
            *(["  " + f for f in self.findings(view.findings)] if view.findings else []),
        ]

    # -- the sweep ---------------------------------------------------------------------------

    def sweep(self, report: SweepReport) -> list[str]:
        """What one sweep changed (a workflow it opened is one of its actions), each with its rule."""
        on_cases = [b for b in report.breaches if "case" in b]
        on_workflows = [b for b in report.breaches if "workflow" in b]
        cases = len({b["case"] for b in on_cases})
        lines = [
            f"{self.strong(f'{report.checked:,}')} open cases checked at {self.time(report.at)} · "
            f"{len(on_cases)} deadlines breached on {cases} cases"
            + (f" · {len(on_workflows)} workflow steps breached." if on_workflows else ".")
        ]
        for action in report.applied:
            target = action.get("case") or action.get("workflow")
            kind, reason = self.strong(action["kind"]), self.data(action["reason"])
            lines.append(f"• {target} {kind} {action['rule']}: {reason}")
        lines += [
            self.tone("breached", f"• {b['case']} {self.data(b['deadline'])} breached")
            + f" ({b['rule']}, due {self.time(datetime.fromisoformat(b['due']))})"
            for b in on_cases
        ]
        lines += [
            self.tone("breached", f"• {b['workflow']} step {b['step']} breached")
            + f" ({b['rule']}, due {b['due']})"
            for b in on_workflows
        ]
        if not report.applied and not report.breaches:
            lines.append("Nothing to do.")
        return lines
