"""What a plugin sees of the desk: :class:`DeskReader`, and :class:`DemoDesk` for the demo hook.

Every hook but ``workbench_demo`` is given a :class:`DeskReader`: exactly the reads the
bundled plugins make (settings, the clock and time zone, programs and the desk calendar,
customers, contracts, cases, events, workflows, deadlines) and no write. ``workbench_demo``
fills an empty desk through the desk's own methods, so it is given a :class:`DemoDesk`: the
reads plus the changes a demo makes. Both are structural (:class:`typing.Protocol`): the desk
satisfies them without naming them, and a plugin's tests may pass anything that does.

Import them from the public API: ``from workbench import DeskReader``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from workbench.calendar import Calendar
    from workbench.model import Case, Contract, Customer, Deadline, Event, VendorProgram, Workflow


class DeskReader(Protocol):
    """The reads a hook may make. Plugins never write: the desk applies what they answer."""

    def setting(self, key: str) -> Any:
        """A desk setting's value, or its declared default (``desk.setting("acme.hours")``)."""

    def now(self) -> datetime:
        """The desk clock (``--now`` / ``WORKBENCH_NOW`` aware)."""

    def today(self) -> date:
        """Today in the desk's time zone."""

    def timezone(self) -> ZoneInfo:
        """The desk's time zone."""

    def programs(self) -> dict[str, VendorProgram]:
        """Declared programs by id (the core's included as ``core``)."""

    def desk_calendar(self, candidate: dict[str, Any] | None = None) -> Calendar:
        """The desk's own business calendar (CORE-SLA-3)."""

    def customer(self, key: str) -> Customer:
        """One customer; raises ``NotFound`` for an unknown ID."""

    def customers(self) -> list[Customer]:
        """Every customer, in ID order."""

    def contract(self, key: str) -> Contract:
        """One contract; raises ``NotFound`` for an unknown ID."""

    def contracts(self, customer_id: str | None = None, vendor: str | None = None) -> list[Contract]:
        """Contracts of one customer and / or vendor."""

    def active_contracts(self, customer_id: str, vendor: str, on: date | None = None) -> list[Contract]:
        """The customer's contracts with ``vendor`` active on ``on`` (today by default)."""

    def has_support(self, customer_id: str, vendor: str, on: date | None = None) -> bool:
        """Whether the customer holds an active subscription with support (CORE-PATH-2)."""

    def case(self, key: str) -> Case:
        """One case; raises ``NotFound`` for an unknown ID."""

    def cases(
        self,
        vendor: str | None = None,
        state: str | None = None,
        queue: str | None = None,
        text: str | None = None,
        customer_id: str | None = None,
        open_only: bool = False,
        sent_within: tuple[datetime, datetime] | None = None,
    ) -> list[Case]:
        """Cases matching every filter given; ``sent_within=(after, until)``: first sent to
        the vendor after ``after``, at or before ``until``. A customer's cases and a
        window's are read through the store's indexes: ask for them rather than filtering
        every case."""

    def tally(self, name: str, sent_within: tuple[datetime, datetime]) -> int:
        """How many cases a tally a plugin declares (``workbench_tallies``) counts among those
        first sent after ``sent_within[0]``, at or before ``sent_within[1]``, closed ones
        included: read from the counts the desk keeps, not from the window's cases."""

    def events(self, kind: str, key: str) -> list[Event]:
        """The history of one record (``kind`` ``cases``, ``customers``, ``contracts`` or
        ``workflows``), in time order."""

    def deadlines(self, case: Case, events: list[Event] | None = None) -> list[Deadline]:
        """The case's deadlines at the desk clock."""

    def workflow(self, key: str) -> Workflow:
        """One workflow; raises ``NotFound`` for an unknown ID."""

    def workflows(
        self, vendor: str | None = None, kind: str | None = None, open_only: bool = False
    ) -> list[Workflow]:
        """Workflows matching every filter given."""


class DemoDesk(DeskReader, Protocol):
    """What ``workbench_demo`` may do: the reads, and the desk's own changes (so every rule
    runs on demo records as on real ones)."""

    def at(self, when: datetime) -> AbstractContextManager[None]:
        """Make the changes inside the ``with`` block as of ``when``."""

    def set_setting(self, key: str, raw: Any) -> Any:
        """Validate and store one setting."""

    def add_customer(self, name: str, **values: Any) -> Customer:
        """Create a customer."""

    def update_customer(self, key: str, **changes: Any) -> Customer:
        """Change a customer's values."""

    def add_contract(
        self,
        customer_id: str,
        vendor: str,
        product: str,
        start: date,
        end: date | None = None,
        quantity: int = 1,
        list_price: int = 0,
        currency: str = "JPY",
        attributes: dict[str, Any] | None = None,
    ) -> Contract:
        """Add a contract (the vendor's checks run)."""

    def open_case(
        self, vendor: str, customer_id: str, subject: str, fields: dict[str, Any] | None = None
    ) -> Case:
        """Validate, route and save a new case."""

    def note(self, key: str, text: str, *, to_customer: bool = False) -> Case:
        """Add a note (or a message to the customer) to a case."""

    def send_to_vendor(self, key: str, text: str = "") -> Case:
        """Send a case to its vendor."""

    def vendor_reply(self, key: str, text: str = "", milestone: str = "") -> Case:
        """Record the vendor's reply."""

    def pending(self, key: str, text: str = "") -> Case:
        """Wait on the customer."""

    def resolve(self, key: str, text: str = "") -> Case:
        """Mark a case resolved."""

    def attach_evidence(self, key: str, kind: str, text: str) -> Case:
        """Attach technical evidence."""

    def close(self, key: str, reason: str, text: str = "") -> Case:
        """Close a case with one of its close reasons."""

    def escalate(self, key: str, track: str = "technical", reason: str = "", owner: str = "") -> Case:
        """Escalate a case one rung on ``track``."""

    def open_workflow(
        self,
        vendor: str,
        template: str,
        customer_id: str = "",
        contract_id: str = "",
        anchor: date | None = None,
        key: str = "",
        rule: str = "",
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> Workflow:
        """Open a workflow from one of the vendor's templates."""

    def complete_step(self, key: str, step_id: str, data: dict[str, Any] | None = None) -> Workflow:
        """Complete the next step of a workflow."""


__all__ = ["DemoDesk", "DeskReader"]
