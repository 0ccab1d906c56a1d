"""Copying a whole desk from one store to another (``workbench db copy FROM TO``): between
the desk file and PostgreSQL, either way, every record, event and counter, checked.

The source's writer lock is held for the whole copy (nobody changes it meanwhile); the
target must hold no desk data yet and gets everything in one transaction (all or
nothing). The copy is then read back from a freshly opened target and compared with the
source: the counts and a SHA-256 digest of the records, events and counters (records
sorted by key, events in order, each in canonical JSON) must be equal before it is done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from workbench.errors import StoreError
from workbench.store.base import KINDS, Store


@dataclass(frozen=True)
class Summary:
    """What a desk holds: how many of each kind, events and counters, and their digest."""

    counts: dict[str, int]
    digest: str


def summarize(store: Store) -> Summary:
    """The counts and digest of everything ``store`` holds."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for kind in KINDS:
        records = sorted(store.all(kind), key=_key_of(kind))
        counts[kind] = len(records)
        for record in records:
            digest.update(orjson.dumps([kind, record], option=orjson.OPT_SORT_KEYS))
    events = store.events()
    counts["events"] = len(events)
    for event in events:
        digest.update(orjson.dumps(event, option=orjson.OPT_SORT_KEYS))
    counters = store.counters()
    counts["counters"] = len(counters)
    digest.update(orjson.dumps(counters, option=orjson.OPT_SORT_KEYS))
    return Summary(counts, digest.hexdigest())


def _key_of(kind: str) -> Callable[[dict], str]:
    name = "key" if kind == "settings" else "id"
    return lambda record: str(record.get(name, ""))


def copy_desk(source: Store, target: Store, reopen: Callable[[], Store]) -> Summary:
    """Copy everything from ``source`` into the empty ``target``, then check the copy
    read back through ``reopen()`` (a new store on the target); returns what was copied.
    Raises :class:`StoreError` when the target holds data or the check fails."""
    held = {kind: len(target.all(kind)) for kind in KINDS}
    if any(held.values()) or target.events():
        what = ", ".join(f"{n} {kind}" for kind, n in held.items() if n) or "events"
        raise StoreError(
            f"{target.location} already holds desk data ({what}): copy only into an empty desk; "
            "nothing was changed"
        )
    with source.transaction():  # the source's writer lock: nobody changes it while we copy
        expected = summarize(source)
        with target.transaction() as tx:
            for kind in KINDS:
                for record in source.all(kind):
                    tx.put(kind, str(record["key" if kind == "settings" else "id"]), record)
            for event in source.events():
                if tx.append_event(event) != event["id"]:
                    raise StoreError(
                        f"{source.location}: event {event['id']} is out of sequence; nothing was copied"
                    )
            for name, value in source.counters().items():
                tx.advance_number(name, value)
    copied = reopen()
    try:
        found = summarize(copied)
    finally:
        copied.close()
    if found != expected:
        raise StoreError(
            f"the copy at {target.location} does not match {source.location} (counts {found.counts} "
            f"against {expected.counts}, digest {found.digest[:12]} against {expected.digest[:12]}): "
            "remove it before trying again"
        )
    return expected
