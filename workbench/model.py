"""Plain data of the desk: what the core stores and what plugins answer with.

Every type turns losslessly into a JSON-able dict (``to_dict``) and back (``from_dict``):
instants become ISO-8601 UTC strings, dates ISO dates. Nothing here knows a vendor.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal, Self

# ----------------------------------------------------------------------------------------
# Serialisation: one small converter driven by the dataclass field types
# ----------------------------------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


Load = typing.Callable[[Any], Any]


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _loader(kind: Any) -> Load | None:
    """How a stored value of field type ``kind`` is read back (never called with ``None``,
    which stays ``None``); ``None``: the value is taken as it is. Lists and dicts are always
    copied, so a record never shares them with the store's dict it was read from."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _loader(options[0]) if len(options) == 1 else None
    if origin is list:
        item = _loader(typing.get_args(kind)[0])
        if item is None:
            return list
        return lambda value: [None if v is None else item(v) for v in value]
    if origin is dict:
        value_item = _loader(typing.get_args(kind)[1])
        if value_item is None:
            return dict
        return lambda value: {k: None if v is None else value_item(v) for k, v in value.items()}
    if kind is datetime:
        return _instant
    if kind is date:
        return date.fromisoformat
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return kind.from_dict
    return None


def _load(kind: Any, value: Any) -> Any:
    """A stored value of field type ``kind``, read back."""
    load = _loader(kind)
    return value if value is None or load is None else load(value)


@functools.cache
def _loaders(cls: type) -> tuple[frozenset[str], dict[str, Load]]:
    """The names of the fields, and the loader of each field whose stored value is read
    back by one, worked out once per type (asking ``typing`` for every field of every
    record made reading 2,000 cases three times slower)."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    loaders = {f.name: load for f in fields if (load := _loader(hints[f.name])) is not None}
    return frozenset(f.name for f in fields), loaders


def work_out_loaders() -> None:
    """Each record type's field loaders, worked out now rather than by the first record
    read back: a desk server does it once for all the commands it forks."""
    kinds = Record.__subclasses__()
    while kinds:
        kind = kinds.pop()
        kinds += kind.__subclasses__()
        if dataclasses.is_dataclass(kind):
            _loaders(kind)


class Record:
    """Mixin: lossless conversion to and from JSON-able dicts."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names, loaders = _loaders(cls)
        values = dict(data) if data.keys() <= names else {k: v for k, v in data.items() if k in names}
        for name, load in loaders.items():
            value = values.get(name)
            if value is not None:
                values[name] = load(value)
        return cls(**values)


# ----------------------------------------------------------------------------------------
# What plugins declare
# ----------------------------------------------------------------------------------------

FieldKind = Literal[
    "text", "longtext", "choice", "bool", "date", "datetime", "email", "number", "timezone", "list"
]


@dataclass
class Rule(Record):
    """One rule of a vendor program, from RULES.md."""

    id: str
    """The rule ID as RULES.md gives it (``ZOHO-EMAIL-1``): what decisions cite."""
    text: str
    """What the rule says, in words."""


@dataclass
class Setting(Record):
    """A desk setting a plugin (or the core) reads, with its default."""

    key: str
    """The setting's key, ``PROGRAM.NAME`` (``zoho.region``); ``workbench settings KEY VALUE``
    sets it."""
    default: Any
    """The value until one is set."""
    help: str
    """What the setting changes, in words (shown by ``workbench settings``)."""
    kind: FieldKind = "text"
    """The type a value is read as (see Field kinds)."""
    choices: list[str] = field(default_factory=list)
    """For ``choice``: the values accepted."""
    rule: str | None = None
    """The rule the setting belongs to, if any."""
    minimum: float | None = 0
    """For numbers: the least value accepted (none below zero unless a plugin says so)."""
    maximum: float | None = None
    """For numbers: the greatest value accepted, if any."""


@dataclass
class Field(Record):
    """One field of a vendor's intake form."""

    name: str
    """The key of the answer (``severity``): what ``--field NAME=VALUE`` and the hooks use."""
    label: str
    """The field's name as the form shows it."""
    kind: FieldKind = "text"
    """The type an answer is read as (see Field kinds)."""
    required: bool = False
    """Whether the form refuses an empty answer (only while ``when`` holds)."""
    choices: list[str] = field(default_factory=list)
    """For ``choice``: the values accepted, in the order offered."""
    help: str = ""
    """A line under the field saying what to give."""
    default: Any = None
    """The answer the form starts with."""
    rule: str | None = None
    """The rule that asks for the field, named when its answer is refused."""
    when: dict[str, Any] = field(default_factory=dict)
    """Show / require only when other fields hold these values, e.g. ``{"reproducible": True}``;
    a list is any of its values: ``{"priority": ["P1", "P2"]}`` asks for it on P1 or P2."""

    def applies(self, answers: dict[str, Any]) -> bool:
        """Whether the field is asked for, given the other answers (every ``when`` holds)."""
        return all(
            answers.get(name) in wanted if isinstance(wanted, list) else answers.get(name) == wanted
            for name, wanted in self.when.items()
        )


@dataclass
class CloseReason(Record):
    code: str
    """The reason's code (``--reason CODE`` on ``case close``)."""
    text: str
    """What it means, in words."""
    rule: str
    """The rule that allows closing with it."""
    manual: bool = True
    """Whether an agent may close with it; ``False``: only an automatic close records it (a
    by-hand close with it is refused, naming ``rule``)."""


@dataclass
class VendorProgram(Record):
    """What a plugin declares about the program it supplies rules for."""

    id: str
    """The program id: lower-case, the plugin's entry-point name, the ``vendor`` of its cases
    and contracts and the prefix of its settings (``zoho``)."""
    name: str
    """The program's name as people read it (``Zoho``)."""
    version: str
    """The version of the program's rules (its catalogue), shown by ``workbench plugins``."""
    rules: list[Rule]
    """The complete rule catalogue: every rule ID a hook of the plugin cites, each with its
    text."""
    products: list[str] = field(default_factory=list)
    """The products a contract of the program may be for; empty: any."""
    case_kinds: list[str] = field(default_factory=list)
    """The kinds of case the program's intake form distinguishes (shown by ``workbench
    plugins``)."""
    settings: list[Setting] = field(default_factory=list)
    """The desk settings the program reads, each with its default (keys start with the program
    id)."""
    description: str = ""
    """One paragraph on what the program is, shown by ``workbench plugins``."""
    support_products: list[str] = field(default_factory=list)
    """Products that are a subscription with support (CORE-PATH-2)."""
    consulting_products: list[str] = field(default_factory=list)
    """Products that are a paid consulting engagement (CORE-PATH-2, CORE-PATH-4)."""
    products_rule: str = ""
    """The rule that lists the program's products (a contract for another is refused naming it)."""
    contract_attributes: list[Field] = field(default_factory=list)
    """The attributes a contract of the program takes (``when={"product": …}`` limits one to a
    product). A program that declares any has every contract's attributes checked: an unknown
    key is refused, values are typed by their field."""
    customer_attributes: list[Field] = field(default_factory=list)
    """What the program needs to know of a customer (seats, a tenant ID, the vendor's region),
    each a field named ``PROGRAM.NAME`` (``zoho.region``) with its kind, choices, help and
    rule. The customer form and ``customer add/edit --attr KEY=VALUE`` offer them; the desk
    types each value by its field and refuses a key no installed program declares. Never
    ``required``: a customer of another vendor has none of them."""
    reply_milestones: dict[str, str] = field(default_factory=dict)
    """Milestones a vendor reply may name that the program reads, each with what it means
    (offered where a vendor reply is recorded)."""
    measure_rule: str = ""
    """The rule under which the desk measures the vendor's answer times over its cases, where
    the vendor states them as averages (``workbench vendor-times``; e.g. ZOHO-SLA-3)."""
    kind_field: str = "kind"
    """The case form's field that says what a case is about (a question, a failure, an
    outage): reports group the vendor's commitments by it as by severity
    (``workbench report vendor --by kind``)."""
    description_field: str = "description"
    """The case form's field that tells in words what happened (OnTime's reproduction
    steps): the case's overview shows it, and a mail that opens a case fills it."""


@dataclass
class Tally(Record):
    """A count the desk keeps of the cases sent to a vendor, so that a rule counting them
    over a window (ZOHO-HOWTO-1's how-to requests of the last 30 days) reads no case: each
    case counts on the instant it was first sent (``sent_at``) when its record matches
    ``where`` and not ``where_not``. Declared as data, not code, so the store counts it by
    itself (at a compaction, in an import, in SQL) and a changed declaration is noticed
    (kept counts of another declaration are not believed)."""

    name: str
    """Under the program id (``zoho.howto``): what ``desk.tally(name, sent_within)`` asks for."""
    rule: str
    """The rule the count serves (``ZOHO-HOWTO-1``)."""
    text: str
    """What it counts, in words."""
    where: dict[str, list[str | bool]]
    """For each path into the case's record (``vendor``, ``fields.severity``) the values one of
    which it must hold (JSON equality: ``"3"`` is not ``3``, ``True`` is not ``1``)."""
    where_not: dict[str, list[str | bool]] = field(default_factory=dict)
    """For each path the values it must not hold (a missing value holds none)."""

    def definition(self) -> dict[str, Any]:
        """What a store counts by: name and conditions, as JSON-able lists."""
        return {
            "name": self.name,
            "where": {path: list(values) for path, values in self.where.items()},
            "where_not": {path: list(values) for path, values in self.where_not.items()},
        }

    def counts(self, case: Case) -> bool:
        """Whether ``case`` counts toward this tally once it is sent."""
        from workbench.store.base import tallied

        return tallied(self.definition(), case.to_dict())


# ----------------------------------------------------------------------------------------
# Decisions: every one carries the rule that made it and a reason in words
# ----------------------------------------------------------------------------------------

Level = Literal["error", "warning", "info"]


@dataclass
class Finding(Record):
    """A validation result: ``error`` blocks the change, ``warning`` and ``info`` do not."""

    level: Level
    """``error`` blocks the change; ``warning`` and ``info`` are shown with the record."""
    rule: str
    """The rule ID that made the finding."""
    message: str
    """What is wrong or worth knowing, in words."""
    field: str | None = None
    """The form field the finding is about, if one."""


@dataclass
class Route(Record):
    """Which path a case is on and which queue works it, and why."""

    path: str
    """The path the case is on (CORE-PATH-1): ``subscription-support``, ``consulting``,
    ``guidance``, ``platform`` or ``self-service``."""
    queue: str
    """The queue that works the case."""
    rule: str
    """The rule that chose the path and queue."""
    reason: str
    """Why, in words."""


@dataclass
class Commitment(Record):
    """A deadline as a plugin states it: a business duration from a start, on a calendar.

    The desk turns it into a :class:`Deadline`, leaving out paused time.
    """

    name: str
    """The deadline's name as shown (``acknowledgement``)."""
    start: datetime
    """When the clock starts."""
    minutes: int
    """The business time allowed, in minutes of ``calendar`` (0 with ``business_days``)."""
    calendar: dict[str, Any]
    """The calendar as ``workbench.calendar.Calendar.to_dict()``."""
    rule: str
    """The rule that makes the commitment."""
    reason: str
    """Why it runs and how long, in words."""
    clock: Literal["vendor", "desk"] = "vendor"
    """Whose commitment: ``vendor`` (the vendor's to the desk) or ``desk`` (the desk's to its
    customer)."""
    target_minutes: int | None = None
    """A sooner target inside the due time, in minutes of the calendar (the lower bound where
    the vendor states a range)."""
    met_by: list[str] = field(default_factory=list)
    """Case actions that meet it (e.g. ``vendor-reply``); the first one after ``start`` counts."""
    pauses: bool = True
    """Whether time pending on the customer is left out (CORE-SLA-1)."""
    stops_at: datetime | None = None
    """When the clock stopped unmet (a resolved case's desk clocks, CORE-SLA-3): from then on
    it neither runs nor breaches; a breach before it stays."""
    business_days: int | None = None
    """A commitment in whole business days of its calendar instead of ``minutes`` (give 0
    there): due that many working days of the calendar after ``start``, at the same point of
    the working day, paused time left out as for minutes."""
    earlier_windows: list[tuple[datetime, datetime]] = field(default_factory=list)
    """For a clock that starts again (the desk's update clock, at each response): the windows
    it ran before ``start``, each (start, end) from its start until the next window began or
    the clock stopped. The SLA evidence keeps the breach of each that passed its due time
    before it ended (CORE-SLA-2), whether or not a sweep recorded it."""


DeadlineState = Literal["ok", "at-risk", "breached", "met", "met-late", "paused", "stopped"]


@dataclass
class Deadline(Record):
    """A deadline as the desk shows it."""

    name: str
    """The commitment's name."""
    clock: str
    """``vendor`` or ``desk``, as the commitment says."""
    due: datetime | None
    """When it falls due, paused time left out; ``None`` while the clock is paused with no
    end."""
    calendar: str
    """The name of the calendar it counts on."""
    rule: str
    """The rule that made the commitment."""
    reason: str
    """The commitment's reason."""
    state: DeadlineState
    """``ok``, ``at-risk``, ``breached``, ``met``, ``met-late``, ``paused`` or ``stopped``."""
    target: datetime | None = None
    """When its target falls, if the commitment gives one."""
    start: datetime | None = None
    """When the clock started."""
    met_at: datetime | None = None
    """When a case action that meets it happened, if one did."""
    minutes: int = 0
    """The business time allowed, in minutes of its calendar."""
    remaining_minutes: int | None = None
    """Business minutes left while it runs; ``None`` once met or stopped."""
    stopped_at: datetime | None = None
    """When the clock stopped (CORE-SLA-3): a stopped clock is not running, whatever its state."""

    def stop(self, at: datetime | None) -> None:
        """Stop the clock at ``at`` (CORE-SLA-3), as a close does: one not met, breached or
        already stopped is ``stopped``; a breach stays a breach (CORE-SLA-2)."""
        if self.state in ("ok", "at-risk", "paused"):
            self.state, self.remaining_minutes = "stopped", None
        if self.stopped_at is None and self.met_at is None:
            self.stopped_at = at


@dataclass
class Rung(Record):
    """One level of an escalation ladder."""

    level: int
    """The level, 1 and up within its track."""
    role: str
    """Who the case goes to at this level."""
    track: Literal["technical", "commercial"] = "technical"
    """``technical`` or ``commercial`` (CORE-ESC-2)."""
    needs: str = ""
    """What climbing to this level takes, in words (shown before an escalation)."""
    rule: str = ""
    """The rule that sets this level."""


@dataclass
class Ladder(Record):
    rungs: list[Rung]
    """Every level, on both tracks."""
    rule: str
    """The rule that sets the ladder."""
    reason: str = ""
    """Why this ladder for this case, in words."""

    def next_rung(self, track: str, current: int) -> Rung | None:
        later = [r for r in self.rungs if r.track == track and r.level > current]
        return min(later, key=lambda r: r.level) if later else None


@dataclass
class Decision(Record):
    """Whether an action may happen now; when not, why, from when, and what is missing."""

    allowed: bool
    """Whether the action may happen now."""
    rule: str
    """The rule that decided."""
    reason: str
    """Why, in words (a refusal says what holds it back)."""
    earliest: datetime | None = None
    """When a refused action will first be allowed, if that is known."""
    missing: list[str] = field(default_factory=list)
    """What must be recorded first (a refusal's list of missing items)."""
    records: dict[str, Any] = field(default_factory=dict)
    """What completing a workflow step also records, under the decision's rule: ``due`` —
    ``{step ID: YYYY-MM-DD}``, the due dates of later steps; ``contract_start`` — YYYY-MM-DD,
    the start of the workflow's contract, whose end (its renewal date) moves to keep its term."""


@dataclass
class Action(Record):
    """A time-driven change a sweep applies (a reminder, an auto-close, a workflow to open).

    ``key`` makes it idempotent: an action whose key was already applied is skipped. A
    ``close`` names its ``reason`` in ``data`` (or none: the case's automatic close reason);
    a ``reroute`` gives the new ``path`` and ``queue``.
    """

    kind: Literal["reminder", "close", "open-workflow", "note", "reroute"]
    """What the sweep does: see Action kinds below."""
    key: str
    """The action's identity: one with a key already applied is skipped."""
    rule: str
    """The rule that makes the action due."""
    reason: str
    """Why now, in words."""
    data: dict[str, Any] = field(default_factory=dict)
    """What the kind needs (see Action kinds below)."""


ACTION_DATA_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "workbench_sweep": {"reminder": (), "note": (), "close": (), "reroute": ("path", "queue")},
    "workbench_sweep_desk": {
        "open-workflow": ("vendor", "template"),
        "reminder": ("workflow",),
        "note": ("workflow",),
    },
}
"""The :class:`Action` kinds each sweep hook may answer, and the ``data`` keys each needs
(``open-workflow`` also reads ``customer_id``, ``contract_id`` and ``anchor`` when given;
``close`` its ``reason``). The plugin manager leaves out an answer that breaks this."""


@dataclass
class Eligibility(Record):
    program: str
    """The vendor's programme the customer may qualify for (``priority support``)."""
    vendor: str
    """The program id of the vendor that runs it."""
    eligible: bool
    """Whether the customer qualifies."""
    claimable: bool
    """Whether the desk has what the vendor checks to grant it (an eligible customer may not be
    claimable yet)."""
    rule: str
    """The rule that decides."""
    reason: str
    """Why, in words (what is missing, what threshold applies)."""


@dataclass
class QuoteLine(Record):
    item: str
    """What the fee is for."""
    amount: int
    """The fee in whole currency units."""
    currency: str
    """The currency (``JPY``)."""
    rule: str
    """The rule that sets this fee."""
    reason: str
    """How it is worked out, in words."""


@dataclass
class Quote(Record):
    contract_id: str
    """The contract quoted."""
    lines: list[QuoteLine]
    """The fees, one line each."""
    rule: str
    """The rule that sets the fees."""
    note: str = ""
    """Anything the quote should be read with."""


@dataclass
class StepTemplate(Record):
    """One step of a workflow template; ``offset_days`` is relative to the workflow's anchor date."""

    id: str
    """The step's id, unique within its template."""
    title: str
    """What the step is, as shown."""
    rule: str
    """The rule that asks for the step."""
    offset_days: int | None = None
    """Days from the workflow's anchor date to the step's due date; ``None``: no due date."""
    form: str | None = None
    """Name of the form (declared by the plugin) this step asks for, if any."""


@dataclass
class WorkflowTemplate(Record):
    id: str
    """The template's id, unique within its vendor (``renewal``)."""
    vendor: str
    """The program id."""
    title: str
    """The workflow's name as shown."""
    steps: list[StepTemplate]
    """The steps, in the order they are done."""
    rule: str
    """The rule the workflow follows."""
    kind: Literal["order", "renewal", "option", "onboarding"] = "order"
    """``order``, ``renewal``, ``option`` or ``onboarding``."""


MailPurpose = Literal["vendor", "response", "resolve"]
MAIL_PURPOSES: tuple[str, ...] = ("vendor", "response", "resolve")
"""What a message composed from a case is: the vendor's request (``case send --mail``: Zoho's
request, OnTime's escalation, BitTitan's ticket), a response to the customer (``case note
--to-customer --mail``) or the resolution sent to the customer (``case resolve --to-customer
--mail``)."""


@dataclass
class MailDraft(Record):
    """A message a plugin composes from a case (:func:`workbench_compose_mail`). The desk adds
    the case ID to the subject, the Message-ID, the date and the threading headers, and sends
    it only once the case's event is valid."""

    to: list[str]
    """The recipients' addresses (the vendor's support address, the customer's contact)."""
    subject: str
    """The subject without the case ID (the desk puts ``[C-12]`` before it)."""
    body: str
    """Plain text: the form's answers, in the vendor's order, each labelled."""
    rule: str
    """The rule the message is composed under (ZOHO-FORM-1, ONTIME-ESC-2, BT-FORM-1, …)."""
    reason: str
    """Why it goes to these recipients, in words (the tier chain of ONTIME-ESC-1, …)."""
    sender: str = ""
    """The From address the vendor's rule requires (Zoho: ``zoho.sender_email``, ZOHO-EMAIL-1);
    empty for the desk's own (setting ``mail.from``)."""
    sender_name: str = ""
    """The name the message goes out under (OnTime: the technical contact, ONTIME-PARTNER-1)."""
    cc: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    """Paths of files to attach (Zoho's screenshots / recordings, ZOHO-FORM-1): each must be a
    readable file, or the message is not composed."""


@dataclass
class PaletteCommand:
    """A command a plugin adds to the terminal desk's command palette (ctrl+p). Chosen, the
    desk runs ``run(desk)`` in the background, holding the desk, and shows the text it
    returns; a failure is reported with the plugin's name."""

    title: str
    """The command as the palette lists it (``Acme: check the status page``)."""
    help: str
    """One line under the title saying what it does."""
    run: Callable[[Any], str]
    """Given the desk (reads and the desk's own changes, as :class:`workbench.DemoDesk`)."""


# ----------------------------------------------------------------------------------------
# What the desk stores
# ----------------------------------------------------------------------------------------


@dataclass
class Customer(Record):
    KIND: ClassVar[str] = "customers"

    id: str
    name: str
    email: str = ""
    domain: str = ""
    users: int = 0
    notes: str = ""
    created_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    """What vendor programs record of the customer, by the key a program declares in
    ``VendorProgram.customer_attributes`` (``zoho.region``, ``zoho.super_admin_email``)."""


ContractState = Literal["active", "ended"]


@dataclass
class Contract(Record):
    KIND: ClassVar[str] = "contracts"

    id: str
    customer_id: str
    vendor: str
    product: str
    start: date
    end: date | None = None
    quantity: int = 1
    list_price: int = 0
    currency: str = "JPY"
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


CaseState = Literal["open", "waiting-vendor", "pending", "resolved", "closed"]
CASE_STATES: tuple[str, ...] = ("open", "waiting-vendor", "pending", "resolved", "closed")
OPEN_STATES: tuple[str, ...] = ("open", "waiting-vendor", "pending", "resolved")
Ball = Literal["desk", "vendor", "customer"]


@dataclass
class Escalation(Record):
    track: Literal["technical", "commercial"]
    level: int
    role: str
    rule: str
    reason: str
    at: datetime
    actor: str
    owner: str = ""


@dataclass
class Case(Record):
    KIND: ClassVar[str] = "cases"

    id: str
    vendor: str
    customer_id: str
    subject: str
    opened_at: datetime
    state: str = "open"
    fields: dict[str, Any] = field(default_factory=dict)
    severity: str = ""
    path: str = ""
    queue: str = ""
    assignee: str = ""
    """The handle of the agent who owns the case, or ``""`` (unassigned)."""
    route_rule: str = ""
    route_reason: str = ""
    escalations: list[Escalation] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    """Technical evidence attached (CORE-ESC-2): ``{"kind": reproduction|patch|log, "text", "at"}``."""
    pauses: list[dict[str, Any]] = field(default_factory=list)
    """Intervals pending on the customer: ``{"start": iso, "end": iso | None}``."""
    sent_at: datetime | None = None
    """When the case first went to the vendor (vendor clocks start here)."""
    sweep_keys: list[str] = field(default_factory=list)
    """Keys of the time-driven actions already applied (a sweep applies each once)."""
    closed_at: datetime | None = None
    close_reason: str = ""
    outcomes: list[Deadline] = field(default_factory=list)
    """Deadline outcomes frozen when the case closed (CORE-AUDIT-1: kept for reporting)."""
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.state == "closed":
            # A case closed before a close stopped every clock (CORE-SLA-3) may have stored
            # some running or paused: read, they are stopped at its close.
            for outcome in self.outcomes:
                outcome.stop(self.closed_at)

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    @property
    def ball(self) -> Ball:
        """Who holds the ball now (CORE-SLA-4)."""
        return {"pending": "customer", "waiting-vendor": "vendor"}.get(self.state, "desk")  # type: ignore[return-value]

    def level(self, track: str) -> int:
        """Current escalation level on a track (0 before any escalation)."""
        return max((e.level for e in self.escalations if e.track == track), default=0)


AgentRole = Literal["agent", "lead"]
AGENT_ROLES: tuple[str, ...] = ("agent", "lead")


@dataclass
class Agent(Record):
    """A member of the desk's team: who acts, and who may own a case."""

    handle: str
    name: str
    """The display name (any script: 佐藤 美咲)."""
    email: str = ""
    role: str = "agent"
    """``agent`` (works their own cases, takes unassigned ones) or ``lead`` (also changes
    settings, the team and anyone's assignments)."""
    active: bool = True
    login: str = ""
    """The login name that acts as this agent when no ``--as`` / ``WORKBENCH_AGENT`` is given."""

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


@dataclass
class Step(Record):
    id: str
    title: str
    rule: str
    due: date | None = None
    done_at: datetime | None = None
    done_by: str = ""
    form: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Workflow(Record):
    KIND: ClassVar[str] = "workflows"

    id: str
    vendor: str
    template: str
    title: str
    steps: list[Step]
    opened_at: datetime
    customer_id: str = ""
    contract_id: str = ""
    anchor: date | None = None
    """The date the steps' due dates count from (an anniversary, a renewal date)."""
    key: str = ""
    """Identity for idempotent opening (e.g. ``ontime-renewal:K-3:2027-04-01``)."""
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def done(self) -> bool:
        return all(s.done_at is not None for s in self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.done_at is None), None)


MAIL_STATES: tuple[str, ...] = ("inbox", "filed", "dismissed")
"""Where a message the desk took in is: in the Inbox, recorded on a case, or set aside."""


@dataclass
class Attachment(Record):
    """A file a message carried: kept beside the desk, or not kept and why."""

    name: str
    content_type: str
    size: int
    path: str = ""
    """Where it is kept, relative to the desk's attachments folder; ``""`` when not kept."""
    reason: str = ""
    """Why it was not kept (over the size limit), ``""`` when kept."""


@dataclass
class Mail(Record):
    """A message the desk took in from its IMAP mailbox or Maildir (issue #21), once per
    Message-ID: recorded on a case, or waiting in the Inbox. Its text is stored as it came
    (control characters and all, NUL aside) and shown escaped."""

    KIND: ClassVar[str] = "mail"

    id: str
    message_id: str
    """The Message-ID header as written (``<…>``), or one made from the message's bytes when
    it has none: the message is taken once by it."""
    received_at: datetime
    """The desk clock when it was taken (what its events are dated)."""
    source: str
    sender: str
    """The From address, lower-cased (``""`` when none could be read)."""
    subject: str = ""
    sender_name: str = ""
    to: list[str] = field(default_factory=list)
    date: datetime | None = None
    """The Date header, read; kept as data, never the time of an event (CORE-AUDIT-1)."""
    date_header: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    text: str = ""
    """The readable text: the plain part, or the HTML part made text."""
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What was wrong with its headers (malformed, undecodable), in words."""
    state: str = "inbox"
    case: str = ""
    """The case it is recorded on (state ``filed``)."""
    rule: str = ""
    reason: str = ""
    """Why it went where it is."""


@dataclass
class Event(Record):
    """One change, never rewritten (CORE-AUDIT-1)."""

    id: int
    at: datetime
    actor: str
    kind: str
    """What changed: ``cases``, ``customers``, ``contracts``, ``workflows``, ``settings`` or
    ``mail``."""
    key: str
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    rule: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
