"""``workbench run``: the long-running desk for a server or a container. It takes the desk's
new mail (:mod:`workbench.mail.poll`, when the desk has a mailbox) and sweeps the
time-driven rules on a schedule (CORE-SLA-2: each breach recorded once), as the one sweeper
of the desk (:mod:`workbench.store.lease`), then tells assignees of their cases' deadlines
at risk or breached by webhook (:mod:`workbench.desk.notifications`), stops cleanly on
SIGTERM and logs to stderr. Agents are also told by e-mail (:mod:`workbench.mail.notify`):
of their cases' deadlines, of vendor answers, and leads of any case and of renewal steps due.
The desk file is compacted in a process of its own, where nobody waits for it
(:class:`workbench.compaction.Compactions`)."""

from __future__ import annotations

import functools
import os
import select
import signal
import time
from typing import TYPE_CHECKING

import click

from workbench.cli.common import Context, desk_options, words
from workbench.desk.settings import SWEEP_MINUTES, WEBHOOK_URL
from workbench.errors import BadInput, DeskError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

    from workbench.desk import Desk
    from workbench.store.lease import Lease

LEASE_POLL_SECONDS = 2.0
"""How often a sweeper that waits asks for the lease again."""
DELIVERY_ATTEMPTS = 3
"""Tries of one notification in one sweep; one still undelivered is tried at the next sweep."""
RETRY_SECONDS = 1.0
"""The pause before a notification's next try, doubled each time."""


@click.command()
@click.option(
    "--every",
    type=click.FloatRange(min=0, min_open=True),
    help=f"Minutes between sweeps (default: the desk's setting {SWEEP_MINUTES}).",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    help="While another sweeper holds the desk's lease: wait for it (the default) or refuse at once.",
)
@desk_options
def run(every: float | None, wait: bool) -> None:
    """Sweep the desk on a schedule until stopped (SIGTERM or ctrl+c): reminders, breaches,
    renewals and automatic closes happen without anyone at a terminal. One sweeper per desk
    at a time: a second waits for the first's lease (or with --no-wait refuses)."""
    stop = StopSignal()
    desk = click.get_current_context().ensure_object(Context).desk()
    minutes = every if every is not None else float(desk.setting(SWEEP_MINUTES))
    if minutes <= 0:
        raise BadInput(
            "--every", f"the desk's scheduled sweeps are off ({SWEEP_MINUTES} is 0): give --every MINUTES"
        )
    lease = desk.store.sweeper_lease()
    if not _take(lease, wait, stop, desk.store.location):
        return
    from workbench.compaction import Compactions
    from workbench.mail.notify import MailNotifier

    by_mail = MailNotifier(log, DELIVERY_ATTEMPTS, RETRY_SECONDS)
    compactions = Compactions(log)
    try:
        log(f"sweeping {desk.store.location} every {minutes:g} min (the sweeper's lease held)")
        while not stop.is_set():
            _poll_mail(desk)
            if _sweep(desk):
                compactions.after_sweep(desk.store)
            _notify(desk, stop)
            by_mail.notify(desk, stop)
            stop.wait(minutes * 60)
    finally:
        compactions.stop()
        lease.release()
    log("stopped")


class StopSignal:
    """Set by SIGTERM or SIGINT, and waited on between sweeps.

    A signal handler runs inside whatever the main thread was doing, so it must not take a
    lock that code may hold: ``threading.Event.set()`` takes the lock that ``Event.wait()``
    holds for a moment, and a SIGTERM landing in that moment left ``workbench run`` stuck
    for good. The handler only sets a flag; a wait is woken through the signal module's
    wakeup file descriptor."""

    def __init__(self) -> None:
        self._wakeup, writer = os.pipe()
        os.set_blocking(self._wakeup, False)
        os.set_blocking(writer, False)
        signal.set_wakeup_fd(writer)
        self._requested = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._request)

    def _request(self, signum: int, frame: object) -> None:
        self._requested = True

    def is_set(self) -> bool:
        return self._requested

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` or until stopped; whether stopped."""
        deadline = time.monotonic() + seconds
        while not self._requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            readable, _, _ = select.select([self._wakeup], [], [], remaining)
            if readable:
                os.read(self._wakeup, 512)
        return self._requested


def _take(lease: Lease, wait: bool, stop: StopSignal, location: str) -> bool:
    """Take the lease, waiting for it unless ``wait`` is off; ``False`` when stopped first."""
    if lease.take():
        return True
    if not wait:
        raise DeskError(
            f"{location} already has a sweeper ({lease.holder()}): one sweeper per desk at a time"
        )
    log(f"waiting: {location} already has a sweeper ({lease.holder()})")
    while not stop.wait(LEASE_POLL_SECONDS):
        if lease.take():
            return True
    log("stopped before the lease came free")
    return False


def _sweep(desk: Desk) -> bool:
    """One sweep, logged; a store that cannot be reached is logged and tried at the next.
    Whether it was done (a compaction may follow, in a process of its own)."""
    try:
        desk.store.refresh()
        report = desk.sweep()
    except (StoreError, DeskError) as error:
        log(f"sweep failed, trying again at the next: {error}")
        return False
    for line in words(desk).sweep(report):
        log(line)
    return True


def _poll_mail(desk: Desk) -> None:
    """Take the desk's new mail before each sweep (a vendor's answer that arrived stops its
    clock before the sweep judges it), when the desk has a mailbox; a mailbox that cannot be
    read is logged and tried at the next."""
    from workbench.cli.mail import poll_lines
    from workbench.mail.poll import configured, poll

    try:
        if not configured(desk):
            return
        report = poll(desk)
    except (StoreError, DeskError) as error:
        log(f"mail poll failed, trying again at the next: {error}")
        return
    if report.taken or report.failed:
        for line in poll_lines(desk, report):
            log(f"mail: {line}")


def _notify(desk: Desk, stop: StopSignal) -> None:
    """Deliver each notification not yet delivered to the desk's webhook — the deadlines of
    assigned cases at risk or breached, then the vendors' answers on assigned cases and the
    renewal steps falling due — each tried :data:`DELIVERY_ATTEMPTS` times; every failure is
    logged, and what is still undelivered is tried again at the next sweep (recorded on its
    case or workflow only once delivered)."""
    from workbench.desk.notifications import (
        due_notifications,
        record_delivered,
        record_notice,
        webhook_notices,
    )

    url = str(desk.setting(WEBHOOK_URL))
    if not url:
        return
    tz = desk.timezone()
    try:
        notifications = due_notifications(desk)
        notices = webhook_notices(desk)
    except (StoreError, DeskError) as error:
        log(f"notifications not read, trying again at the next sweep: {error}")
        return
    for notification in notifications:
        record = functools.partial(record_delivered, desk, notification, "webhook")
        if not _post(url, notification.payload(tz), notification.text(tz), record, stop):
            return
    for notice in notices:
        record = functools.partial(record_notice, desk, notice, "webhook")
        if not _post(url, notice.payload(tz), notice.text(tz), record, stop):
            return


def _post(url: str, payload: dict, text: str, record: Callable[[], object], stop: StopSignal) -> bool:
    """Post one notification, retrying; record it once it went. ``False`` once stopped."""
    from workbench.webhook import DeliveryFailed, post_json

    for attempt in range(1, DELIVERY_ATTEMPTS + 1):
        try:
            post_json(url, payload)
        except DeliveryFailed as error:
            last = attempt == DELIVERY_ATTEMPTS
            then = "trying again at the next sweep" if last else "retrying"
            log(f"webhook delivery failed (try {attempt} of {DELIVERY_ATTEMPTS}), {then}: {error}")
            if last or stop.wait(RETRY_SECONDS * 2 ** (attempt - 1)):
                break
            continue
        try:
            record()
        except (StoreError, DeskError) as error:
            log(f"delivered but not recorded (may be sent again): {error}")
        log(f"notified by webhook: {text}")
        break
    return not stop.is_set()


def log(message: str) -> None:
    click.echo(f"workbench run: {message}", err=True)
