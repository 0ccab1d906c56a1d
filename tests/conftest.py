"""A throwaway PostgreSQL server for the tests that run against the real thing.

The server is started once per test session from the installed server binaries (``initdb``
and ``pg_ctl``), listening on a Unix socket in a temporary directory and, for the password
tests, on a free port of 127.0.0.1 with SCRAM passwords; it is stopped and removed at the end.
Each test gets a desk of its own: a fresh schema of one database, chosen by the URL's
``search_path``.

Where no server binaries are installed, the PostgreSQL tests are skipped with a message
saying how to install them; under CI (``CI=true``) they fail instead, so CI always
exercises the real server.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.certificates import self_signed

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with "
    "`sudo apt-get install postgresql` (Debian/Ubuntu; `./dev test` does it when run as root) "
    "or your system's PostgreSQL server package, then run the tests again"
)
PASSWORD_ROLE = "agent"
PASSWORD = "s3cret-Pw!"


def server_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: on ``PATH``, or the newest
    ``/usr/lib/postgresql/N/bin`` (where Debian installs them, off ``PATH``)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running throwaway server: its socket directory, TCP port and data directory."""

    bin: Path
    base: Path
    port: int
    user: str | None
    """The unprivileged system user the server runs as (when the tests run as root)."""
    password_role: str = PASSWORD_ROLE
    """A role that logs in over TCP with :attr:`password` (the ``workbench`` role on the
    socket is trusted)."""
    password: str = PASSWORD

    @property
    def data(self) -> Path:
        return self.base / "data"

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary, as :attr:`user` when the tests run as root (``initdb``
        refuses to run as root)."""
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, cwd=self.base)

    def start(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "workbench", schema: str | None = None) -> str:
        """A URL to ``database`` over the Unix socket (user ``workbench``, trusted)."""
        url = f"postgresql://workbench@/{database}?host={quote(str(self.base), safe='')}&port={self.port}"
        if schema:
            url += "&options=" + quote(f"-csearch_path={schema}", safe="")
        return url

    def tcp_url(self, database: str = "workbench", schema: str | None = None) -> str:
        """A URL over TCP to 127.0.0.1 as the password-protected role, password left out
        (it comes from a password file or the environment)."""
        url = f"postgresql://{PASSWORD_ROLE}@127.0.0.1:{self.port}/{database}"
        if schema:
            url += "?options=" + quote(f"-csearch_path={schema}", safe="")
        return url

    def sql(self, statement: str, database: str = "workbench") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)


def _start_server(bin: Path) -> PostgresServer:
    base = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _has_user("postgres") else "nobody"
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bin=bin, base=base, port=_free_port(), user=user)
    (base / "pw").write_text("postgres-superuser-unused\n")
    server.run(
        str(bin / "initdb"),
        "-D",
        str(server.data),
        "-U",
        "workbench",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--pwfile",
        str(base / "pw"),
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    with open(server.data / "postgresql.conf", "a") as conf:
        conf.write(
            f"\nlisten_addresses = '127.0.0.1'\nport = {server.port}\n"
            f"unix_socket_directories = '{base}'\nmax_connections = 60\n"
        )
    server.start()
    server.sql("CREATE DATABASE workbench", database="postgres")
    server.sql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
    return server


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's throwaway PostgreSQL server (skipped, or failed under CI, without
    the server binaries)."""
    bin = server_binaries()
    if bin is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT + " (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(INSTALL_HINT)
    server = _start_server(bin)
    try:
        yield server
    finally:
        try:
            server.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # a test may have stopped it already
        shutil.rmtree(server.base, ignore_errors=True)


_schemas = itertools.count(1)


@pytest.fixture
def pg_schema(postgres_server: PostgresServer) -> str:
    """A fresh, empty schema of the test database (the password role may use it too)."""
    schema = f"desk_{os.getpid()}_{next(_schemas)}"
    postgres_server.sql(f"CREATE SCHEMA {schema} AUTHORIZATION workbench")
    postgres_server.sql(f"GRANT ALL ON SCHEMA {schema} TO {PASSWORD_ROLE}")
    return schema


@pytest.fixture
def pg_url(postgres_server: PostgresServer, pg_schema: str) -> str:
    """The URL of a database schema that holds no desk yet."""
    return postgres_server.url(schema=pg_schema)


@pytest.fixture
def pg_desk_url(pg_url: str) -> str:
    """The URL of a new, empty desk in PostgreSQL (``workbench db init`` done)."""
    from workbench.store.pgstore import init_desk

    init_desk(pg_url)
    return pg_url


@pytest.fixture
def caught_up():
    """``caught_up(store)``: refresh ``store`` until it has picked up another process's
    last commit and return ``True`` (``False`` if it never does). PostgreSQL notifies a
    commit to the other listeners a moment after the committing call returns, so a
    refresh made at once may not have heard of it yet; the desk file's is immediate."""

    def refresh_until_changed(store) -> bool:
        for _ in range(500):
            if store.refresh():
                return True
            time.sleep(0.01)
        return False

    return refresh_until_changed


# -- a real SMTP server (aiosmtpd) on 127.0.0.1, for the mail-out tests (issue #21) --------

SMTP_USER = "desk@example.co.jp"
SMTP_PASSWORD = "smtp-Pw-7x!"


@dataclass
class ReceivedMail:
    """One message an SMTP test server took: its envelope, the message, and how it came."""

    sender: str
    recipients: list[str]
    message: Any
    """An :class:`email.message.EmailMessage` (the ``default`` policy)."""
    tls: bool
    authenticated: bool
    login: str


@dataclass
class SmtpTestServer:
    """An aiosmtpd server listening on 127.0.0.1: ``security`` ``starttls`` (STARTTLS
    required), ``tls`` (implicit TLS) or ``none``; AUTH required unless ``none``, accepting
    :data:`SMTP_USER` / :data:`SMTP_PASSWORD` only; it answers the first ``refuse`` messages
    with a 554."""

    host: str
    port: int
    security: str
    received: list[ReceivedMail]
    controller: Any

    def settings(self) -> dict[str, str]:
        """The desk settings that send through this server."""
        return {
            "mail.smtp_host": self.host,
            "mail.smtp_port": str(self.port),
            "mail.smtp_security": self.security,
        }


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (``openssl``): (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    self_signed(cert, key)
    return cert, key


@pytest.fixture
def smtp_server(tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``smtp_server(security="starttls", refuse=0)`` starts an :class:`SmtpTestServer`;
    every server started is stopped after the test. The test process (and the commands it
    starts) trust the server's certificate through ``SSL_CERT_FILE``."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tls_certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    started: list[Any] = []

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        return AuthResult(success=good, handled=False, auth_data=auth_data.login.decode() if good else None)

    class Handler:
        def __init__(self, received: list[ReceivedMail], refuse: int) -> None:
            self.received, self.refuse = received, refuse

        async def handle_DATA(self, server, session, envelope) -> str:
            if self.refuse:
                self.refuse -= 1
                return "554 5.7.1 Message refused by policy"
            from email import message_from_bytes
            from email.policy import default

            tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
            self.received.append(
                ReceivedMail(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content, policy=default),
                    tls,
                    bool(session.authenticated),
                    str(session.auth_data or ""),
                )
            )
            return "250 2.0.0 Ok: queued"

    def start(security: str = "starttls", refuse: int = 0) -> SmtpTestServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        received: list[ReceivedMail] = []
        options: dict[str, Any] = {"authenticator": authenticate}
        if security == "starttls":
            options |= {"tls_context": context, "require_starttls": True, "auth_required": True}
        elif security == "tls":
            # aiosmtpd cannot tell an implicit-TLS connection is protected (aio-libs/aiosmtpd#281)
            options |= {"ssl_context": context, "auth_required": True, "auth_require_tls": False}
        controller = Controller(
            Handler(received, refuse), hostname="127.0.0.1", port=_free_port(), ready_timeout=30, **options
        )
        controller.start()
        started.append(controller)
        return SmtpTestServer("127.0.0.1", controller.port, security, received, controller)

    try:
        yield start
    finally:
        for controller in started:
            controller.stop()
