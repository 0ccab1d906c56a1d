"""The ``workbench`` command: hand the command to the desk server, else run it here.

This module is the console script. It imports only built-in modules (``os``, ``sys``,
``_socket``, ``_signal``, ``marshal``, ``zlib``): a command the server answers costs this
process little more than the interpreter's start. When no server answers (none started,
a stale socket, a server of other code) the command runs in this process exactly as it
always did, and — unless ``WORKBENCH_DAEMON`` says otherwise — a server is started, fully
detached, for the commands after it.

``WORKBENCH_DAEMON``: ``auto`` (the default: use the server, start one when there is none),
``manual`` (use a server started by ``workbench daemon start``, never start one) or ``off``.

The terminal desk, ``serve``, ``run``, ``daemon``, ``agent password`` (it reads the password
from the terminal itself), ``--debug`` (a traceback names the process's own frames) and
the plugins' own commands always run in this process.
"""

from __future__ import annotations

import _signal
import _socket
import marshal
import os
import sys
import zlib

SERVED = frozenset(
    {
        "agent",
        "calendar",
        "case",
        "compact",
        "contract",
        "customer",
        "db",
        "demo",
        "doctor",
        "eligibility",
        "export",
        "import",
        "mail",
        "new-plugin",
        "plugins",
        "quote",
        "renewals",
        "report",
        "settings",
        "sweep",
        "vendor-times",
        "workflow",
        "workload",
    }
)
"""The core commands the server may answer: every command of ``workbench.cli.root.COMMANDS``
but those that must be this process (``serve``, ``run``, ``daemon``)."""

VALUED_OPTIONS = ("--db", "--now", "--as")
"""The group's options that take a value (the word after them is not a command)."""

FORWARDED = (
    _signal.SIGINT,
    _signal.SIGTERM,
    _signal.SIGHUP,
    _signal.SIGQUIT,
    _signal.SIGWINCH,
    _signal.SIGUSR1,
    _signal.SIGUSR2,
)
"""The signals this process passes on to the command's process."""

INHERITED = (*FORWARDED, _signal.SIGALRM, _signal.SIGTSTP, _signal.SIGTTIN, _signal.SIGTTOU, _signal.SIGCHLD)
"""The signals whose disposition (ignored or not) the command's process takes from this one,
as a process started here would inherit it."""

SOCKET_PATH_LIMIT = 108
"""The longest path a Unix socket may have, with its terminating NUL (Linux)."""

NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts")
"""The kernel namespaces a process sees the system through (a command in a container is not
answered by a server outside it)."""

FRAME = 9
"""Every answer of the server to a command is one kind byte and a signed 64-bit number."""
ANSWER = {"declined": b"N", "running": b"R", "exited": b"X"}
DECLINED_STALE = 1
"""Declined because the server's code is no longer what is installed: start a new one."""
DECLINED_OTHER = 2
"""Declined for another reason (another Python environment): run here, start nothing."""
STOP_CHILD, CONTINUE_CHILD = _signal.SIGSTOP, _signal.SIGCONT


def main() -> None:
    """The ``workbench`` command."""
    status = served(sys.argv)
    if status is None:
        from workbench.cli.entry import main as run_here

        return run_here()
    sys.exit(status)


def mode() -> str:
    """``auto``, ``manual`` or ``off`` (``WORKBENCH_DAEMON``; anything else is ``off``)."""
    chosen = os.environ.get("WORKBENCH_DAEMON", "auto") or "auto"
    return chosen if chosen in ("auto", "manual", "off") else "off"


def servable(argv: list[str]) -> bool:
    """Whether the server may run this command line: a core command that needs neither the
    terminal as this process's own nor this process's frames."""
    args = argv[1:]
    if "--debug" in args or "--" in args:
        return False
    index = 0
    while index < len(args):
        word = args[index]
        if word in VALUED_OPTIONS:
            index += 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        return word in SERVED and not (word == "agent" and "password" in args[index + 1 :])
    return False


def runtime_folder() -> str:
    """The private folder of the server's socket: ``$XDG_RUNTIME_DIR/case-workbench``, else
    ``case-workbench/server`` in the user's cache folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "case-workbench")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "case-workbench", "server")


def can_listen() -> bool:
    """Whether a server could listen here: the runtime folder is, or can be made, a folder of
    this user's. Where it cannot (a read-only home, a runtime folder of another user's), a
    server would only fail at its start, one started in the background by every command."""
    folder = runtime_folder()
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return False
    return found.st_mode & 0o170000 == 0o040000 and found.st_uid == os.getuid()


def environment_key() -> bytes:
    """What makes this process the same as the server's at start: the interpreter, the
    environment it imports from, its flags and encodings, the variables it reads at start,
    the locale it chose, the user, the limits and priority it runs with, and the namespaces
    and control group it lives in. A server serves only a client whose key is its own."""
    import _locale
    import resource

    return marshal.dumps(
        (
            sys.version,
            sys.executable,
            sys.prefix,
            sys.path[1:],
            tuple(sys.flags),
            sys.getfilesystemencoding(),
            sys.getfilesystemencodeerrors(),
            sys.warnoptions,
            sorted(sys._xoptions.items()),
            sys.pycache_prefix,
            sorted((k, v) for k, v in os.environ.items() if k.startswith("PYTHON")),
            _locale.setlocale(_locale.LC_CTYPE),
            os.getuid(),
            os.getgid(),
            os.getgroups(),
            [resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith("RLIMIT_")],
            os.getpriority(os.PRIO_PROCESS, 0),
            [_link(f"/proc/self/ns/{space}") for space in NAMESPACES],
            _text("/proc/self/cgroup"),
        )
    )


def _link(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _text(path: str) -> bytes | None:
    try:
        with open(path, "rb") as source:
            return source.read()
    except OSError:
        return None


def key_name(key: bytes) -> str:
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"


def socket_path(name: str) -> str:
    return os.path.join(runtime_folder(), f"desk-{name}.sock")


def connect(path: str) -> _socket.socket | None:
    """A connection to the server listening at ``path``, if one answers and runs as this user."""
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
        credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    except OSError:
        connection.close()
        return None
    if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
        connection.close()
        return None
    return connection


def request(connection: _socket.socket, document: dict, fds: list[int] = ()) -> None:
    """Send one request: its length, then the document (``marshal``), the file descriptors
    riding with the first bytes."""
    payload = marshal.dumps(document)
    data = len(payload).to_bytes(4, "little") + payload
    rights = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in fds)
    sent = connection.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)] if fds else [])
    if sent < len(data):
        connection.sendall(data[sent:])


def receive(connection: _socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes, or fewer when the server closed the connection."""
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def served(argv: list[str]) -> int | None:
    """Run the command through the server and return its exit status; ``None`` when it is
    to run in this process (after starting a server, in ``auto`` mode, when none answered)."""
    chosen = mode()
    if chosen == "off" or not servable(argv):
        return None
    try:
        key = environment_key()
    except OSError:
        return None
    name = key_name(key)
    path = socket_path(name)
    if len(os.fsencode(path)) >= SOCKET_PATH_LIMIT:
        return None
    connection = connect(path)
    if connection is None:
        if chosen == "auto" and can_listen():
            start_server(name)
        return None
    try:
        document = _command(key, argv)
        if document is None:
            return None
        folder = document.pop("folder")
        forwarding = _Forwarding(connection)
        try:
            request(connection, document, [0, 1, 2, folder])
            answer = receive(connection, FRAME)
        except OSError:
            answer = b""
        finally:
            os.close(folder)
        if len(answer) < FRAME or answer[:1] != ANSWER["running"]:
            forwarding.undo()
            if answer[:1] == ANSWER["declined"] and _number(answer) == DECLINED_STALE and chosen == "auto":
                start_server(name)
            return None
        try:
            answer = receive(connection, FRAME)
        except OSError:
            answer = b""
    finally:
        connection.close()
    if len(answer) < FRAME or answer[:1] != ANSWER["exited"]:
        os.write(2, b"workbench: the desk server stopped before the command ended\n")
        return 1
    status = _number(answer)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        _signal.signal(signum, _signal.SIG_DFL)
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)
        return 128 + signum
    return os.waitstatus_to_exitcode(status)


def _number(answer: bytes) -> int:
    return int.from_bytes(answer[1:FRAME], "little", signed=True)


def _command(key: bytes, argv: list[str]) -> dict | None:
    """The command as the server runs it: this process's standard streams (how Python set
    them up), folder (``folder``: a descriptor, sent beside the streams), environment, umask
    and signal dispositions. ``None`` when a standard stream is closed or the folder cannot
    be opened: the command runs here, as it would."""
    streams = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is None:
            return None
        streams.append((stream.encoding, stream.errors, stream.line_buffering, stream.write_through))
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
        folder = os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    umask = os.umask(0o077)
    os.umask(umask)
    return {
        "kind": "run",
        "key": key,
        "argv": argv,
        "orig_argv": sys.orig_argv,
        "path": sys.path,
        "environ": dict(os.environb),
        "umask": umask,
        "streams": streams,
        "ignored": [int(s) for s in INHERITED if _signal.getsignal(s) == _signal.SIG_IGN],
        "blocked": [int(s) for s in _signal.pthread_sigmask(_signal.SIG_BLOCK, [])],
        "folder": folder,
    }


class _Forwarding:
    """Signals to this process passed on to the command's process (through the server) from
    the moment the command is sent; ``undo`` puts the dispositions back and delivers here
    what came meanwhile, when the server declined and the command runs here after all."""

    def __init__(self, connection: _socket.socket) -> None:
        self.connection = connection
        self.received: list[int] = []
        self.replaced: dict[int, object] = {}
        for signum in FORWARDED:
            if _signal.getsignal(signum) != _signal.SIG_IGN:
                self.replaced[signum] = _signal.signal(signum, self.forward)
        if _signal.getsignal(_signal.SIGTSTP) == _signal.SIG_DFL:
            self.replaced[_signal.SIGTSTP] = _signal.signal(_signal.SIGTSTP, self.suspend)

    def forward(self, signum: int, _frame: object = None) -> None:
        self.received.append(signum)
        try:
            self.connection.sendall(bytes([ord("S"), signum]))
        except OSError:
            pass

    def suspend(self, _signum: int, _frame: object) -> None:
        """Ctrl-Z: stop the command's process, then this one; continue both."""
        self.forward(STOP_CHILD)
        _signal.signal(_signal.SIGTSTP, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGTSTP)
        _signal.signal(_signal.SIGTSTP, self.suspend)
        self.forward(CONTINUE_CHILD)

    def undo(self) -> None:
        for signum, disposition in self.replaced.items():
            _signal.signal(signum, disposition)
        for signum in self.received:
            if signum in self.replaced:
                os.kill(os.getpid(), signum)


def start_server(name: str, idle_seconds: int | None = None) -> None:
    """Start the desk server for this environment, detached from this process: its own
    session, no terminal, standard streams on ``/dev/null``, no file descriptor of ours (a
    caller reading our output through a pipe never waits for the server). It exits at once
    when another server already holds the name; ``idle_seconds`` (30 minutes) without a
    command, it exits."""
    try:
        first = os.fork()
    except OSError:
        return
    if first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 1 << 20)
                os.chdir("/")
                for signum in INHERITED:
                    _signal.signal(signum, _signal.SIG_DFL)
                _signal.pthread_sigmask(_signal.SIG_SETMASK, [])
                idle = ["--idle", str(idle_seconds)] if idle_seconds else []
                server = [sys.executable, "-m", "workbench.daemon", "--name", name, *idle]
                os.execv(sys.executable, server)
        finally:
            os._exit(0)
    os.waitpid(first, 0)
