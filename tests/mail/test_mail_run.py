"""``workbench run`` takes the desk's mail on its schedule, before each sweep, and logs what
it took (issue #21 §1, §4)."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_run import Runner, workbench
from tests.mail.conftest import Maildir, message


def test_run_takes_new_mail_before_each_sweep_and_logs_it(tmp_path: Path) -> None:
    db = tmp_path / "desk.json"
    box = Maildir(tmp_path / "Maildir")
    assert workbench(db, "settings", "mail.maildir", str(box.path)).returncode == 0
    box.deliver(message("someone@example.org", "a \x1b[2J question", message_id="<run1@example.org>"))
    runner = Runner(db, "--every", "0.005")
    try:
        line = runner.wait_for("mail: M-1")
        assert "M-1 into the Inbox: someone@example.org “a \\x1b[2J question”" in line
        runner.wait_for("open cases checked")
        box.deliver(message("other@example.org", "later", message_id="<run2@example.org>"))
        assert "M-2 into the Inbox" in runner.wait_for("mail: M-2")
        assert runner.stop() == 0
    finally:
        if runner.process.poll() is None:
            runner.process.kill()
            runner.process.wait()
    assert sum("mail: M-1" in line for line in runner.lines) == 1  # taken once, not at every sweep
    listed = workbench(db, "mail", "list", "--all")
    assert listed.returncode == 0 and listed.stdout.count("Inbox") == 2
