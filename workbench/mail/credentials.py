"""A mail server's login (SMTP out, IMAP in): from the environment, a netrc file or the
system keyring, in that order — never from the desk (a desk file, an export or a PostgreSQL
row is read by more people than the password's owner) and never shown: what the desk says of
a login is its user name and where it came from."""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass, field
from pathlib import Path

KEYRING_SERVICE = "workbench-{protocol}"
"""The keyring service a login is kept under, with ``:HOST``: ``workbench-smtp:HOST``
(``keyring set workbench-smtp:smtp.example.com desk@example.com``), ``workbench-imap:HOST``."""


class CredentialsUnreadable(Exception):
    """A source of the login exists but cannot be read: which, and why (never the password)."""


@dataclass(frozen=True)
class Login:
    """A user name and its password, and where they came from."""

    user: str
    password: str = field(repr=False)
    source: str
    """``WORKBENCH_SMTP_USER / WORKBENCH_SMTP_PASSWORD``, ``netrc ~/.netrc`` or ``keyring SERVICE``."""

    def __str__(self) -> str:
        return f"{self.user} (from {self.source})"


def find_login(host: str, protocol: str) -> Login | None:
    """The login for ``protocol`` (``smtp``, ``imap``) on ``host``: the environment's pair
    ``WORKBENCH_<PROTOCOL>_USER`` / ``_PASSWORD``, else the netrc entry ``machine HOST``
    (``NETRC`` or ``~/.netrc``), else the keyring's credential under ``workbench-<protocol>:HOST``
    (when the ``keyring`` package is installed); ``None`` when none has one (the server is
    used without logging in). :class:`CredentialsUnreadable` when a source is broken."""
    return _environment(protocol) or _netrc(host) or _keyring(host, protocol)


def smtp_login(host: str) -> Login | None:
    """The login for the SMTP server ``host`` (:func:`find_login`)."""
    return find_login(host, "smtp")


def _environment(protocol: str) -> Login | None:
    user_variable = f"WORKBENCH_{protocol.upper()}_USER"
    password_variable = f"WORKBENCH_{protocol.upper()}_PASSWORD"
    user, password = os.environ.get(user_variable, ""), os.environ.get(password_variable, "")
    if not user and not password:
        return None
    if not (user and password):
        missing = user_variable if not user else password_variable
        raise CredentialsUnreadable(
            f"{missing} is not set: give both {user_variable} and {password_variable}"
        )
    return Login(user, password, f"{user_variable} / {password_variable}")


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


def _keyring(host: str, protocol: str) -> Login | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    service = f"{KEYRING_SERVICE.format(protocol=protocol)}:{host}"
    try:
        credential = keyring.get_credential(service, None)
    except KeyringError as error:
        raise CredentialsUnreadable(f"the system keyring cannot be read: {type(error).__name__}") from None
    if credential is None or not credential.username:
        return None
    return Login(credential.username, credential.password, f"keyring {service}")
