"""Mail out (issue #21): what e-mail adds to a sweep and to a send.

- ``notices``: :func:`workbench.desk.notifications.mail_notices` — every notice `workbench run`
  would mail after a sweep — on the benchmark desk (``desk_data.generate``: 2,000 open cases)
  with one lead, who hears of every case (CORE-TEAM-1).
- ``deliver``: one composed message handed to an SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS
  and AUTH, a fresh connection per message as the desk makes), median per message.

    .venv/bin/python benchmarks/mail.py --cases 10000 --runs 3

Needs the test extra (aiosmtpd) and openssl. Numbers stretch with the machine's load: it is
printed beside them.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import desk_data  # noqa: E402

from workbench import clock  # noqa: E402
from workbench.desk import Desk  # noqa: E402
from workbench.desk.notifications import mail_notices  # noqa: E402
from workbench.mail.compose import compose  # noqa: E402
from workbench.mail.outbound import SmtpServer, deliver  # noqa: E402
from workbench.plugins import get_plugins  # noqa: E402
from workbench.store.memory import MemoryStore  # noqa: E402


def timed(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def smtp_server(folder: Path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    os.environ["SSL_CERT_FILE"] = str(cert)
    os.environ["WORKBENCH_SMTP_USER"], os.environ["WORKBENCH_SMTP_PASSWORD"] = "bench", "bench-pw"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=lambda *a: AuthResult(success=True, handled=False),
    )
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, "starttls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    clock.set_now(desk_data.NOW)
    store = MemoryStore()
    desk_data.generate(store, cases=args.cases)
    desk = Desk(store, get_plugins(), actor="lead")
    desk.add_agent("lead", "Desk Lead", email="lead@reseller.example", role="lead")
    notices: list = []
    notices_time = timed(lambda: notices.extend(mail_notices(desk)), args.runs)
    case = next(c for c in desk.cases(open_only=True, vendor="bittitan") if c.state == "open")
    desk.set_setting("mail.from", "desk@reseller.example")
    desk.set_setting("bittitan.support_email", "support@bittitan.example")
    composed = compose(desk, case.id, "vendor", "benchmark")
    with tempfile.TemporaryDirectory() as folder:
        controller, server = smtp_server(Path(folder))
        try:
            per_message = timed(
                lambda: deliver(composed.message, composed.sender, composed.recipients, server), args.messages
            )
        finally:
            controller.stop()
    load = os.getloadavg()[0]
    open_cases = len(desk.cases(open_only=True))
    print(f"desk: {args.cases} cases, {open_cases} open; load average {load:.2f}")
    print(
        f"mail_notices (one sweep's notices, {len(notices) // args.runs} found): {notices_time * 1000:.0f} ms"
    )
    print(
        f"deliver one message over STARTTLS + AUTH on 127.0.0.1: {per_message * 1000:.1f} ms (median of "
        f"{args.messages})"
    )


if __name__ == "__main__":
    main()
