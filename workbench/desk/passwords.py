"""Agents' passwords for the desk served to browsers (``workbench serve``).

A password is kept only as an scrypt hash (``hashlib.scrypt``, N=2**15, r=8, p=1, a random
16-byte salt): one record of the ``settings`` kind, key ``passwords``::

    {"key": "passwords", "value": {HANDLE: "scrypt$15$8$1$SALT$HASH", …}}

apart from the team record, so ``agent list --json`` and the team's history never show a
hash. Setting one is a change of the team: the agent themselves or a lead does it
(CORE-TEAM-1), and the event records that a password was set, never the password or its hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from workbench.desk import agents, records
from workbench.errors import BadInput, NotFound, Refused
from workbench.model import Agent, Decision

if TYPE_CHECKING:
    from workbench.desk.agents import Reader
    from workbench.desk.facade import Desk

PASSWORDS = "passwords"
"""The key of the passwords' record (kind ``settings``)."""

SHORTEST = 12
"""A password has at least this many characters."""

COST = 15  # log2 of scrypt's N: 32 MiB of memory and some 50 ms a try
BLOCK = 8
PARALLEL = 1


def _scrypt(password: str, salt: bytes, cost: int, block: int, parallel: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=2**cost, r=block, p=parallel, maxmem=2**26, dklen=32
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, COST, BLOCK, PARALLEL)
    encode = base64.b64encode
    return f"scrypt${COST}${BLOCK}${PARALLEL}${encode(salt).decode()}${encode(digest).decode()}"


def matches(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` (a hash made by :func:`hash_password`) keeps."""
    scheme, cost, block, parallel, salt, digest = stored.split("$")
    tried = _scrypt(password, base64.b64decode(salt), int(cost), int(block), int(parallel))
    return scheme == "scrypt" and hmac.compare_digest(tried, base64.b64decode(digest))


def set_password(desk: Desk, handle: str, password: str) -> Agent:
    """Keep the hash of ``handle``'s new password: the agent themselves or a lead sets it
    (CORE-TEAM-1)."""
    if len(password) < SHORTEST:
        raise BadInput(
            "password", f"a password has at least {SHORTEST} characters; this one has {len(password)}"
        )
    hashed = hash_password(password)
    with desk.store.transaction() as tx:
        roster = agents.team(tx)
        if handle not in roster:
            raise NotFound("agent", handle)
        me = agents.acting(desk, tx)
        if me is not None and me.handle != handle and not me.is_lead:
            raise Refused(
                Decision(
                    False,
                    "CORE-TEAM-1",
                    f"setting {handle}'s password needs the lead role; {me.handle} is an agent",
                )
            )
        record = tx.get("settings", PASSWORDS) or {"key": PASSWORDS, "value": {}}
        record["value"][handle] = hashed
        tx.put("settings", PASSWORDS, record)
        records.record_event(
            desk, tx, "settings", PASSWORDS, "agent-password", None, {"agent": handle}, rule="CORE-TEAM-1"
        )
    return roster[handle]


def signed_in(reader: Reader, handle: str, password: str) -> Agent | None:
    """The active agent ``handle`` when ``password`` is theirs; ``None`` otherwise (no such
    agent, an inactive one, no password set, or a wrong one: the same answer for each)."""
    found = agents.team(reader).get(handle)
    stored = ((reader.get("settings", PASSWORDS) or {}).get("value") or {}).get(handle)
    if stored is None:
        _scrypt(password, b"0" * 16, COST, BLOCK, PARALLEL)  # as slow as a real check
        return None
    if not matches(stored, password) or found is None or not found.active:
        return None
    return found
