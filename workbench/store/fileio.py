"""The few file operations the store's guarantees rest on, each in one place.

Every step goes through the ``os`` module at call time (``os.write``, ``os.fsync``,
``os.replace``, ``os.ftruncate``) so that tests can inject a failure between any two steps.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

from workbench.errors import StoreError

PRIVATE_FILE = 0o600
"""Desk files, the holder file and exports hold customers' personal data: their owner's only."""
PRIVATE_FOLDER = 0o700
FLUSH_STEP = 8 << 20
"""How much of a file being written may wait in memory before it is sent to disk: a big file
(a compaction's 400 MB snapshot at 200,000 cases) goes to disk in steps as it is written, so
a change's fsync of the log never waits for all of it at once (on ext4 in ``data=ordered``
mode a journal commit writes out the data of every block allocated since the last one)."""


def not_a_file(path: str, mode: int) -> StoreError:
    """The refusal for something other than a regular file where a desk file belongs."""
    what = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return StoreError(
        f"{path} is {what}, not a file of the desk: nothing was read or changed. Move it aside "
        "(see `workbench doctor`)."
    )


def check_regular(path: str) -> None:
    """Refuse ``path`` when something other than a regular file is there (following a
    symbolic link); a missing file is fine. Reading a FIFO or ``/dev/zero`` as a desk file
    would hang or never end."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"{path}: cannot be read ({error.strerror}); nothing was changed") from None
    if not stat.S_ISREG(mode):
        raise not_a_file(path, mode)


def open_regular(path: str, flags: int, mode: int = PRIVATE_FILE) -> int:
    """``os.open`` that never blocks on a FIFO and refuses anything but a regular file
    (:class:`StoreError` naming ``path``); ``FileNotFoundError`` passes through."""
    fd = os.open(path, flags | os.O_NONBLOCK, mode)
    try:
        found = os.fstat(fd).st_mode
        if not stat.S_ISREG(found):
            raise not_a_file(path, found)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private_folder(folder: str) -> None:
    """Create ``folder`` (and its parents) readable by its owner only, whatever the umask;
    an existing folder is left as it is."""
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=PRIVATE_FOLDER, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER)


def write_all(fd: int, data: bytes | bytearray) -> None:
    """``os.write`` until every byte is written (it may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_directory(folder: str) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_OWNER = re.compile(r"\.(?:import-)?(\d+)-[0-9a-f]+\.tmp(?:\.\w+)?$")
"""The process id in a temporary file's name (``.desk.json.4242-9f3a0c1e.tmp``)."""


def temporary_files(path: str) -> list[str]:
    """Temporary files :func:`replace_atomically` left beside ``path`` (or a sibling named
    ``path.*``) when a crash interrupted it, and those of a new desk that an interrupted
    import was writing beside it (``.desk.json.import-….tmp`` and its ``.log``,
    ``.index``, ``.closed``: :mod:`workbench.store.loading`). A file whose writer is still
    running is not one of them: a compaction or an import writes its files before it takes
    the writer lock (only to put them in place)."""
    folder, name = os.path.split(os.path.abspath(path))
    pattern = os.path.join(glob.escape(folder), f".{glob.escape(name)}*.tmp")
    return [found for found in glob.glob(pattern) + glob.glob(pattern + ".*") if not _writer_running(found)]


def _writer_running(temporary: str) -> bool:
    owner = _OWNER.search(temporary)
    if owner is None:
        return False
    try:
        os.kill(int(owner.group(1)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def replace_atomically(path: str, chunks: Iterable[bytes]) -> None:
    """Give ``path`` the content ``chunks``: the file is either the old or the new one.

    A temporary file in the same folder is written, fsynced and renamed over ``path``
    with ``os.replace``; then the folder is fsynced so the rename itself survives a crash.
    """
    put_in_place(write_beside(path, chunks), path)


def write_beside(path: str, chunks: Iterable[bytes]) -> str:
    """Write ``chunks`` to a new temporary file beside ``path``, with ``path``'s permissions
    (its owner's only for a new file), fsynced; return its name (see :func:`put_in_place`).
    At most :data:`FLUSH_STEP` bytes are written between two flushes of the file's data."""
    import secrets  # with hashlib and random: only when a file is written

    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        try:
            try:
                os.fchmod(fd, os.stat(path).st_mode & 0o777)  # keep the file's permissions
            except FileNotFoundError:
                os.fchmod(fd, PRIVATE_FILE)  # a new file: its owner's only, whatever the umask
            unflushed = 0
            for chunk in chunks:
                write_all(fd, chunk)
                unflushed += len(chunk)
                if unflushed >= FLUSH_STEP:
                    flush_data(fd)
                    unflushed = 0
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def flush_data(fd: int) -> None:
    """Send what was written to ``fd`` to disk (``fdatasync``, or ``fsync`` where there is
    none, as on macOS)."""
    sync = getattr(os, "fdatasync", None) or os.fsync
    sync(fd)


def put_in_place(temporary: str, path: str) -> None:
    """Rename ``temporary`` (from :func:`write_beside`) over ``path`` and fsync the folder
    so the rename survives a crash; the temporary file is removed if that fails."""
    move_into_place(temporary, path)
    fsync_directory(os.path.dirname(os.path.abspath(path)))


def move_into_place(temporary: str, path: str) -> None:
    """Rename ``temporary`` over ``path`` (the temporary file is removed if that fails),
    without making the rename durable: the caller fsyncs the folder afterwards
    (:func:`fsync_directory`), once for several renames."""
    try:
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


@contextmanager
def held_open(path: str) -> Iterator[None]:
    """Keep the file at ``path`` (if there is one) open for the span of the block: when a
    rename replaces it meanwhile, its blocks are freed as the block ends, not by the rename
    (freeing a 400 MB snapshot takes 10-100 ms on ext4, longer with online discard)."""
    try:
        fd = open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        yield
        return
    try:
        yield
    finally:
        os.close(fd)


def append_durably(path: str, chunks: Iterable[bytes | bytearray], end: int) -> None:
    """Append ``chunks`` to ``path`` at ``end`` (its current length) and fsync.

    When a step fails the file is cut back to ``end`` before the error propagates, so an
    append that did not report success leaves at most a torn tail behind (if the cut fails
    too), which readers ignore and the next writer removes.
    """
    fd = open_regular(path, os.O_WRONLY | os.O_APPEND)
    try:
        size = os.fstat(fd).st_size
        if size != end:
            raise OSError(f"{path} is {size} bytes long, expected {end}: written without the lock?")
        try:
            for chunk in chunks:
                write_all(fd, chunk)
            os.fsync(fd)
        except BaseException:
            with suppress(OSError):
                os.ftruncate(fd, end)
            raise
    finally:
        os.close(fd)


def cut_back(path: str, end: int) -> None:
    """Shorten ``path`` to ``end`` bytes, durably (drops a torn tail)."""
    fd = open_regular(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, end)
        os.fsync(fd)
    finally:
        os.close(fd)
