"""The open cases' clocks kept between processes, so that a command reads them instead of
working them out again from every case's events (issue 16).

What is kept of a case is its :class:`~workbench.desk.deadlines.Clock` list: each
commitment worked out as far as it can be without the desk clock (due time, target, the
times of the events that meet it, the business time its window counts). The rest of a
deadline — its state, the minutes left, when it was met or stopped at the clock asked
about — is worked out again from them by every command, at its own clock (``--now``):
the same code the uncached path runs (``Clock.at``), so the answer is the same.

A case's clocks are a function of

- the case as the hooks see it (a digest of the :class:`~workbench.model.Case`) and its
  events (the store's version of the record: on the desk file, the log offset of its last
  event — the log is append-only, so a new event always moves it);
- the desk's settings (every stored setting) and the code: the plugins loaded,
  their distributions and programs' versions, and the size and time of every source file
  of theirs and of the core, the ``holidays`` package's version, and the zone files of the
  calendars used;
- nothing else: a case whose ``workbench_commitments`` hooks asked the desk for anything but
  settings, the desk calendar and time zone, the programs and the case's own events (the
  clock, a customer, a contract, another case …), or in which a plugin failed or ran out of
  time, is never kept; it is worked out every time, as before.

Each is checked before a kept case is used; a case whose key differs is worked out again.
A command that finds every kept case current at the desk's version (``Store.desk_version``:
nothing written since) says so in the file (``as_of``); while the desk is still at that
version the next command checks no case's key.
The file (``desk.json.deadlines`` beside a desk file, a file in the user's cache folder
for a desk in PostgreSQL; see :func:`place`) is a cache: it is
written by whichever command worked clocks out (``case list``, ``sweep``, the terminal
desk's queue), beside its place and renamed over it, never under the writer lock; a write
that fails is ignored; a file that is damaged, foreign, of another format or of another
desk is ignored and written again. Deleting it costs the next command the work it saves.
"""

from __future__ import annotations

import os
import sys
import zoneinfo
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

import orjson

from workbench.desk.deadlines import Clock
from workbench.errors import StoreError

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.model import Case

FORMAT = "workbench-kept-deadlines"
VERSION = 1
_INT = {int}
LARGEST = 256 << 20
"""A kept file larger than this is not read (it is not one this code wrote for a desk)."""

PURE_READS = frozenset(
    {"setting", "desk_calendar", "timezone", "locale", "programs", "program", "rule_text", "vendors"}
)
"""What a ``workbench_commitments`` hook may ask the desk for and still be kept: reads of
the settings and the code, both part of the key. Its case's own events are allowed too."""


class WatchedDesk:
    """The desk as a ``workbench_commitments`` hook sees it while its answer may be kept:
    every read passes through, and any read outside :data:`PURE_READS` (and the case's own
    events) is noted in :attr:`other_reads`, which keeps the case from being kept."""

    def __init__(self, desk: Desk, case_id: str) -> None:
        self._desk = desk
        self._case_id = case_id
        self.other_reads: set[str] = set()

    def events(self, kind: str, key: str) -> Any:
        if (kind, key) != ("cases", self._case_id):
            self.other_reads.add(f"events of {kind} {key}")
        return self._desk.events(kind, key)

    def __getattr__(self, name: str) -> Any:
        if name not in PURE_READS:
            self.other_reads.add(name)
        return getattr(self._desk, name)


def place(desk: Desk) -> str | None:
    """Where the desk's clocks are kept: beside a desk file; for a desk in PostgreSQL, in
    this user's cache folder on this machine (``PostgresStore.kept_path``); ``None`` for a
    store that keeps no versions of its records (memory): its clocks are worked out every
    time."""
    where = getattr(desk.store, "kept_path", None)
    return where("deadlines") if where is not None else None


class KeptDeadlines:
    """The kept clocks of one desk, as read at first use, and those worked out since."""

    def __init__(self, path: str, desk_id: str, code: str) -> None:
        self.path = path
        self.desk_id = desk_id
        self.code = code
        self.settings = ""
        self.entries: dict[str, list[Any]] = {}
        self.calendars: list[dict[str, Any]] = []
        self.texts: list[str] = []
        """Names, rules and reasons, each once: thousands of clocks share a few dozen."""
        self._numbers: dict[str, int] = {}
        self.changed = False
        self.as_of: int | None = None
        """The desk's version (``Store.desk_version``) at which the file's clocks were all
        found current by the command that wrote it: while the desk is still at that
        version (nothing was written since), each is current without checking its key."""
        self.at_version: int | None = None
        """The desk's version at this process's last batch, and the cases whose clocks
        were found current (or worked out) at it."""
        self.current: set[str] = set()
        self._versions: dict[str, int] = {}
        """The versions of the batch's cases, asked of the store at its start."""

    @classmethod
    def of(cls, desk: Desk) -> KeptDeadlines | None:
        """The desk's kept clocks (read once, then kept on the desk), or ``None`` where a
        desk keeps none."""
        owner = desk._batch_of or desk
        kept = owner._kept
        if kept is not None:
            return kept or None
        path = place(desk)
        desk_id = desk.store.desk_id() if path is not None else None
        if path is None or desk_id is None:
            owner._kept = False
            return None
        kept = cls(path, desk_id, code_description(desk))
        kept._read()
        owner._kept = kept
        return kept

    # -- reading ------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            document = orjson.loads(_read_bytes(self.path))
            if (
                document["format"] != FORMAT
                or document["version"] != VERSION
                or document["desk"] != self.desk_id
                or document["code"] != self.code
                or not all(zone_stamp(tz) == stamp for tz, stamp in document["zones"].items())
            ):
                return
            entries, calendars, texts = document["cases"], document["calendars"], document["texts"]
            settings = document["settings"]
            if not (isinstance(calendars, list) and isinstance(texts, list) and isinstance(settings, str)):
                return
            if not (isinstance(entries, dict) and all(isinstance(text, str) for text in texts)):
                return
            if not all(
                isinstance(calendar, dict) and isinstance(calendar.get("name"), str) for calendar in calendars
            ):
                return
        except (OSError, StoreError, ValueError, KeyError, TypeError, AttributeError):
            return  # missing, damaged, foreign or of another version: worked out again
        as_of = document["as_of"]
        if as_of is not None and type(as_of) is not int:
            return
        self.entries, self.calendars, self.texts, self.settings = entries, calendars, texts, settings
        self.as_of = as_of
        self._numbers = {text: number for number, text in enumerate(texts)}

    def begin(self, desk: Desk, cases: list[Case]) -> None:
        """Start a batch of ``cases``: forget every kept clock when the settings are not
        those they were worked out with, and what was found current at another version of
        the desk (asked at every batch: the terminal desk reads a desk that changes); ask
        the store at once for the versions of the cases whose key is to be checked or made
        (one query of a database, not one a case)."""
        settings = settings_text(desk)
        if settings != self.settings:
            if self.entries:
                self.entries, self.changed = {}, True
            self.settings, self.as_of = settings, None
        version = desk.store.desk_version()
        if version != self.at_version:
            self.at_version, self.current = version, set()
        trusted = self.as_of is not None and self.as_of == version
        asked = [case.id for case in cases if not trusted or case.id not in self.entries]
        self._versions = desk.store.record_versions("cases", asked) if asked else {}

    def key(self, desk: Desk, case: Case) -> list[Any] | None:
        """What the clocks of ``case`` are kept under besides the desk, settings and code:
        a digest of the case as the hooks see it, and its record's version (its events);
        ``None`` for a case that cannot be digested (it is never kept)."""
        import hashlib  # only where a key is checked or made: a warm read of an unchanged desk makes none

        try:
            digest = hashlib.blake2b(orjson.dumps(case), digest_size=16).hexdigest()
        except TypeError:
            return None
        version = self._versions.get(case.id)
        if version is None:
            version = desk.store.record_versions("cases", [case.id])[case.id]
        return [digest, version]

    def clocks(self, desk: Desk, case: Case) -> list[Clock] | None:
        """The kept clocks of ``case`` if they are current, else ``None``."""
        entry = self.entries.get(case.id)
        if entry is None:
            return None
        try:
            if self.as_of is None or self.as_of != self.at_version:
                key = self.key(desk, case)
                if key is None or entry[0] != key:
                    return None
            clocks = [self._clock(row) for row in entry[1]]
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError):
            del self.entries[case.id]
            return None
        self.current.add(case.id)
        return clocks

    def _clock(self, row: list[Any]) -> Clock:
        name, clock, rule, reason, calendar, start, minutes, stops_at, due, target, meets, spans, pauses = row
        if not (type(minutes) is int and type(pauses) is bool and isinstance(meets, list)):
            raise TypeError("not a kept clock")
        if min(name, clock, rule, reason, calendar) < 0:
            raise IndexError("not a kept clock")
        if spans is not None and not (
            isinstance(spans, list) and len(spans) % 2 == 0 and set(map(type, spans)) <= _INT
        ):
            raise TypeError("not a kept clock")
        instant = datetime.fromisoformat
        start = instant(start)
        stops_at = None if stops_at is None else instant(stops_at)
        due = None if due is None else instant(due)
        target = None if target is None else instant(target)
        meets = tuple(map(instant, meets))
        for at in (start, stops_at, due, target, *meets):
            if at is not None and at.tzinfo is None:
                raise ValueError("a kept instant without its offset")
        texts = self.texts
        return Clock(
            name=texts[name],
            clock=texts[clock],
            rule=texts[rule],
            reason=texts[reason],
            calendar=self.calendars[calendar],
            start=start,
            minutes=minutes,
            stops_at=stops_at,
            due=due,
            target=target,
            meets=meets,
            spans=None if spans is None else tuple(spans),
            counts_pauses=pauses,
        )

    # -- keeping ------------------------------------------------------------------------

    def keep(self, desk: Desk, case: Case, clocks: list[Clock]) -> None:
        key = self.key(desk, case)
        if key is None:
            self.drop(case)
            return
        rows = []
        for c in clocks:
            if c.calendar not in self.calendars:
                self.calendars.append(c.calendar)
            rows.append(
                [
                    self._text(c.name),
                    self._text(c.clock),
                    self._text(c.rule),
                    self._text(c.reason),
                    self.calendars.index(c.calendar),
                    c.start.isoformat(),
                    c.minutes,
                    _text(c.stops_at),
                    _text(c.due),
                    _text(c.target),
                    [at.isoformat() for at in c.meets],
                    None if c.spans is None else list(c.spans),
                    c.counts_pauses,
                ]
            )
        self.entries[case.id] = [key, rows]
        self.current.add(case.id)
        self.changed = True

    def drop(self, case: Case) -> None:
        """Forget the clocks of ``case`` (worked out now, and not to be kept)."""
        if self.entries.pop(case.id, None) is not None:
            self.changed = True

    def _text(self, text: str) -> int:
        if text not in self._numbers:
            self._numbers[text] = len(self.texts)
            self.texts.append(text)
        return self._numbers[text]

    def save(self, desk: Desk) -> None:
        """Write what changed, for the open cases only, beside the file and renamed over it;
        a failed write is ignored (the next command works them out again)."""
        if not self.changed and self.as_of == self.at_version:
            return  # nothing worked out, and the file already says all were current here
        open_ids = {record.get("id") for record in desk.store.all("cases", closed=False)}
        entries = {key: entry for key, entry in dict(self.entries).items() if key in open_ids}
        as_of = self.at_version if self.current.issuperset(entries) else None
        if not self.changed and (as_of is None or as_of == self.as_of):
            return
        known = len(self.calendars), len(self.texts)
        entries = {key: entry for key, entry in entries.items() if _well_formed(entry, *known)}
        rows = [row for entry in entries.values() for row in entry[1]]
        self.entries = entries
        self.calendars = _renumbered(rows, (4,), self.calendars)
        self.texts = _renumbered(rows, (0, 1, 2, 3), self.texts)
        self._numbers = {}
        calendars = self.calendars
        document = {
            "format": FORMAT,
            "version": VERSION,
            "desk": self.desk_id,
            "code": self.code,
            "settings": self.settings,
            "as_of": as_of,
            "zones": {tz: zone_stamp(tz) for tz in sorted({c["tz"] for c in calendars})},
            "calendars": calendars,
            "texts": self.texts,
            "cases": entries,
        }
        _write(self.path, orjson.dumps(document))
        self.changed, self.as_of = False, as_of


def settings_text(desk: Desk) -> str:
    """Every stored setting, in one text (a default is code, part of the code's
    description): kept whole, so that any change of a setting shows."""
    stored = sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in desk.store.all("settings"))
    return b"\n".join(stored).decode()


def _well_formed(entry: Any, calendars: int, texts: int) -> bool:
    """Whether a kept case is ``[key, rows]`` with rows of 13 values naming texts and a
    calendar kept."""
    return (
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[1], list)
        and all(
            isinstance(row, list)
            and len(row) == 13
            and all(type(row[i]) is int and 0 <= row[i] < texts for i in (0, 1, 2, 3))
            and type(row[4]) is int
            and 0 <= row[4] < calendars
            for row in entry[1]
        )
    )


def _renumbered(rows: list[list[Any]], columns: tuple[int, ...], table: list[Any]) -> list[Any]:
    """The values of ``table`` the ``columns`` of ``rows`` name, each once, in order; the
    rows renumbered to name them there."""
    used = sorted({row[i] for row in rows for i in columns})
    renumber = {old: new for new, old in enumerate(used)}
    for row in rows:
        for i in columns:
            row[i] = renumber[row[i]]
    return [table[old] for old in used]


def code_description(desk: Desk) -> str:
    """The code a case's clocks come from, in one text (see the module's docstring): made
    once for a desk (:meth:`KeptDeadlines.of`), and kept whole in the file."""
    import workbench
    from workbench.calendar import holidays_version

    plugins = desk.plugins
    names = sorted(name for name, plugin in plugins.pm.list_name_plugin() if plugin is not None)
    programs = sorted((p.id, p.version) for p in desk.programs().values())
    roots = {"workbench"} | {_root(module) for module in plugins.modules.values()}
    files = [stamp for root in sorted(roots) for stamp in _source_stamps(root)]
    described = [
        getattr(workbench, "__version__", ""),
        list(sys.version_info[:3]),
        names,
        sorted(plugins.distributions.items()),
        programs,
        holidays_version(),
        files,
    ]
    return orjson.dumps(described).decode()


def _root(plugin: object) -> str:
    """The top-level package a plugin (a module, or an object of one) comes from."""
    name = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    if not isinstance(name, str) or name == "builtins":
        name = getattr(plugin, "__module__", "") or ""
    return name.partition(".")[0]


def _source_stamps(root: str) -> list[list[Any]]:
    """Path, time and size of every Python file of the package (or module) ``root``."""
    module = sys.modules.get(root)
    folders = list(getattr(module, "__path__", []) or [])
    found: list[list[Any]] = []
    if not folders:
        file = getattr(module, "__file__", None)
        return [_stamp(file)] if file else [[root, None, None]]
    for folder in folders:
        for where, subfolders, names in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found += [_stamp(os.path.join(where, name)) for name in sorted(names) if name.endswith(".py")]
    return found


def _stamp(path: str) -> list[Any]:
    try:
        found = os.stat(path)
    except OSError:
        return [path, None, None]
    return [path, found.st_mtime_ns, found.st_size]


def zone_stamp(tz: str) -> list[Any]:
    """The zone file a calendar's time zone is read from, with its time and size (a new
    release of the zone data moves a deadline)."""
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, tz)
        if os.path.isfile(path):
            return _stamp(path)
    try:
        import tzdata

        return [tz, "tzdata", getattr(tzdata, "IANA_VERSION", None)]
    except ImportError:
        return [tz, None, None]


def _read_bytes(path: str) -> bytes:
    from workbench.store.fileio import open_regular

    fd = open_regular(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > LARGEST:
            raise ValueError("too large to be a kept file")
        chunks = []
        while size > 0:
            chunk = os.read(fd, size)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _write(path: str, data: bytes) -> None:
    """Write beside ``path`` (its owner's only) and rename over it; nothing is fsynced: a
    file cut short by a crash is damaged, so ignored. Any failure leaves no file behind."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _text(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
