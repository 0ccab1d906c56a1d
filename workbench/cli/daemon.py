"""``workbench daemon``: the desk server that answers short commands (``workbench.daemon``)."""

from __future__ import annotations

import os
import time
from typing import Any

import click

from workbench.cli.common import Context, Output, desk_options, emit
from workbench.daemon import client
from workbench.errors import DeskError

WAIT_SECONDS = 30.0
"""How long ``start`` waits for the server to answer, and ``stop`` for it to exit."""


@click.group()
def daemon() -> None:
    """The desk server: a process with the code loaded that answers short commands (it
    starts with the first command unless WORKBENCH_DAEMON is manual or off)."""


@daemon.command()
@click.option(
    "--idle-minutes",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Exit after this many minutes without a command.",
)
@desk_options
def start(idle_minutes: int) -> None:
    """Start the desk server for this Python environment (nothing when one runs)."""
    context = click.get_current_context().ensure_object(Context)
    running = server_status()
    if running is None:
        client.start_server(_name(), idle_minutes * 60)
        deadline = time.monotonic() + WAIT_SECONDS
        while running is None and time.monotonic() < deadline:
            time.sleep(0.05)
            running = server_status()
        if running is None:
            raise DeskError(f"the desk server did not start within {WAIT_SECONDS:.0f} seconds")
        started = True
    else:
        started = False
    emit(context, Output({"started": started, **running}, _described(running, started)))


@daemon.command()
@desk_options
def stop() -> None:
    """Stop the desk server (after the commands it runs end); commands run in their own
    process until one starts again."""
    context = click.get_current_context().ensure_object(Context)
    connection = client.connect(client.socket_path(_name()))
    if connection is None:
        emit(context, Output({"stopped": None}, "no desk server runs for this Python environment"))
        return
    try:
        client.request(connection, {"kind": "stop"})
        pid = _answer(connection)["stopping"]
    finally:
        connection.close()
    deadline = time.monotonic() + WAIT_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        raise DeskError(f"the desk server (pid {pid}) still runs a command; it exits when that ends")
    emit(context, Output({"stopped": pid}, f"stopped the desk server (pid {pid})"))


@daemon.command()
@desk_options
def status() -> None:
    """Whether a desk server runs: its pid, socket, uptime, code fingerprint, commands served."""
    context = click.get_current_context().ensure_object(Context)
    running = server_status()
    if running is None:
        text = f"no desk server runs for this Python environment ({_starts_how()})"
        emit(context, Output({"running": False, "mode": client.mode()}, text))
        return
    emit(context, Output({"running": True, "mode": client.mode(), **running}, _described(running, False)))


def server_status() -> dict[str, Any] | None:
    """What the server of this Python environment says of itself; ``None`` when none answers."""
    connection = client.connect(client.socket_path(_name()))
    if connection is None:
        return None
    try:
        client.request(connection, {"kind": "status"})
        return _answer(connection)
    except (OSError, EOFError, ValueError):
        return None
    finally:
        connection.close()


def _name() -> str:
    return client.key_name(client.environment_key())


def _answer(connection: Any) -> dict[str, Any]:
    import marshal

    size = int.from_bytes(client.receive(connection, 4), "little")
    return marshal.loads(client.receive(connection, size))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _starts_how() -> str:
    return {
        "auto": "the next command starts one",
        "manual": "WORKBENCH_DAEMON=manual: `workbench daemon start` starts one",
        "off": "WORKBENCH_DAEMON=off: commands run in their own process",
    }[client.mode()]


def _described(running: dict[str, Any], started: bool) -> list[str]:
    minutes = running["uptime"] / 60
    return [
        f"desk server {'started' if started else 'running'}: pid {running['pid']}, up {minutes:.0f} min, "
        f"commands served: {running['requests']} ({running['running']} running)",
        f"socket {running['socket']}",
        f"code fingerprint {running['fingerprint']} ({running['files']} files, "
        f"{'current' if running['current'] else 'changed: it exits once its commands end'})",
        f"exits after {running['idle_limit'] / 60:.0f} minutes without a command",
        *(f"keeps open {desk['path']} (its log read to byte {desk['read_to']})" for desk in running["kept"]),
        f"commands handed a desk it keeps open: {running['handed_over']}",
    ]
