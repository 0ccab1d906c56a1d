"""A local Maildir the desk's mail is delivered to (setting ``mail.maildir``).

A message not yet taken is one in ``new/``, or one in ``cur/`` without the Seen flag (``S``
in its info, ``:2,S``). Once the desk has recorded it, the message's file is renamed into
``cur/`` with ``S`` added, as a mail reader marks a message read; its bytes are never
changed. Two pollers at once may both read a message: the desk takes it once (by its
Message-ID, under the writer lock), and the second rename finds the file gone, which is
fine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import BadInput

INFO = ":2,"
"""What separates a Maildir file's unique name from its flags."""


@dataclass(frozen=True)
class Delivered:
    """One message waiting in the Maildir."""

    path: Path

    @property
    def source(self) -> str:
        return f"maildir:{self.path.parent.parent}"

    def read(self) -> bytes:
        return self.path.read_bytes()

    def mark_taken(self) -> None:
        """Move the message to ``cur/`` with the Seen flag (another poller may have done it)."""
        name, _, flags = self.path.name.partition(INFO)
        seen = "".join(sorted(set(flags) | {"S"}))
        try:
            os.rename(self.path, self.path.parent.parent / "cur" / f"{name}{INFO}{seen}")
        except FileNotFoundError:
            pass


def check_maildir(path: str) -> Path:
    """``path`` as a Maildir (``cur``, ``new`` and ``tmp`` folders), or bad input naming it."""
    folder = Path(path).expanduser()
    if not all((folder / sub).is_dir() for sub in ("cur", "new", "tmp")):
        raise BadInput("mail.maildir", f"{path} is not a Maildir (it needs the folders cur, new and tmp)")
    return folder


def waiting(path: str) -> Iterator[Delivered]:
    """The messages of the Maildir at ``path`` not yet taken, oldest delivery first."""
    folder = check_maildir(path)
    found = []
    for sub in ("new", "cur"):
        for entry in os.scandir(folder / sub):
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            if sub == "cur" and "S" in entry.name.partition(INFO)[2]:
                continue
            found.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
    for _, _, file in sorted(found):
        yield Delivered(file)
