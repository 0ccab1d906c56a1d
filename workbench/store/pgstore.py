"""The desk in PostgreSQL: one desk a whole team shares, through psycopg 3.

A desk lives in the current schema of a database (``public`` unless the URL's
``options=-csearch_path=NAME`` says otherwise), in these tables:

``workbench_desk``     one row: the desk's id and its schema version
``workbench_commits``  one row per committed transaction: its number (``seq``), when, a
                       token, the last event id it left (append-only)
``workbench_records``  every record by ``(kind, key)``: its JSON (``jsonb``), whether it is a
                       closed case, and the ``seq`` of the transaction that last wrote it
``workbench_events``   every event by id, with its record's kind and key (append-only)
``workbench_counters`` the sequence counters (a trigger refuses moving one back)

It keeps the desk file's promises, the database doing the keeping: writers take one
advisory lock of the desk for the span of a transaction (so a check that guards a change
runs on the latest state, whoever the other writer is: CORE-AUDIT-1's order of history
included), catch up with what others committed, and commit with one ``COMMIT``; triggers
refuse UPDATE, DELETE and TRUNCATE on the events and commits for every role
(``ENABLE ALWAYS``: even with ``session_replication_role = replica``).

Readers keep the open records in memory, as the desk file's store does, and catch up with
the rows whose ``seq`` is past theirs (an index lookup); closed cases are read when asked
for. ``refresh`` costs nothing until a ``NOTIFY`` of another writer's commit arrives
(``LISTEN``), so a screen may call it every second.

Credentials never leave libpq: :attr:`PostgresStore.location` and every message name the
server by user, host, port and database only.
"""

from __future__ import annotations

import os
import select
import socket
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from workbench.errors import StoreError, StoreLocked
from workbench.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    KINDS,
    Definition,
    Window,
    in_window,
    instant,
    matches,
    tallied,
)
from workbench.store.staging import StagedTransaction, WriterMutex, check_kind, long_lived_objects, plain

if TYPE_CHECKING:
    from workbench.store.doctor import DoctorReport

SCHEMA = 3
"""The schema version this code writes; an older desk is migrated forward on open."""

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE workbench_desk (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    desk text NOT NULL,
    schema integer NOT NULL
);
CREATE TABLE workbench_commits (
    seq bigint PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    token uuid NOT NULL UNIQUE,
    last_event_id bigint NOT NULL
);
CREATE TABLE workbench_records (
    kind text NOT NULL,
    key text NOT NULL,
    data jsonb NOT NULL,
    closed boolean NOT NULL,
    seq bigint NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX workbench_records_seq ON workbench_records (seq);
CREATE INDEX workbench_records_open ON workbench_records (kind) WHERE NOT closed;
CREATE TABLE workbench_events (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    key text NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX workbench_events_record ON workbench_events (kind, key, id);
CREATE TABLE workbench_counters (
    name text PRIMARY KEY,
    value bigint NOT NULL
);
CREATE FUNCTION workbench_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'CORE-AUDIT-1: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE FUNCTION workbench_counter_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.value < OLD.value THEN
        RAISE EXCEPTION 'counter % never moves back or goes away; % refused', OLD.name, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER workbench_events_append_only BEFORE UPDATE OR DELETE ON workbench_events
    FOR EACH ROW EXECUTE FUNCTION workbench_append_only();
CREATE TRIGGER workbench_events_no_truncate BEFORE TRUNCATE ON workbench_events
    FOR EACH STATEMENT EXECUTE FUNCTION workbench_append_only();
CREATE TRIGGER workbench_commits_append_only BEFORE UPDATE OR DELETE ON workbench_commits
    FOR EACH ROW EXECUTE FUNCTION workbench_append_only();
CREATE TRIGGER workbench_commits_no_truncate BEFORE TRUNCATE ON workbench_commits
    FOR EACH STATEMENT EXECUTE FUNCTION workbench_append_only();
CREATE TRIGGER workbench_counters_forward BEFORE UPDATE OR DELETE ON workbench_counters
    FOR EACH ROW EXECUTE FUNCTION workbench_counter_forward();
ALTER TABLE workbench_events ENABLE ALWAYS TRIGGER workbench_events_append_only;
ALTER TABLE workbench_events ENABLE ALWAYS TRIGGER workbench_events_no_truncate;
ALTER TABLE workbench_commits ENABLE ALWAYS TRIGGER workbench_commits_append_only;
ALTER TABLE workbench_commits ENABLE ALWAYS TRIGGER workbench_commits_no_truncate;
ALTER TABLE workbench_counters ENABLE ALWAYS TRIGGER workbench_counters_forward;
""",
    2: """
CREATE INDEX workbench_records_data ON workbench_records USING gin (data jsonb_path_ops);
""",
    3: """
DROP INDEX workbench_records_data;
CREATE INDEX workbench_records_data ON workbench_records USING gin (data jsonb_path_ops) WHERE closed;
ALTER TABLE workbench_records ADD COLUMN sent_at timestamptz;
CREATE INDEX workbench_records_sent ON workbench_records (sent_at) WHERE closed;
""",
}
"""The statements that bring a desk from the version before to each version. Version 3
indexes only the closed cases' JSON (the open work is in every reader's memory, so a change
of an open case no longer rewrites its GIN entries) and keeps ``sent_at`` as an instant,
indexed for ``all(within=("sent_at", …))``; :func:`_fill_sent_at` fills it in."""

CONNECT_TIMEOUT = 5
"""Seconds to wait for the server when connecting (unless the URL sets its own)."""
LOCK_CLASS = 0x5742
"""The first key of the desk's advisory lock ("WB"); the second comes from the desk's id."""
SWEEPER_CLASS = 0x5753
"""The first key of the sweeper's lease ("WS", a session advisory lock); the second is the desk's."""
EVENTS_OF_RECORD = (
    "SELECT data::text FROM workbench_events WHERE id <= %s AND kind = %s AND key = %s ORDER BY id"
)
"""One record's events (through ``workbench_events_record``)."""
CLOSED = "SELECT key, data::text FROM workbench_records WHERE kind = 'cases' AND closed AND seq <= %s"
"""The closed cases (as of a commit)."""
MATCHING = " AND data @> %s::jsonb"
"""… holding some field values (through ``workbench_records_data``)."""
SENT_WITHIN = " AND sent_at > %s AND sent_at <= %s"
"""… sent inside a window (through ``workbench_records_sent``)."""
CLOSED_COUNT = "SELECT count(*) FROM workbench_records WHERE kind = 'cases' AND closed AND seq <= %s"
"""How many closed cases (as of a commit) …; a tally's conditions follow (:func:`_tally_where`)."""
CLOSED_MATCHING = CLOSED + MATCHING
CLOSED_SENT_WITHIN = CLOSED + SENT_WITHIN
INDEXED_INSTANT = "sent_at"
"""The one instant field kept in a column of its own, indexed: the field the desk asks
windows of (ZOHO-HOWTO-1's month of sent cases, the vendor report's month). A window on any
other field is checked on the rows ``match`` selected."""
HEAD = "SELECT seq, last_event_id FROM workbench_commits ORDER BY seq DESC LIMIT 1"
"""The last commit: its number and the last event id it left."""
COUNTERS = "SELECT name, value FROM workbench_counters"
WRITTEN_SINCE = "SELECT kind, key, data::text, closed FROM workbench_records WHERE seq > %s"
"""The records committed after a commit (through ``workbench_records_seq``)."""
OPEN_RECORDS = "SELECT kind, key, data::text, closed FROM workbench_records WHERE NOT closed"
"""Every record but the closed cases (through ``workbench_records_open``)."""
PUT_RECORDS = (
    "INSERT INTO workbench_records (kind, key, data, closed, seq, sent_at) "
    "SELECT kind, key, data::jsonb, closed, %s, sent_at "
    "FROM unnest(%b::text[], %b::text[], %b::text[], %b::boolean[], %b::timestamptz[]) "
    "AS put(kind, key, data, closed, sent_at) "
    "ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data, closed = EXCLUDED.closed, "
    "seq = EXCLUDED.seq, sent_at = EXCLUDED.sent_at"
)
"""A transaction's records, created or replaced, in one statement. The arrays go in
binary (``%b``): as text every quote of the JSON would be escaped, 0.2 ms a change."""
APPEND_EVENTS = (
    "INSERT INTO workbench_events (id, kind, key, data) "
    "SELECT id, kind, key, data::jsonb FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[]) "
    "AS event(id, kind, key, data)"
)
"""A transaction's events, in one statement."""
SET_COUNTERS = (
    "INSERT INTO workbench_counters (name, value) SELECT * FROM unnest(%b::text[], %b::bigint[]) "
    "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
)
RECORD_COMMIT = "INSERT INTO workbench_commits (seq, token, last_event_id) VALUES (%s, %s, %s)"
MANY_RECORDS = 500
"""More puts or events than this go in with COPY (an import, a desk copied here)."""


class StoreOffline(StoreError):
    """The desk's server cannot be reached (or the connection to it was lost); nothing was
    changed. The next call tries to connect again."""


class NoDesk(StoreError):
    """The database (its current schema) holds no desk yet."""


def describe(conninfo: str) -> str:
    """Where ``conninfo`` points, in words, without any password."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "a PostgreSQL desk (the URL cannot be read)"
    if "service" in params and not params.get("host"):
        where = f"postgresql service {params['service']}"
    else:
        user = f"{params['user']}@" if params.get("user") else ""
        host = str(params.get("host", ""))
        port = f":{params['port']}" if params.get("port") else ""
        database = params.get("dbname", "")
        if host.startswith("/"):
            where = f"postgresql://{user}/{database} (socket in {host}{', port ' + port[1:] if port else ''})"
        else:
            where = f"postgresql://{user}{host}{port}/{database}"
    return where + _schema_of(str(params.get("options", "")))


def _schema_of(options: str) -> str:
    for option in options.replace("-c ", "-c").split():
        if option.startswith("-csearch_path="):
            return f" schema {option.split('=', 1)[1]}"
    return ""


def password_in(conninfo: str) -> bool:
    """Whether ``conninfo`` carries a password (a command line must not: every user of the
    machine can read it in the process list)."""
    try:
        return bool(conninfo_to_dict(conninfo).get("password"))
    except psycopg.ProgrammingError:
        return False


class _Scrubber:
    """Takes any password of the URL out of a message before it is shown."""

    def __init__(self, conninfo: str) -> None:
        try:
            password = conninfo_to_dict(conninfo).get("password")
        except psycopg.ProgrammingError:
            password = None
        self._secret = str(password) if password else None

    def __call__(self, error: BaseException) -> str:
        text = " ".join(str(error).split())
        return text.replace(self._secret, "***") if self._secret else text


def _connect(conninfo: str, where: str, scrub: _Scrubber) -> psycopg.Connection:
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as error:
        raise StoreError(f"{where}: the PostgreSQL URL cannot be read ({scrub(error)})") from None
    extra: dict[str, Any] = {
        "application_name": f"workbench pid {os.getpid()} on {socket.gethostname()}"[:63],
    }
    if "connect_timeout" not in params:
        extra["connect_timeout"] = CONNECT_TIMEOUT
    if "keepalives_idle" not in params:
        # A network partition shows as a dead connection within ~25 s (idle) or 30 s (a
        # statement in flight) instead of the kernel's quarter of an hour.
        extra.update(keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
    if "tcp_user_timeout" not in params:
        extra["tcp_user_timeout"] = 30_000
    try:
        return psycopg.connect(conninfo, autocommit=True, **extra)
    except psycopg.OperationalError as error:
        raise StoreOffline(f"{where}: cannot connect to the desk's server ({scrub(error)})") from None
    except psycopg.Error as error:
        raise StoreError(f"{where}: cannot connect ({scrub(error)})") from None


def _desk_row(connection: psycopg.Connection) -> tuple[str, int] | None:
    """The desk's id and schema version, or ``None`` where the schema holds no desk."""
    exists = connection.execute("SELECT to_regclass('workbench_desk') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    row = connection.execute("SELECT desk, schema FROM workbench_desk").fetchone()
    return (row[0], row[1]) if row else None


def _migrate(connection: psycopg.Connection, desk: str, since: int, upto: int = SCHEMA) -> None:
    """Apply the migrations after version ``since`` up to ``upto``, in the caller's
    transaction, under the desk's lock."""
    for version in range(since + 1, upto + 1):
        connection.execute(MIGRATIONS[version])
        if version == 3:
            _fill_sent_at(connection)
    connection.execute("UPDATE workbench_desk SET schema = %s", [upto])


def _fill_sent_at(connection: psycopg.Connection) -> None:
    """Fill the ``sent_at`` column of the records already there, read as the desk reads an
    instant (:func:`workbench.store.base.instant`: ISO-8601 text with its offset), so the
    index answers a window exactly as the desk file's store does."""
    rows = connection.execute(
        "SELECT kind, key, data->>%s FROM workbench_records WHERE jsonb_typeof(data->%s) = 'string'",
        [INDEXED_INSTANT, INDEXED_INSTANT],
    ).fetchall()
    instants = [(kind, key, moment) for kind, key, text in rows if (moment := instant(text)) is not None]
    if instants:
        kinds, keys, moments = (list(column) for column in zip(*instants, strict=True))
        connection.execute(
            "UPDATE workbench_records r SET sent_at = filled.at "
            "FROM unnest(%s::text[], %s::text[], %s::timestamptz[]) AS filled(kind, key, at) "
            "WHERE r.kind = filled.kind AND r.key = filled.key",
            [kinds, keys, moments],
        )


def init_desk(conninfo: str, *, schema: int = SCHEMA) -> str:
    """Create an empty desk in the database (its current schema) at ``conninfo`` and
    return where it is, in words. Refuses where a desk already is. ``schema`` is for the
    migration tests: a desk as an older version made it."""
    where, scrub = describe(conninfo), _Scrubber(conninfo)
    with _connect(conninfo, where, scrub) as connection:
        try:
            with connection.transaction():
                current = connection.execute("SELECT current_schema()").fetchone()
                if current is None or current[0] is None:
                    raise StoreError(
                        f"{where}: no schema to create the desk in (the search_path names none "
                        "that exists); create the schema first"
                    )
                connection.execute("SELECT pg_advisory_xact_lock(%s, 0)", [LOCK_CLASS])
                found = _desk_row(connection)
                if found is not None:
                    raise StoreError(f"{where} already holds a desk (schema {found[1]}); nothing was changed")
                desk = uuid.uuid4().hex
                connection.execute(MIGRATIONS[1])
                connection.execute("INSERT INTO workbench_desk (desk, schema) VALUES (%s, 1)", [desk])
                _migrate(connection, desk, 1, schema)
        except psycopg.Error as error:
            raise StoreError(
                f"{where}: creating the desk failed ({scrub(error)}); nothing was changed"
            ) from None
    return where


class PostgresStore:
    """One desk in PostgreSQL; see the module docstring."""

    def __init__(self, conninfo: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self._conninfo = conninfo
        self._scrub = _Scrubber(conninfo)
        self.location = describe(conninfo)
        self.lock_timeout = lock_timeout
        self._writer = WriterMutex()
        self._connection: psycopg.Connection | None = None
        self._listening = False
        self._notified = False
        """Whether another agent's commit was notified since the last catch-up."""
        self._closed = False
        self.migrated_from: int | None = None
        """The schema version the desk had when opening migrated it, else ``None``."""
        self._desk = ""
        self._lock_key = 0
        self._seq = 0
        self._stale = True
        """Read every record again at the next catch-up (on opening; after a lost
        connection, when commits may have been missed)."""
        self._last_event_id = 0
        self._records: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        """Every record but the closed cases, as of commit :attr:`_seq`."""
        self._closed_cases: dict[str, dict[str, Any]] = {}
        """Closed cases read so far (every one of them once :attr:`_all_closed`)."""
        self._all_closed = False
        self._open()

    # -- reading ------------------------------------------------------------------------

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        check_kind(kind)
        record = self._lookup(kind, key)
        return plain(record) if record is not None else None

    def all(
        self,
        kind: str,
        *,
        closed: bool = True,
        match: dict[str, Any] | None = None,
        within: Window | None = None,
    ) -> list[dict[str, Any]]:
        check_kind(kind)
        found = _selected(self._records[kind].values(), match, within)
        if kind == "cases" and closed:
            found += self._closed_matching(match, within)
        return found

    def tally(self, definition: Definition, sent_within: tuple[datetime, datetime]) -> int:
        """The open cases counted in memory; the closed ones by one ``count(*)`` through the
        ``sent_at`` index, the tally's conditions on the record in SQL: no case is read."""
        after, until = sent_within
        if after.tzinfo is None or until.tzinfo is None:
            raise TypeError("a window's bounds are instants: give them with their offset")
        within = (INDEXED_INSTANT, after, until)
        records = self._records["cases"].values()
        if self._all_closed:
            records = [*records, *self._closed_cases.values()]
        found = sum(1 for record in records if in_window(record, within) and tallied(definition, record))
        if self._all_closed:
            return found
        conditions, values = _tally_where(definition)
        rows = self._query(CLOSED_COUNT + SENT_WITHIN + conditions, [self._seq, after, until, *values])
        return found + rows[0][0]

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        self._check_open()
        if kind is not None:
            check_kind(kind)
        if kind is not None and key is not None:
            rows = self._query(EVENTS_OF_RECORD, [self._last_event_id, kind, key])
            return [orjson.loads(row[0]) for row in rows]
        conditions, values = ["id <= %s"], [self._last_event_id]
        if kind is not None:
            conditions.append("kind = %s")
            values.append(kind)
        if key is not None:
            conditions.append("key = %s")
            values.append(key)
        rows = self._query(
            f"SELECT data::text FROM workbench_events WHERE {' AND '.join(conditions)} ORDER BY id",
            values,
        )
        return [orjson.loads(row[0]) for row in rows]

    def desk_id(self) -> str | None:
        """The desk's id (``workbench_desk``)."""
        return self._desk or None

    def desk_version(self) -> int:
        """A number that changes whenever anything is written to the desk: the last commit
        this store has read."""
        return self._seq

    def record_versions(self, kind: str, keys: list[str]) -> dict[str, int]:
        """For each record, the id of its last event as this store has read the desk (0 for
        none): one query, through the index of events by record."""
        check_kind(kind)
        rows = self._query(
            "SELECT key, max(id) FROM workbench_events WHERE kind = %s AND key = ANY(%s) AND id <= %s "
            "GROUP BY key",
            [kind, list(keys), self._last_event_id],
        )
        return {**dict.fromkeys(keys, 0), **{key: int(last) for key, last in rows}}

    def kept_path(self, name: str) -> str:
        """Where a cache of this desk named ``name`` is kept: a file of this user's cache
        folder on this machine, named by the database and the desk's id. Not a table: a
        cache in the database would make every read a write to the shared server (a
        read-only role could not keep one, and agents would wait on each other's)."""
        import hashlib

        import platformdirs

        folder = platformdirs.user_cache_dir("case-workbench", appauthor=False)
        where = hashlib.blake2b(f"{self.location}\0{self._desk}".encode(), digest_size=12).hexdigest()
        return os.path.join(folder, f"{name}-{where}.json")

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """Every event in order, streamed from the server a row at a time."""
        self._check_open()
        statement = "SELECT data::text FROM workbench_events WHERE id <= %s ORDER BY id"
        for (data,) in self._stream(statement, [self._last_event_id]):
            yield orjson.loads(data)

    def iter_all(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every record of ``kind``: those in memory, then the closed cases streamed from
        the server a row at a time (every one of them when they are all in memory)."""
        check_kind(kind)
        yield from list(self._records[kind].values())
        if kind != "cases":
            return
        if self._all_closed:
            yield from list(self._closed_cases.values())
            return
        statement = "SELECT data::text FROM workbench_records WHERE kind = 'cases' AND closed AND seq <= %s"
        for (data,) in self._stream(statement, [self._seq]):
            yield orjson.loads(data)

    def _stream(self, statement: str, values: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of a read as the server sends them, in words when the server is gone."""
        try:
            yield from self._live_connection().cursor().stream(statement, values)
        except psycopg.OperationalError as error:
            self._drop_connection()
            raise StoreOffline(
                f"{self.location}: the connection to the desk's server was lost ({self._scrub(error)})"
            ) from None
        except psycopg.Error as error:
            raise StoreError(f"{self.location}: reading the desk failed ({self._scrub(error)})") from None

    def counters(self) -> dict[str, int]:
        """Every sequence counter at its current value."""
        return {name: value for name, value in self._query("SELECT name, value FROM workbench_counters", [])}

    def refresh(self) -> bool:
        """Pick up what other agents committed. Costs no round trip until the server has
        notified a commit (a moment after the commit returned: the first call listens and
        looks once); raises :class:`StoreOffline` while the server cannot be reached (and
        connects again on the next call)."""
        self._check_open()
        with self._writer.hold_if_free() as free:
            if not free:
                return False
            try:
                connection = self._live_connection()
                if not self._listening:
                    # Commits made before we listened were not notified: look once.
                    connection.execute(f"LISTEN {self._channel}")
                    self._listening = self._notified = True
                if not (self._notified or self._stale):
                    return False
                self._notified = False
                return self._catch_up(connection)
            except psycopg.OperationalError as error:
                self._drop_connection()
                raise StoreOffline(
                    f"{self.location}: the connection to the desk's server was lost "
                    f"({self._scrub(error)}); reconnecting"
                ) from None
            except psycopg.Error as error:
                raise StoreError(f"{self.location}: reading the desk failed ({self._scrub(error)})") from None

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[StagedTransaction]:
        """Two round trips to the server: one takes the desk's lock and catches up
        (:meth:`_begin`), the other writes the change and commits it (:meth:`_commit`)."""
        self._check_open()
        with self._writer.hold(self.location):
            connection = self._live_connection()
            token = uuid.uuid4()
            committing = False
            tx: StagedTransaction | None = None
            try:
                counters = self._begin(connection)
                tx = StagedTransaction(
                    lambda kind, key: self._lookup(kind, key, connection), counters, self._last_event_id
                )
                try:
                    yield tx
                finally:
                    tx.close()
                committing = tx.changed
                written = self._commit(connection, tx, token)
            except psycopg.OperationalError as error:
                self._drop_connection()
                outcome = self._outcome(token) if committing else False
                if outcome:
                    return  # it is in; the next catch-up reads it back
                raise self._write_error(error, outcome) from None
            except psycopg.Error as error:
                self._roll_back(connection)
                raise StoreError(
                    f"{self.location}: the change was not saved ({self._refusal(error, tx)})"
                ) from None
            except BaseException:
                self._roll_back(connection)
                raise
            self._apply(tx, written)

    def sweeper_lease(self) -> PostgresLease:
        """The lease of the desk's one scheduled sweeper: a session advisory lock on a
        connection of its own, dropped by the server when the holder's connection ends."""
        return PostgresLease(self._conninfo, self.location, self._scrub, self._lock_key)

    def close(self) -> None:
        self._drop_connection()
        self._closed = True

    # -- inside -------------------------------------------------------------------------

    @property
    def _channel(self) -> str:
        return f"workbench_{self._desk}"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.location}: the store was closed")

    def _live_connection(self) -> psycopg.Connection:
        """The connection, made again when it was lost (a server restart). Anything the
        server sent while we were idle — a notification, or the news that it is going away —
        is taken in first (an idle socket with nothing to read costs one ``select``)."""
        connection = self._connection
        waiting = connection is not None and not connection.closed
        if waiting and select.select([connection.fileno()], [], [], 0)[0]:
            try:
                connection.execute("SELECT 1")
            except psycopg.OperationalError:
                self._drop_connection()
        if self._connection is None or self._connection.closed:
            self._connection = _connect(self._conninfo, self.location, self._scrub)
            self._connection.add_notify_handler(self._on_notify)
            self._listening = False
            self._stale = True
        return self._connection

    def _on_notify(self, notify: psycopg.Notify) -> None:
        if self._connection is not None and notify.pid != self._connection.info.backend_pid:
            self._notified = True

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._listening = False

    def _query(self, statement: str, values: list[Any]) -> list[tuple[Any, ...]]:
        """Rows of a read, in words when the server is gone."""
        try:
            return self._live_connection().execute(statement, values).fetchall()
        except psycopg.OperationalError as error:
            self._drop_connection()
            raise StoreOffline(
                f"{self.location}: the connection to the desk's server was lost ({self._scrub(error)})"
            ) from None
        except psycopg.Error as error:
            raise StoreError(f"{self.location}: reading the desk failed ({self._scrub(error)})") from None

    def _open(self) -> None:
        """Connect, read the desk's id and version, its last commit and the open records in
        one round trip (one snapshot of the database), and migrate an older desk forward."""
        connection = self._live_connection()
        try:
            try:
                with connection.pipeline():
                    connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    desk = connection.execute("SELECT desk, schema FROM workbench_desk")
                    head = connection.execute(HEAD)
                    records = connection.execute(OPEN_RECORDS)
                    connection.execute("COMMIT")
            except pg_errors.UndefinedTable:
                found = None
            else:
                found = desk.fetchone()
            if found is None:
                raise NoDesk(
                    f"{self.location} holds no desk: create one with `workbench db init URL` or "
                    "copy one there with `workbench db copy FROM URL`"
                )
            self._desk, version = found
            self._lock_key = int(self._desk[:7], 16)
            if version > SCHEMA:
                raise StoreError(
                    f"{self.location} holds a desk of schema {version}, newer than this Case "
                    f"Workbench knows ({SCHEMA}): upgrade Case Workbench; nothing was changed"
                )
            if version < SCHEMA:
                with connection.transaction():
                    self._lock(connection)
                    current = _desk_row(connection)
                    if current is not None and current[1] < SCHEMA:
                        _migrate(connection, self._desk, current[1])
                        self.migrated_from = current[1]
                self._catch_up(connection)
            else:
                with long_lived_objects():
                    self._take(records.fetchall(), *(head.fetchone() or (0, 0)))
        except psycopg.OperationalError as error:
            self._drop_connection()
            raise StoreOffline(f"{self.location}: the connection was lost ({self._scrub(error)})") from None
        except psycopg.Error as error:
            self._drop_connection()
            raise StoreError(f"{self.location}: opening the desk failed ({self._scrub(error)})") from None
        except StoreError:
            self._drop_connection()
            raise

    def _lock(self, connection: psycopg.Connection) -> None:
        """Take the desk's writer lock for the transaction, waiting ``lock_timeout``."""
        connection.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{int(self.lock_timeout * 1000)}ms"]
        )
        connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, self._lock_key])

    def _locked_out(self) -> StoreLocked:
        return StoreLocked(
            f"{self.location} is locked by {self._holder()}; waited {self.lock_timeout:g} s. "
            "Try again when it has finished."
        )

    def _holder(self) -> str:
        """Who holds the desk's writer lock, in words (from another connection: ours is in
        a failed transaction)."""
        try:
            with _connect(self._conninfo, self.location, self._scrub) as probe:
                row = probe.execute(
                    "SELECT a.application_name, a.client_addr::text, a.xact_start "
                    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s::oid "
                    "AND l.objid = %s::oid AND l.objsubid = 2",
                    [LOCK_CLASS, self._lock_key],
                ).fetchone()
        except (StoreError, psycopg.Error):
            row = None
        if row is None:
            return "another agent (it has just let go)"
        name, address, since = row
        via = f" from {address}" if address else ""
        started = f" (in its transaction since {since.isoformat(timespec='seconds')})" if since else ""
        return f"{name or 'another client'}{via}{started}"

    def _catch_up(self, connection: psycopg.Connection) -> bool:
        """Apply what was committed after :attr:`_seq`; ``True`` when there was anything.
        When :attr:`_stale` (after a lost connection), read every open record again."""
        head = connection.execute(HEAD).fetchone()
        seq, last_event_id = head if head else (0, 0)
        if seq == self._seq and not self._stale:
            return False
        if self._stale:
            self._records = {kind: {} for kind in KINDS}
            self._closed_cases, self._all_closed = {}, False
            with long_lived_objects():
                rows = connection.execute(OPEN_RECORDS + " AND seq <= %s", [seq]).fetchall()
                return self._take(rows, seq, last_event_id)
        rows = connection.execute(WRITTEN_SINCE + " AND seq <= %s", [self._seq, seq]).fetchall()
        return self._take(rows, seq, last_event_id)

    def _take(self, rows: list[tuple[Any, ...]], seq: int, last_event_id: int) -> bool:
        """Apply the records ``rows`` written up to commit ``seq``; ``True`` when it is new."""
        for kind, key, data, closed in rows:
            self._put(kind, key, orjson.loads(data), closed)
        changed = seq != self._seq
        self._seq, self._last_event_id, self._stale = seq, last_event_id, False
        return changed

    def _begin(self, connection: psycopg.Connection) -> dict[str, int]:
        """Begin a transaction, take the desk's writer lock (waiting ``lock_timeout``),
        catch up with what others committed and read the counters: one round trip (a
        pipeline). Holding the lock, nobody commits meanwhile, so the records written
        after :attr:`_seq` are exactly those up to the last commit."""
        try:
            with connection.pipeline():
                connection.execute("BEGIN")
                self._lock(connection)
                head = connection.execute(HEAD)
                counters = connection.execute(COUNTERS)
                written = None if self._stale else connection.execute(WRITTEN_SINCE, [self._seq])
        except pg_errors.LockNotAvailable:
            raise self._locked_out() from None
        if written is None:
            self._catch_up(connection)
        else:
            self._take(written.fetchall(), *(head.fetchone() or (0, 0)))
        return dict(counters.fetchall())

    def _put(self, kind: str, key: str, record: dict[str, Any], closed: bool) -> None:
        if closed:
            self._records[kind].pop(key, None)
            self._closed_cases[key] = record
        else:
            self._records[kind][key] = record
            if kind == "cases":  # a customer may bear a closed case's key: that case stays
                self._closed_cases.pop(key, None)

    def _lookup(
        self, kind: str, key: str, connection: psycopg.Connection | None = None
    ) -> dict[str, Any] | None:
        """The stored record (the store's own dict), reading a closed case from the server
        the first time it is asked for."""
        record = self._records[kind].get(key)
        if record is not None or kind != "cases":
            return record
        if key in self._closed_cases or self._all_closed:
            return self._closed_cases.get(key)
        statement = (
            "SELECT data::text FROM workbench_records "
            "WHERE kind = 'cases' AND key = %s AND closed AND seq <= %s"
        )
        if connection is None:
            rows = self._query(statement, [key, self._seq])
        else:
            rows = connection.execute(statement, [key, self._seq]).fetchall()
        if not rows:
            return None
        record = self._closed_cases[key] = orjson.loads(rows[0][0])
        return record

    def _closed_matching(self, match: dict[str, Any] | None, within: Window | None) -> list[dict[str, Any]]:
        """The closed cases whose fields equal ``match`` and whose instant lies ``within``
        (all of them with neither): a ``WHERE`` through the JSON index and the ``sent_at``
        index, unless every closed case is already in memory."""
        if self._all_closed:
            return _selected(self._closed_cases.values(), match, within)
        statement, values = CLOSED, [self._seq]
        wanted = {name: value for name, value in (match or {}).items() if value is not None}
        if wanted:
            statement += MATCHING
            values.append(orjson.dumps(wanted).decode())
        indexed = within is not None and within[0] == INDEXED_INSTANT
        if within is not None and indexed:
            _, after, until = within
            if after.tzinfo is None or until.tzinfo is None:
                raise TypeError("a window's bounds are instants: give them with their offset")
            statement += SENT_WITHIN
            values += [after, until]
        found = []
        rows = self._query(statement, values)
        with long_lived_objects(freeze=False):  # every closed case, on the first listing of all
            for key, data in rows:
                record = self._closed_cases.get(key)
                if record is None:
                    record = self._closed_cases[key] = orjson.loads(data)
                if matches(record, match) and (indexed or in_window(record, within)):
                    found.append(record)
        if not match and within is None:
            self._all_closed = True
        return found

    def _commit(
        self, connection: psycopg.Connection, tx: StagedTransaction, token: uuid.UUID
    ) -> list[tuple[str, str, dict[str, Any], bool]]:
        """Write the transaction's changes as commit ``_seq + 1`` and commit: one round
        trip (a pipeline; an import's many rows go in with COPY first). Returns the records
        written, parsed, for :meth:`_apply`."""
        if not tx.changed:
            connection.execute("COMMIT")  # lets go of the lock
            return []
        seq = self._seq + 1
        records = [
            (kind, key, orjson.loads(data), (kind, key) in tx.closing)
            for (kind, key), data in tx.puts.items()
        ]
        rows = [
            (kind, key, data.decode(), closed, instant(record.get(INDEXED_INSTANT)))
            for (kind, key, record, closed), data in zip(records, tx.puts.values(), strict=True)
        ]
        first = tx.last_event_id - len(tx.events) + 1
        events = [
            (number, kind, key, event)
            for number, ((kind, key), event) in enumerate(
                zip(tx.events.records, _event_json(tx), strict=True), start=first
            )
        ]
        if len(rows) > MANY_RECORDS or len(events) > MANY_RECORDS:
            self._copy(connection, rows, events, seq)
            rows, events = [], []
        with connection.pipeline():
            if rows:
                connection.execute(PUT_RECORDS, [seq, *_columns(rows, 5)])
            if events:
                connection.execute(APPEND_EVENTS, _columns(events, 4))
            if tx.counters:
                connection.execute(SET_COUNTERS, [list(tx.counters), list(tx.counters.values())])
            connection.execute(RECORD_COMMIT, [seq, token, tx.last_event_id])
            connection.execute("SELECT pg_notify(%s, %s)", [self._channel, str(seq)])
            connection.execute("COMMIT")
        return records

    def _copy(
        self,
        connection: psycopg.Connection,
        rows: list[tuple[Any, ...]],
        events: list[tuple[Any, ...]],
        seq: int,
    ) -> None:
        """Many records and events (an import, a desk copied here) with COPY."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE workbench_incoming (LIKE workbench_records) ON COMMIT DROP"
            )
            with cursor.copy(
                "COPY workbench_incoming (kind, key, data, closed, sent_at, seq) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((*row, seq))
            cursor.execute(
                "INSERT INTO workbench_records SELECT * FROM workbench_incoming "
                "ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data, "
                "closed = EXCLUDED.closed, seq = EXCLUDED.seq, sent_at = EXCLUDED.sent_at"
            )
            with cursor.copy("COPY workbench_events (id, kind, key, data) FROM STDIN") as copy:
                for event in events:
                    copy.write_row(event)

    def _apply(self, tx: StagedTransaction, records: list[tuple[str, str, dict[str, Any], bool]]) -> None:
        """Bring memory up to the transaction just committed."""
        if not tx.changed:
            return
        for kind, key, record, closed in records:
            self._put(kind, key, record, closed)
        self._seq += 1
        self._last_event_id = tx.last_event_id

    def _roll_back(self, connection: psycopg.Connection) -> None:
        """End a transaction that failed (letting go of the lock); a connection that
        cannot even do that is dropped (the server then rolls back)."""
        if connection.closed or connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return
        try:
            connection.execute("ROLLBACK")
        except psycopg.Error:
            self._drop_connection()

    def _refusal(self, error: psycopg.Error, tx: StagedTransaction | None) -> str:
        """The server's reason for refusing a change, in words; for text PostgreSQL cannot
        hold (the NUL character), which records and events carry it."""
        if isinstance(error, pg_errors.UntranslatableCharacter) and tx is not None:
            holders = [
                f"{kind} {key}" for (kind, key), data in tx.puts.items() if _holds_nul(orjson.loads(data))
            ]
            holders += [
                f"an event of {kind} {key}"
                for (kind, key), event in zip(tx.events.records, _event_json(tx), strict=True)
                if _holds_nul(orjson.loads(event))
            ]
            return (
                "PostgreSQL cannot store the NUL character (\\u0000) in text"
                + (f": {', '.join(holders)} " if holders else " ")
                + "carries one; take it out and try again"
            )
        return self._scrub(error)

    def _outcome(self, token: uuid.UUID) -> bool | None:
        """Whether the transaction with ``token`` is in, asked over a new connection after
        the connection broke while committing it; ``None`` when that cannot be known."""
        try:
            with _connect(self._conninfo, self.location, self._scrub) as probe:
                found = probe.execute("SELECT 1 FROM workbench_commits WHERE token = %s", [token])
                return found.fetchone() is not None
        except (StoreError, psycopg.Error):
            return None

    def _write_error(self, error: BaseException, outcome: bool | None) -> StoreError:
        """The message for a connection lost during a transaction: not saved, or (lost
        while committing, and not known since) perhaps saved."""
        if outcome is None:
            return StoreOffline(
                f"{self.location}: the connection was lost while the change was committed "
                f"({self._scrub(error)}); it may or may not have been saved: look at the desk "
                "before doing it again"
            )
        return StoreOffline(
            f"{self.location}: the connection to the desk's server was lost "
            f"({self._scrub(error)}); the change was not saved"
        )


def _event_json(tx: StagedTransaction) -> Iterator[str]:
    """Each of the transaction's events as JSON text."""
    data, starts = tx.events.data, tx.events.starts
    ends = [start - 1 for start in starts[1:]] + [len(data)] if starts else []
    for start, end in zip(starts, ends, strict=True):
        yield data[start:end].decode()


def _selected(
    records: Iterable[dict[str, Any]], match: dict[str, Any] | None, within: Window | None
) -> list[dict[str, Any]]:
    """The records whose fields equal ``match`` and whose instant lies ``within`` (every
    one of them, without a test each, with neither: the filter of 50,000 cases lists them)."""
    if not match and within is None:
        return list(records)
    return [record for record in records if matches(record, match) and in_window(record, within)]


def _tally_where(definition: Definition) -> tuple[str, list[Any]]:
    """A tally's conditions (:func:`~workbench.store.base.tallied`) as SQL on the record:
    ``data #> PATH`` is ``NULL`` where the record holds no value there, and ``jsonb``
    equality tells ``"3"`` from ``3`` and ``true`` from ``1``, as the desk file does."""
    sql, values = "", []
    for path, wanted in definition["where"].items():
        if not wanted:
            return " AND false", []
        sql += f" AND data #> %s IN ({', '.join(['%s::jsonb'] * len(wanted))})"
        values += [path.split("."), *(orjson.dumps(value).decode() for value in wanted)]
    for path, unwanted in definition.get("where_not", {}).items():
        if unwanted:
            sql += f" AND NOT coalesce(data #> %s IN ({', '.join(['%s::jsonb'] * len(unwanted))}), false)"
            values += [path.split("."), *(orjson.dumps(value).decode() for value in unwanted)]
    return sql, values


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as ``width`` columns (the arrays a statement unnests)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _holds_nul(value: Any) -> bool:
    """Whether a NUL character is in any text of ``value`` (its keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


APPEND_ONLY_TRIGGERS = (
    "workbench_events_append_only",
    "workbench_events_no_truncate",
    "workbench_commits_append_only",
    "workbench_commits_no_truncate",
    "workbench_counters_forward",
)


def doctor(conninfo: str) -> DoctorReport:
    """Check the desk in PostgreSQL at ``conninfo``: that it can be reached and opened,
    its schema version, what it holds, and that the triggers keeping history append-only
    are in place and always enabled."""
    from workbench.store.doctor import DoctorReport

    where = describe(conninfo)
    try:
        store = PostgresStore(conninfo)
    except NoDesk as error:
        return DoctorReport(False, [str(error)], ["create it: workbench db init URL"], {"desk": where})
    except StoreError as error:
        return DoctorReport(
            False,
            [str(error)],
            ["check that the server runs and that the URL, password file or service file is right"],
            {"desk": where},
        )
    try:
        rows = store._query(
            "SELECT (SELECT schema FROM workbench_desk), "
            "(SELECT count(*) FROM workbench_records), (SELECT count(*) FROM workbench_events), "
            "(SELECT max(at) FROM workbench_commits)",
            [],
        )
        schema, records, events, last = rows[0]
        triggers = dict(
            store._query(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid IN ('workbench_events'::regclass, 'workbench_commits'::regclass, "
                "'workbench_counters'::regclass)",
                [],
            )
        )
    finally:
        store.close()
    problems = [
        f"{where}: trigger {name} is missing or not always enabled: the history is not protected"
        for name in APPEND_ONLY_TRIGGERS
        if triggers.get(name) != "A"
    ]
    advice = ["copy the desk into a new one (workbench db copy): it gets them again"] if problems else []
    facts = {
        "desk": store.location,
        "schema": schema,
        "records": records,
        "events": events,
        "last change": last.isoformat(timespec="seconds") if last else "none yet",
    }
    return DoctorReport(not problems, problems, advice, facts)


class PostgresLease:
    """A session advisory lock (:data:`SWEEPER_CLASS`, the desk's key) on its own connection."""

    def __init__(self, conninfo: str, location: str, scrub: _Scrubber, desk_key: int) -> None:
        self._conninfo, self._location, self._scrub = conninfo, location, scrub
        self._key = desk_key
        self._connection: psycopg.Connection | None = None

    def take(self) -> bool:
        if self._connection is not None:
            return True
        connection = _connect(self._conninfo, self._location, self._scrub)
        try:
            row = connection.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [SWEEPER_CLASS, self._key]
            ).fetchone()
        except psycopg.Error as error:
            connection.close()
            raise StoreError(
                f"{self._location}: taking the sweeper's lease failed ({self._scrub(error)})"
            ) from None
        if not row or not row[0]:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the server drops the session's lock with it
            self._connection = None

    def holder(self) -> str:
        try:
            with _connect(self._conninfo, self._location, self._scrub) as probe:
                row = probe.execute(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s::oid "
                    "AND l.objid = %s::oid AND l.objsubid = 2",
                    [SWEEPER_CLASS, self._key],
                ).fetchone()
        except (psycopg.Error, StoreError):
            return "another sweeper"
        return row[0] if row and row[0] else "another sweeper"
