"""The desk server: ``python -m workbench.daemon`` (started by the ``workbench`` command or
``workbench daemon start``).

It imports the command line, the model, the desk, the store and the bundled plugins once,
then listens on a Unix socket in a private folder (``client.runtime_folder``), named after
the Python environment it serves (``client.environment_key``): one server per environment
and user, held by a lock file beside the socket. For each command it forks a child that
takes the client's standard streams, folder, environment, umask and signal dispositions and
runs ``workbench.cli.entry.main`` as a fresh process would; the child's exit status goes
back to the client. The server itself runs no command and starts no thread; it keeps open,
read only, the desk files its commands open, and hands each command its copy when the
files are still as it read them (:mod:`workbench.daemon.kept`).

It never runs old code: before each command (and every few seconds while idle) it checks
the time, size and inode of every file it imported, the folders it imports from and the
plugins' entry points; when any changed it declines the command (the client runs it
itself and starts a new server), stops listening and exits once its running commands end.
It also exits after ``--idle`` seconds without a command (30 minutes), on SIGTERM, and
when asked (``workbench daemon stop``).
"""

from __future__ import annotations

import argparse
import array
import atexit
import contextlib
import fcntl
import gc
import importlib
import io
import marshal
import os
import selectors
import signal
import socket
import stat
import sys
import time
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Any, NoReturn

from workbench.daemon import client
from workbench.daemon.kept import KeptDesks

IDLE_SECONDS = 30 * 60
"""A server with no command for this long exits."""
CHECK_SECONDS = 5.0
"""How often an idle server checks that its code is still what is installed."""
REQUEST_SECONDS = 10.0
"""How long a client may take to send its request."""
STREAM_NAMES = ("<stdin>", "<stdout>", "<stderr>")

LOADED = (
    "workbench.cli.entry",
    "workbench.cli.common",
    "workbench.desk",
    "workbench.store",
    "workbench.store.filestore",
    "workbench.store.upgrade",
    "workbench.plugins",
    "workbench.render",
    "workbench.compaction",
    "workbench.clock",
    "getpass",
    "orjson",
    "subprocess",
    "pwd",
    "calendar",
    "hashlib",
    "platformdirs",
)
"""What every command needs, beside the modules of the commands the server answers."""


def load_code() -> None:
    """Import what the commands need: the command line and the modules of every command the
    server answers, the desk, the store, and the bundled plugins (``workbench*`` entry
    points; another package's plugin is imported by the command that uses it). A module
    that fails to import is left to the command, which fails on it as a fresh process would."""
    from workbench.cli.root import COMMANDS

    names = [*LOADED, *(COMMANDS[name].where.split(":")[0] for name in sorted(client.SERVED))]
    with contextlib.suppress(Exception):
        from workbench.plugins import plugin_entry_points

        bundled = [value for _, value, _ in plugin_entry_points() if value.startswith("workbench")]
        names += [value.split(":")[0] for value in bundled]
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        work_out_types()


def work_out_types() -> None:
    """What every command works out from the code alone and keeps (``functools.cache``):
    each hook's answer type and its check, each record type's field loaders; 2-3 ms of
    every served command otherwise."""
    from workbench import model, plugins

    for expected in plugins.answer_types().values():
        plugins.type_check(expected)
    model.work_out_loaders()


def code_files() -> list[str]:
    """Every file the server's code came from: the interpreter, the folders on ``sys.path``
    (installing or removing a package changes its folder), each imported module's file and
    each plugin distribution's ``entry_points.txt``."""
    files = {sys.executable, *(path for path in sys.path if path)}
    for module in list(sys.modules.values()):
        found = getattr(module, "__file__", None)
        if isinstance(found, str) and os.path.isfile(found):
            files.add(found)
    with contextlib.suppress(Exception):
        import importlib.metadata

        for entry_point in importlib.metadata.entry_points(group="workbench"):
            folder = getattr(entry_point.dist, "_path", None)
            if folder is not None:
                files.add(os.path.join(str(folder), "entry_points.txt"))
    return sorted(files)


def stamps(files: list[str]) -> list[tuple[int, int, int] | None]:
    found: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            status = os.stat(path)
            found.append((status.st_ino, status.st_size, status.st_mtime_ns))
        except OSError:
            found.append(None)
    return found


def private_folder() -> str:
    """The socket's folder, made private to this user (0700); refused when it is someone
    else's or cannot be made private."""
    folder = client.runtime_folder()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a folder of this user's")
    if stat.S_IMODE(found.st_mode) & 0o077:
        os.chmod(folder, 0o700)
    return folder


@dataclass
class Command:
    """A command being run: its child, the client's connection, and the child's pidfd."""

    pid: int
    connection: socket.socket | None
    pidfd: int


@dataclass
class Server:
    name: str
    key: bytes
    listener: socket.socket | None
    files: list[str]
    idle: float
    stamped: list[tuple[int, int, int] | None] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    requests: int = 0
    children_cpu: float = 0.0
    last: dict[str, Any] = field(default_factory=dict)
    commands: dict[int, Command] = field(default_factory=dict)
    selector: selectors.BaseSelector = field(default_factory=selectors.PollSelector)
    active: float = field(default_factory=time.monotonic)
    checked: float = field(default_factory=time.monotonic)
    wakeup: tuple[int, int] = (-1, -1)
    kept: KeptDesks = field(default_factory=KeptDesks)

    # -- the loop --------------------------------------------------------------------------

    def serve(self) -> None:
        self.stamped = stamps(self.files)
        self.wakeup = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wakeup[1])
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: None)  # the wakeup fd says which
        self.selector.register(self.wakeup[0], selectors.EVENT_READ, self._signalled)
        assert self.listener is not None
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self.selector.register(self.kept.reports, selectors.EVENT_READ, self._reported)
        while self.listener is not None or self.commands:
            for key, _ in self.selector.select(CHECK_SECONDS):
                key.data(key.fileobj)
            now = time.monotonic()
            if self.listener is not None and not self.commands:
                self.kept.keep_current()
            if self.listener is not None and not self.commands and now - self.active > self.idle:
                self.stop_listening()
            if self.listener is not None and now - self.checked > CHECK_SECONDS and not self.current():
                self.stop_listening()

    def current(self) -> bool:
        """Whether every file the code came from is as it was at start."""
        self.checked = time.monotonic()
        return stamps(self.files) == self.stamped

    def stop_listening(self) -> None:
        """Take the socket away (this server holds the lock, so the name is its own) and
        accept no more commands; the server exits once the running ones end."""
        if self.listener is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(client.socket_path(self.name))
        self.selector.unregister(self.listener)
        self.listener.close()
        self.listener = None

    def _signalled(self, fd: int) -> None:
        with contextlib.suppress(OSError):
            os.read(fd, 64)
        self.stop_listening()

    def _reported(self, fd: int) -> None:
        self.kept.read_reports()

    def _accept(self, listener: socket.socket) -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        self.active = time.monotonic()
        fds: list[int] = []
        try:
            credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
            if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
                raise PermissionError("another user")
            connection.settimeout(REQUEST_SECONDS)
            document, fds = read_request(connection)
            kind = document.get("kind")
            if kind == "run":
                fds = self._run(connection, document, fds)
                return
            if kind == "status":
                answer(connection, self.status())
            elif kind == "stop":
                answer(connection, {"stopping": os.getpid()})
                self.stop_listening()
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass  # a request cut short or not ours: that client runs its command itself
        finally:
            for fd in fds:
                os.close(fd)
        connection.close()

    def _run(self, connection: socket.socket, document: dict, fds: list[int]) -> list[int]:
        """Fork the command's child (which never comes back here); the descriptors left to
        close. The connection stays open for the client's signals and the exit status."""
        if document["key"] != self.key or len(fds) != 4:
            connection.sendall(frame("declined", client.DECLINED_OTHER))
            connection.close()
            return fds
        if not self.current():
            connection.sendall(frame("declined", client.DECLINED_STALE))
            connection.close()
            self.stop_listening()
            return fds
        try:
            pid = os.fork()
        except OSError:
            connection.sendall(frame("declined", client.DECLINED_OTHER))
            connection.close()
            return fds
        if pid == 0:
            self._become_command(connection, document, fds)
        self.requests += 1
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            # Without a way to follow the child it may not run on, and the client may not
            # run the command itself (it would run twice): it ends as killed.
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            with contextlib.suppress(OSError):
                connection.sendall(frame("running", pid) + frame("exited", status))
            connection.close()
            return fds
        self.commands[pidfd] = Command(pid, connection, pidfd)
        self.selector.register(pidfd, selectors.EVENT_READ, self._ended)
        with contextlib.suppress(OSError):
            connection.sendall(frame("running", pid))
        connection.setblocking(False)
        self.selector.register(connection, selectors.EVENT_READ, self._from_client)
        return fds

    def _command_of(self, connection: socket.socket) -> Command | None:
        return next((c for c in self.commands.values() if c.connection is connection), None)

    def _from_client(self, connection: socket.socket) -> None:
        """A signal to pass on (``S`` and its number), or the client gone: its command is
        killed, as it would have died with the client."""
        command = self._command_of(connection)
        try:
            data = connection.recv(256)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if command is None:
            return
        if not data:
            with contextlib.suppress(OSError):
                os.kill(command.pid, signal.SIGKILL)
            self._forget(command)
            return
        for index in range(0, len(data) - 1, 2):
            signum = data[index + 1]
            if data[index : index + 1] == b"S" and 0 < signum < signal.NSIG:
                with contextlib.suppress(OSError):
                    os.kill(command.pid, signum)

    def _forget(self, command: Command) -> None:
        if command.connection is not None:
            self.selector.unregister(command.connection)
            command.connection.close()
            command.connection = None

    def _ended(self, pidfd: int) -> None:
        command = self.commands.pop(pidfd)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        _, status, usage = os.wait4(command.pid, 0)
        self.active = time.monotonic()
        cpu = usage.ru_utime + usage.ru_stime
        self.children_cpu += cpu
        self.last = {"pid": command.pid, "status": status, "cpu": cpu, "max_rss_kb": usage.ru_maxrss}
        if command.connection is not None:
            command.connection.setblocking(True)
            with contextlib.suppress(OSError):
                command.connection.sendall(frame("exited", status))
            self._forget(command)

    def status(self) -> dict[str, Any]:
        own = os.times()
        return {
            "pid": os.getpid(),
            "socket": client.socket_path(self.name),
            "started": self.started,
            "uptime": time.time() - self.started,
            "fingerprint": f"{zlib.crc32(marshal.dumps((self.files, self.stamped))):08x}",
            "files": len(self.files),
            "current": self.current(),
            "requests": self.requests,
            "running": len(self.commands),
            "children": [command.pid for command in self.commands.values()],
            "children_cpu": self.children_cpu,
            "server_cpu": own.user + own.system,
            "last": self.last,
            "kept": self.kept.described(),
            "handed_over": self.kept.handed_over,
            "idle_limit": self.idle,
            "python": sys.executable,
        }

    # -- the child -------------------------------------------------------------------------

    def _become_command(self, connection: socket.socket, document: dict, fds: list[int]) -> NoReturn:
        """In the child: drop everything of the server, take the client's process state,
        run the command line and exit as the interpreter would."""
        status = 1
        try:
            for sock in [self.listener, connection, *(c.connection for c in self.commands.values())]:
                if sock is not None:
                    sock.detach()  # closed below, by number: no object may close a reused number
            take_process_state(document, fds, keep=self.kept.descriptors())
            from workbench import store

            store.kept_desks = self.kept.in_command()
            status = run_command()
        finally:
            os._exit(status)


def read_request(connection: socket.socket) -> tuple[dict, list[int]]:
    """One request (``client.request``): its document and the descriptors that came with it."""
    fds: list[int] = []
    header = b""
    while len(header) < 4:
        data, ancillary, flags, _ = connection.recvmsg(4 - len(header), socket.CMSG_SPACE(16 * 4))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += array.array("i", payload[: len(payload) - len(payload) % 4])
        if flags & socket.MSG_CTRUNC or not data:
            for fd in fds:
                os.close(fd)
            raise EOFError("request cut short")
        header += data
    size = int.from_bytes(header, "little")
    payload = client.receive(connection, size)
    try:
        document = marshal.loads(payload) if len(payload) == size else None
    except (EOFError, ValueError, TypeError):
        document = None
    if not isinstance(document, dict):
        for fd in fds:
            os.close(fd)
        raise EOFError("request cut short or not a request")
    return document, fds


def answer(connection: socket.socket, document: dict) -> None:
    payload = marshal.dumps(document)
    connection.sendall(len(payload).to_bytes(4, "little") + payload)


def frame(kind: str, number: int) -> bytes:
    return client.ANSWER[kind] + number.to_bytes(client.FRAME - 1, "little", signed=True)


def take_process_state(document: dict, fds: list[int], keep: list[int]) -> None:
    """Become the client's process: its signal dispositions and mask, standard streams,
    folder, umask, environment (and the time zone it names), argv (``orig_argv`` too: a
    writer names its command line in the desk's holder file) and import path. Of the
    server's descriptors only ``keep`` stays open."""
    signal.set_wakeup_fd(-1)
    ignored = set(document["ignored"])
    for signum in client.INHERITED:
        if signum in ignored:
            signal.signal(signum, signal.SIG_IGN)
        else:
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
    for fd, target in zip(fds[:3], (0, 1, 2), strict=True):
        os.dup2(fd, target)
    os.fchdir(fds[3])
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)
    os.umask(document["umask"])
    os.environb.clear()
    os.environb.update(document["environ"])
    time.tzset()
    sys.argv = document["argv"]
    sys.orig_argv = document["orig_argv"]
    sys.path[:] = document["path"]
    streams = [
        standard_stream(fd, name, *settings)
        for fd, name, settings in zip((0, 1, 2), STREAM_NAMES, document["streams"], strict=True)
    ]
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    signal.pthread_sigmask(signal.SIG_SETMASK, document["blocked"])


def standard_stream(
    fd: int, name: str, encoding: str, errors: str, line_buffering: bool, write_through: bool
) -> io.TextIOWrapper:
    """A standard stream on ``fd`` as the interpreter makes it at start (``create_stdio``),
    with the encoding, errors and buffering the client's interpreter chose."""
    writing = fd != 0
    mode = "wb" if writing else "rb"
    buffered = open(fd, mode, buffering=0 if write_through and writing else -1, closefd=False)
    raw = buffered if isinstance(buffered, io.FileIO) else buffered.raw
    raw.name = name
    stream = io.TextIOWrapper(
        buffered,
        encoding=encoding,
        errors=errors,
        newline="\n",
        line_buffering=line_buffering,
        write_through=write_through,
    )
    stream.mode = "w" if writing else "r"
    return stream


def run_command() -> int:
    """Run the command line as the console script does, then end as the interpreter ends a
    process (``Py_FinalizeEx``): non-daemon threads joined, ``atexit`` run, the standard
    streams flushed (120 when stdout cannot be). An uncaught ctrl+c ends it by SIGINT."""
    status, interrupted = 0, False
    try:
        from workbench.cli.entry import main

        main()
    except SystemExit as exc:
        status = exit_status(exc.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        status, interrupted = 1, True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        status = 1
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    atexit._run_exitfuncs()
    if not flush_standard_streams():
        status = 120
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return status


def exit_status(code: object) -> int:
    """The exit status of ``SystemExit(code)``, its message printed as the interpreter does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{code}\n")
    return 1


def flush_standard_streams() -> bool:
    """Flush stdout (a failure reported as the interpreter reports it) and stderr."""
    done = True
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", False):
            continue
        try:
            stream.flush()
        except Exception as exc:
            done = False
            if stream is sys.stdout:
                with contextlib.suppress(Exception):
                    sys.stderr.write(
                        f"Exception ignored in: {stream!r}\n"
                        + "".join(traceback.format_exception_only(type(exc), exc))
                    )
                    sys.stderr.flush()
    return done


def main(argv: list[str] | None = None) -> int:
    """Start a server for this environment; 0 when another already holds its name."""
    parser = argparse.ArgumentParser(prog="python -m workbench.daemon")
    parser.add_argument("--name", help="The name the starting client expects (a key of its environment).")
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS, help="Exit after this many idle seconds.")
    args = parser.parse_args(argv)
    key = client.environment_key()  # before sys.path[0] (this folder, for -m) goes
    name = client.key_name(key)
    if args.name and args.name != name:
        return 3
    del sys.path[0]
    try:
        os.close(os.pidfd_open(os.getpid()))  # Linux 5.3: how the server follows its children
    except (AttributeError, OSError):
        return 4
    folder = private_folder()
    lock = os.open(os.path.join(folder, f"desk-{name}.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0
    load_code()
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 5  # a fork of a process with threads is not a fresh process
    files = code_files()
    path = client.socket_path(name)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    gc.collect()
    gc.freeze()  # the children never walk the loaded code's objects
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # as at start: a command finds TMPDIR in its own environment
    Server(name, key, listener, files, args.idle).serve()
    return 0
