"""The desk server changes no command's behaviour: each command the ``workbench`` command
hands to it gives the bytes, exit status and desk the same command gives run in its own
process (``WORKBENCH_DAEMON=off``): text, JSON, refusals, bad input, writes, the clock, the
time zone, relative paths, standard input, a terminal, ctrl+c. A server of older code, a
stale socket or none at all leave the command to its own process; the client's death takes
the command with it; a server started by a command holds none of its caller's pipes; every
server of these tests is stopped, and its process gone, at the end.

Each test runs the real ``workbench`` console script against a real server in a short
private folder (``XDG_RUNTIME_DIR``: a socket's path is limited to 108 bytes)."""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.servers import PATIENCE, WORKBENCH, Place, a_desk, a_place, alive, wait_until
from workbench.cli.root import COMMANDS
from workbench.daemon import client


@pytest.fixture(scope="module")
def place() -> Iterator[Place]:
    """A place whose desk and server the tests that leave the server running share."""
    with a_place() as here:
        yield here


@pytest.fixture(scope="module")
def desk(place: Place) -> Path:
    return a_desk(place)


@pytest.fixture(scope="module")
def server(place: Place, desk: Path) -> dict:
    return place.start()


@pytest.fixture
def own_place() -> Iterator[Place]:
    """A place of the test's own, for a test that stops, kills or starts servers."""
    with a_place() as here:
        yield here


def same_both_ways(place: Place, *args: str, **options) -> subprocess.CompletedProcess:
    """Run the command through the server and in its own process: the same bytes on stdout
    and stderr and the same exit status; the served one was served."""
    before = place.status()["requests"]
    served = place.run(*args, **options)
    after = place.status()["requests"]
    alone = place.run(*args, served=False, **options)
    assert (served.stdout, served.stderr, served.returncode) == (alone.stdout, alone.stderr, alone.returncode)
    assert after == before + 1, "the command was not handed to the server"
    return served


# -- what the server answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("case", "show", "C-1"),
        ("case", "show", "C-47", "--json"),
        ("case", "list"),
        ("case", "list", "--json", "--vendor", "zoho"),
        ("renewals", "--within", "60"),
        ("plugins", "--json"),
        ("case", "list", "--help"),
        ("--json", "case", "show", "C-1"),
    ],
)
def test_reads_give_the_same_bytes(place: Place, server: dict, desk: Path, args: tuple[str, ...]) -> None:
    done = same_both_ways(place, *args, "--db", str(desk))
    assert done.returncode == 0 and done.stdout


def test_a_refusal_names_its_rule_and_exits_1(place: Place, server: dict, desk: Path) -> None:
    done = same_both_ways(place, "--as", "sato", "case", "assign", "C-47", "emma", "--db", str(desk))
    assert done.returncode == 1 and b"CORE-TEAM-2" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("case", "show", "C-9999"),
        ("case", "show", "C-1", "--now", "not a time"),
        ("case", "list", "--vendor", "nobody", "--json"),
        ("case", "frobnicate"),
    ],
)
def test_bad_input_exits_2_in_words(place: Place, server: dict, desk: Path, args: tuple[str, ...]) -> None:
    done = same_both_ways(place, *args, "--db", str(desk))
    assert done.returncode == 2 and b"Traceback" not in done.stderr


def copy_of(desk: Path, name: str) -> Path:
    """A copy of the desk's files in a folder of its own."""
    folder = desk.parent / name
    folder.mkdir()
    for file in desk.parent.glob("desk.json*"):
        if file.is_file():
            shutil.copy2(file, folder / file.name)
    return folder / "desk.json"


def test_a_write_is_on_disk_for_the_next_command(place: Place, server: dict, desk: Path) -> None:
    twin = copy_of(desk, "twin")
    note = ("case", "note", "C-1", "customer sent the sign-in log")
    before = place.status()["requests"]
    served = place.run(*note, "--db", str(desk))
    assert place.status()["requests"] == before + 1
    alone = place.run(*note, "--db", str(twin), served=False)
    assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert served.returncode == 0
    shown = [
        place.run("case", "show", "C-1", "--json", "--db", str(path), served=False).stdout
        for path in (desk, twin)
    ]
    assert shown[0] == shown[1]
    assert "customer sent the sign-in log" in shown[0].decode()
    holders = [json.loads(Path(f"{path}.holder").read_bytes()) for path in (desk, twin)]
    assert holders[0]["command"] == holders[1]["command"].replace(str(twin), str(desk))
    assert " case note C-1 " in holders[0]["command"]


def test_the_clock_time_zone_and_folder_are_the_clients(place: Place, server: dict, desk: Path) -> None:
    later = {"WORKBENCH_NOW": "2026-12-01T09:00+09:00", "TZ": "America/New_York"}
    same_both_ways(place, "case", "list", "--db", str(desk), env=later)
    same_both_ways(place, "case", "show", "C-1", "--now", "monday 09:00", "--db", str(desk))
    same_both_ways(place, "case", "show", "C-1", "--db", "desk.json", cwd=desk.parent)
    same_both_ways(place, "case", "show", "C-1", "--db", "desk.json", cwd=place.folder / "run")


def test_standard_input_is_the_clients(place: Place, server: dict, desk: Path) -> None:
    place.run("settings", "zoho.support_email", "partner@zoho.example", "--db", str(desk), served=False)
    eml = place.folder / "C-3.eml"
    send = ("case", "send", "C-3", "--mail", "--eml", str(eml), "--db", str(desk))
    before = place.status()["requests"]
    declined = [place.run(*send, input=b"n\n", served=served) for served in (True, False)]
    assert place.status()["requests"] == before + 1
    message_id = re.compile(rb"Message-ID: <[^>]*>")  # each message's own, new each time
    assert len({(d.returncode, d.stdout, message_id.sub(b"", d.stderr)) for d in declined}) == 1
    assert declined[0].returncode == 1 and b"aborted" in declined[0].stderr and not eml.exists()
    send = ("case", "send", "C-3", "--mail", "--eml", str(eml), "--db", str(copy_of(desk, "sent")))
    written = place.run(*send, input=b"y\n")
    assert written.returncode == 0 and eml.exists(), written.stderr


def on_a_terminal(place: Place, args: list[str], served: bool, columns: int = 80) -> tuple[bytes, int]:
    """What the command writes to a terminal of ``columns`` columns (its stdin, stdout and
    stderr), and its exit status."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in place.env.items() if k not in ("COLUMNS", "LINES")}
    env["WORKBENCH_DAEMON"] = "manual" if served else "off"
    process = subprocess.Popen([WORKBENCH, *args], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], PATIENCE)
        assert ready, "the command wrote nothing to its terminal"
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return output, process.wait(PATIENCE)


def test_a_terminal_is_seen_as_a_terminal(place: Place, server: dict, desk: Path) -> None:
    """``export --format csv`` escapes what it writes to a terminal: the served command sees
    the terminal (and its encoding) as the command in its own process does."""
    export = ["export", "--format", "csv", "--db", str(desk)]
    before = place.status()["requests"]
    served = on_a_terminal(place, export, True)
    assert place.status()["requests"] == before + 1
    assert served == on_a_terminal(place, export, False)
    piped = place.run(*export)
    assert served[0].replace(b"\r\n", b"\n") != piped.stdout, "the terminal made no difference"


def test_help_is_as_wide_as_the_terminal(place: Place, server: dict) -> None:
    before = place.status()["requests"]
    narrow = on_a_terminal(place, ["case", "list", "--help"], True, columns=52)
    assert place.status()["requests"] == before + 1
    assert narrow == on_a_terminal(place, ["case", "list", "--help"], False, columns=52)
    assert max(len(line) for line in narrow[0].decode().splitlines()) <= 52
    assert narrow != on_a_terminal(place, ["case", "list", "--help"], True, columns=120)


def test_a_closed_pipe_ends_the_command_as_it_would(place: Place, server: dict, desk: Path) -> None:
    def head(served: bool) -> tuple[int, bytes]:
        env = {**place.env, "WORKBENCH_DAEMON": "manual" if served else "off"}
        reader, writer = os.pipe()
        os.close(reader)
        process = subprocess.Popen(
            [WORKBENCH, "case", "list", "--db", str(desk)], stdout=writer, stderr=subprocess.PIPE, env=env
        )
        os.close(writer)
        errors = process.stderr.read()
        return process.wait(PATIENCE), errors

    assert head(True) == head(False)


def waiting_command(place: Place, desk: Path, served: bool) -> tuple[subprocess.Popen, bytes]:
    """A command waiting at a question on its standard input (``case send`` asks first), and
    what it wrote on stderr up to the question."""
    place.run("settings", "zoho.support_email", "partner@zoho.example", "--db", str(desk), served=False)
    env = {**place.env, "WORKBENCH_DAEMON": "manual" if served else "off"}
    process = subprocess.Popen(
        [WORKBENCH, "case", "send", "C-3", "--mail", "--eml", str(place.folder / "x.eml"), "--db", str(desk)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    asked = b""
    while b"Write it?" not in asked:
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, asked
        asked += chunk
    return process, asked


def reading(pid: int) -> bool:
    """Whether the process sleeps in a read of a pipe (its standard input)."""
    return "pipe_read" in Path(f"/proc/{pid}/wchan").read_text()


def test_ctrl_c_reaches_the_command(place: Place, server: dict, desk: Path) -> None:
    """Ctrl+c at the question, once the command waits for the answer (as a person's comes:
    a signal that lands between Python's check and its read is left for the next check, in
    a process of its own too, and the served command's signal takes a moment longer)."""
    ended = []
    for served in (True, False):
        process, asked = waiting_command(place, desk, served)
        (reader,) = place.status()["children"] if served else (process.pid,)
        wait_until(lambda reader=reader: reading(reader), "the command to wait for its answer")
        process.send_signal(signal.SIGINT)  # its standard input stays open: the signal ends it
        process.wait(PATIENCE)
        ended.append(
            (process.returncode, re.sub(rb"Message-ID: <[^>]*>", b"", asked + process.stderr.read()))
        )
        process.stdin.close()
        process.stdout.close()
        process.stderr.close()
    assert ended[0] == ended[1]
    assert ended[0][0] == 1 and ended[0][1].endswith(b"workbench: aborted\n")


def test_the_command_dies_with_its_client(place: Place, server: dict, desk: Path) -> None:
    process, _ = waiting_command(place, desk, served=True)
    (child,) = place.status()["children"]
    assert alive(child)
    process.kill()
    process.communicate(timeout=PATIENCE)
    wait_until(lambda: not alive(child) and place.status()["running"] == 0, "the command to be killed")


def test_a_request_that_is_not_one_is_turned_away(place: Place, server: dict) -> None:
    """Bytes that are no request (another program of the user's) cost the server nothing."""
    for document in (b"", marshal.dumps(["kind", "status"]), b"\xe9\x00"):
        payload = len(document).to_bytes(4, "little") + document
        connection = client.connect(server["socket"])
        assert connection is not None
        with socket.socket(fileno=connection.detach()) as sock:
            sock.sendall(payload)
            assert sock.recv(16) == b""
    assert place.status()["pid"] == server["pid"]


# -- when the server is not used --------------------------------------------------------------


NEW_CODE = """
import sys


class Telling:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            sys.stderr.write("new code imports click\\n")


sys.meta_path.insert(0, Telling())
"""


def test_a_server_of_older_code_is_not_used(tmp_path: Path) -> None:
    """An edit of a file the server imported (here a ``sitecustomize`` on ``PYTHONPATH``,
    which every process of that environment runs) makes the server decline: the command
    runs in its own process with the new code (which says so when the command imports
    click: a served command imports nothing of the sort), and the server exits."""
    with a_place() as place:
        site = tmp_path / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text("")
        place.env["PYTHONPATH"] = str(site)
        desk = a_desk(place)
        started = place.start()
        assert place.run("case", "show", "C-1", "--db", str(desk)).returncode == 0
        assert place.status()["requests"] == 1
        (site / "sitecustomize.py").write_text(NEW_CODE)
        done = place.run("case", "show", "C-1", "--db", str(desk))
        assert done.returncode == 0 and done.stderr == b"new code imports click\n"
        assert done.stdout == place.run("case", "show", "C-1", "--db", str(desk), served=False).stdout
        wait_until(lambda: not alive(started["pid"]), "the server of older code to exit")
        assert place.status() is None


def test_a_stale_socket_is_passed_by_and_replaced(own_place: Place) -> None:
    place, desk = own_place, a_desk(own_place)
    server = place.start()
    os.kill(server["pid"], signal.SIGKILL)
    wait_until(lambda: not alive(server["pid"]), "the server to die")
    assert Path(server["socket"]).exists()
    manual = place.run("case", "show", "C-1", "--db", str(desk))
    assert manual.returncode == 0
    assert manual.stdout == place.run("case", "show", "C-1", "--db", str(desk), served=False).stdout
    assert place.status() is None
    automatic = place.run("case", "show", "C-1", "--db", str(desk), env={"WORKBENCH_DAEMON": "auto"})
    assert automatic.stdout == manual.stdout
    replacing = wait_until(place.status, "a new server")
    place.started.append(replacing["pid"])
    assert replacing["pid"] != server["pid"]


def test_off_runs_every_command_in_its_own_process(own_place: Place) -> None:
    place, desk = own_place, a_desk(own_place)
    done = place.run("case", "show", "C-1", "--db", str(desk), env={"WORKBENCH_DAEMON": "off"})
    assert done.returncode == 0
    time.sleep(0.5)  # a server started by mistake would be listening by now
    assert place.status() is None
    assert not (place.folder / "run").exists()


def test_a_command_starts_a_detached_server(own_place: Place) -> None:
    """The first command starts a server and runs itself; the caller reading its output
    through pipes gets the end of them when the command ends, not when the server does."""
    place, desk = own_place, a_desk(own_place)
    first = place.run("case", "show", "C-1", "--db", str(desk), env={"WORKBENCH_DAEMON": "auto"})
    assert first.returncode == 0
    running = wait_until(place.status, "the server the command started")
    place.started.append(running["pid"])
    assert running["requests"] == 0
    second = place.run("case", "show", "C-1", "--db", str(desk), env={"WORKBENCH_DAEMON": "auto"})
    assert second.stdout == first.stdout
    assert place.status()["requests"] == 1
    assert os.getsid(running["pid"]) != os.getsid(0), "the server has a session of its own"


def test_no_server_is_started_where_none_could_listen(own_place: Place) -> None:
    """Where the runtime folder cannot be made (here: under a file), a command runs in its own
    process and starts no server, which would only fail at its start, one for every command.
    Every Python start is recorded (a ``sitecustomize`` on ``PYTHONPATH``); a command in a
    good folder afterwards starts its server, and once that one answers, a server started by
    the earlier commands would have been recorded too."""
    place, desk = own_place, a_desk(own_place)
    hooks = place.folder / "hooks"
    hooks.mkdir()
    starts = place.folder / "starts"
    (hooks / "sitecustomize.py").write_text(
        "import sys\n"
        f"with open({str(starts)!r}, 'a') as log:\n"
        "    log.write(' '.join(sys.orig_argv) + '\\n')\n"
    )
    blocked = place.folder / "a-file"
    blocked.write_text("")
    environment = {
        "WORKBENCH_DAEMON": "auto",
        "PYTHONPATH": str(hooks),
        "XDG_RUNTIME_DIR": str(blocked / "run"),
    }
    expected = place.run("case", "show", "C-1", "--db", str(desk), served=False)
    for _ in range(2):
        done = place.run("case", "show", "C-1", "--db", str(desk), env=environment)
        assert (done.returncode, done.stdout, done.stderr) == (0, expected.stdout, b"")
    good = {**environment, "XDG_RUNTIME_DIR": place.env["XDG_RUNTIME_DIR"]}
    control = place.run("case", "show", "C-1", "--db", str(desk), env=good)
    assert control.returncode == 0
    running = wait_until(place.status, "the server the command in a good folder started")
    place.started.append(running["pid"])
    try:
        servers = [line for line in starts.read_text().splitlines() if "workbench.daemon" in line]
        assert len(servers) == 1, servers
    finally:
        stopped = place.run("daemon", "stop", env=good)  # its key holds PYTHONPATH
        assert stopped.returncode == 0, stopped.stderr


def test_daemon_stop_and_status(own_place: Place) -> None:
    place = own_place
    server = place.start()
    status = place.run("daemon", "status", served=False)
    assert status.returncode == 0 and f"pid {server['pid']}".encode() in status.stdout
    stopped = place.run("daemon", "stop", "--json", served=False)
    assert json.loads(stopped.stdout) == {"stopped": server["pid"]}
    assert not alive(server["pid"])
    assert json.loads(place.run("daemon", "status", "--json", served=False).stdout)["running"] is False


# -- which commands go to the server ----------------------------------------------------------


def test_the_served_commands_are_the_core_commands_but_the_terminals() -> None:
    assert client.SERVED == set(COMMANDS) - {"serve", "run", "daemon"}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "desk.json"],
        ["--now", "case", "--json"],
        ["serve"],
        ["run", "--db", "x"],
        ["daemon", "status"],
        ["agent", "password", "ken"],
        ["--as", "ken", "agent", "--db", "x", "password", "ken"],
        ["--debug", "case", "show", "C-1"],
        ["some-plugin-command"],
    ],
)
def test_the_terminal_desk_and_terminal_commands_run_in_their_own_process(argv: list[str]) -> None:
    assert not client.servable(["workbench", *argv])


@pytest.mark.parametrize(
    "argv", [["case", "show", "C-1"], ["--db", "d.json", "--json", "case", "list"], ["agent", "list"]]
)
def test_short_commands_go_to_the_server(argv: list[str]) -> None:
    assert client.servable(["workbench", *argv])
