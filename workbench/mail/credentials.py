"""The SMTP login: from the environment, a netrc file or the system keyring, in that order —
never from the desk (a desk file, an export or a PostgreSQL row is read by more people than
the password's owner) and never shown: what the desk says of a login is its user name and
where it came from."""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass, field
from pathlib import Path

USER_VARIABLE = "WORKBENCH_SMTP_USER"
PASSWORD_VARIABLE = "WORKBENCH_SMTP_PASSWORD"
KEYRING_SERVICE = "workbench-smtp"
"""The keyring service the login is kept under: ``workbench-smtp:HOST``
(``keyring set workbench-smtp:smtp.example.com desk@example.com``)."""


class CredentialsUnreadable(Exception):
    """A source of the login exists but cannot be read: which, and why (never the password)."""


@dataclass(frozen=True)
class Login:
    """A user name and its password, and where they came from."""

    user: str
    password: str = field(repr=False)
    source: str
    """``WORKBENCH_SMTP_USER / WORKBENCH_SMTP_PASSWORD``, ``netrc ~/.netrc`` or ``keyring``."""

    def __str__(self) -> str:
        return f"{self.user} (from {self.source})"


def smtp_login(host: str) -> Login | None:
    """The login for the SMTP server ``host``: the environment's pair, else the netrc entry
    ``machine HOST`` (``NETRC`` or ``~/.netrc``), else the keyring's credential under
    ``workbench-smtp:HOST`` (when the ``keyring`` package is installed); ``None`` when none
    has one (the server is used without logging in)."""
    return _environment() or _netrc(host) or _keyring(host)


def _environment() -> Login | None:
    user, password = os.environ.get(USER_VARIABLE, ""), os.environ.get(PASSWORD_VARIABLE, "")
    if not user and not password:
        return None
    if not (user and password):
        missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
        raise CredentialsUnreadable(
            f"{missing} is not set: give both {USER_VARIABLE} and {PASSWORD_VARIABLE}"
        )
    return Login(user, password, f"{USER_VARIABLE} / {PASSWORD_VARIABLE}")


def _netrc(host: str) -> Login | None:
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "msg", None) or getattr(error, "strerror", None) or type(error).__name__
        raise CredentialsUnreadable(f"the netrc file {path} cannot be read: {reason}") from None
    if entry is None or not entry[0]:
        return None
    return Login(entry[0], entry[2] or "", f"netrc {path}")


def _keyring(host: str) -> Login | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        credential = keyring.get_credential(f"{KEYRING_SERVICE}:{host}", None)
    except KeyringError as error:
        raise CredentialsUnreadable(f"the system keyring cannot be read: {type(error).__name__}") from None
    if credential is None or not credential.username:
        return None
    return Login(credential.username, credential.password, "keyring")
