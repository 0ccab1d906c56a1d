"""A throwaway Dovecot IMAP server for the tests: the Debian package's binary, a
configuration of its own in a temporary folder, run as an unprivileged user (``nobody`` when
the tests run as root), listening on 127.0.0.1 with IMAPS and STARTTLS on free ports, one
passwd-file user whose mail is a Maildir in the folder. Its certificate is made for 127.0.0.1
by ``openssl``; clients trust it through ``SSL_CERT_FILE``."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.certificates import self_signed

INSTALL_HINT = (
    "Dovecot's IMAP server is missing: `sudo apt-get install -y dovecot-imapd` (Debian/Ubuntu; "
    "`./dev test` does it when run as root); the IMAP tests are skipped until then"
)
USER, PASSWORD = "desk@reseller.co.jp", "imap-test-password"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dovecot:
    """A running server: its folder, ports and the certificate clients must trust."""

    base: Path
    imaps_port: int
    imap_port: int
    process: subprocess.Popen

    @property
    def certificate(self) -> Path:
        return self.base / "cert.pem"

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificate))

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message as a mail client files one: IMAP APPEND, over IMAPS."""
        with imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.context(), timeout=30) as imap:
            imap.login(USER, PASSWORD)
            status, answer = imap.append(folder, None, None, raw)
            assert status == "OK", answer

    def flags(self, folder: str = "INBOX") -> list[str]:
        """Each message's flags, in order."""
        with imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.context(), timeout=30) as imap:
            imap.login(USER, PASSWORD)
            imap.select(folder)
            status, answer = imap.fetch("1:*", "(FLAGS)")
            return [a.decode() for a in answer if isinstance(a, bytes)] if status == "OK" else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)


def start_dovecot(binary: str) -> Dovecot:
    base = Path(tempfile.mkdtemp(prefix="workbench-imap-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("nobody")
        user, group = entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
        prefix = ["runuser", "-u", user, "--"]
    else:
        entry = pwd.getpwuid(os.getuid())
        user, group = entry.pw_name, grp.getgrgid(os.getgid()).gr_name
        prefix = []
    self_signed(base / "cert.pem", base / "key.pem", "IP:127.0.0.1")
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    imaps_port, imap_port = _free_port(), _free_port()
    (base / "dovecot.conf").write_text(f"""\
instance_name = workbench-imap-{imaps_port}
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
disable_plaintext_auth = yes
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={base}/home/%n
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    if prefix:
        for path in (base, *base.rglob("*")):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen(
        [*prefix, binary, "-F", "-c", str(base / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Dovecot(base, imaps_port, imap_port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot stopped at start: {process.stderr.read().decode()} {log}")
        try:
            with socket.create_connection(("127.0.0.1", imaps_port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not listen within 30 seconds")
