"""A desk server keeps open the desk files its commands open (``workbench.daemon.kept``) and
hands its copy to a later command only while the desk's files are as it read them. Whatever
happens to the desk beside the server — a change by another process, a compaction, a torn
write, a restore from a backup (copied over or renamed into place), an older desk put in
its place, the desk removed — a served command answers byte for byte as the same command
run in its own process. Every test runs the real ``workbench`` console script against a
real server."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.servers import Place, a_desk, a_place, wait_until
from workbench.store.snapshot import SCHEMA

SCHEMA_2_DESK = Path(__file__).parents[1] / "store" / "data" / "schema-2"
DESK_FILES = ("desk.json", "desk.json.log", "desk.json.index", "desk.json.tallies")


@pytest.fixture
def place() -> Iterator[Place]:
    with a_place() as here:
        yield here


def kept_desk(place: Place, desk: Path) -> None:
    """Start the server, let a served command open ``desk``, wait for the server to keep it."""
    place.start()
    shown = place.run("case", "show", "C-1", "--db", str(desk))
    assert shown.returncode == 0, shown.stderr
    wait_until(lambda: str(desk) in kept_paths(place), f"the server to keep {desk}")


def kept_paths(place: Place) -> list[str]:
    return [kept["path"] for kept in place.status()["kept"]]


def handed_over(place: Place) -> int:
    return place.status()["handed_over"]


def copy_of_desk(place: Place, folder: str) -> Path:
    """A copy of the desk's files as they are now, in ``folder`` beside them."""
    copy = place.folder / folder
    copy.mkdir()
    for name in DESK_FILES:
        if (place.folder / name).exists():
            shutil.copy2(place.folder / name, copy / name)
    return copy


def same_served_and_alone(place: Place, *args: str) -> subprocess.CompletedProcess:
    """The command served, then in its own process: the same bytes and exit status."""
    served = place.run(*args)
    alone = place.run(*args, served=False)
    assert (served.stdout, served.stderr, served.returncode) == (alone.stdout, alone.stderr, alone.returncode)
    return served


def test_the_server_keeps_the_desk_a_command_opened_and_hands_it_to_the_next(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    before = handed_over(place)
    for args in (("case", "show", "C-1"), ("case", "show", "C-47", "--json"), ("case", "list")):
        same_served_and_alone(place, *args, "--db", str(desk))
    assert handed_over(place) == before + 3
    described = place.run("daemon", "status", served=False)
    assert f"keeps open {desk}" in described.stdout.decode()


def test_a_change_made_beside_the_server_is_in_the_next_served_answer(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    before = handed_over(place)
    noted = place.run("case", "note", "C-1", "written beside the server", "--db", str(desk), served=False)
    assert noted.returncode == 0, noted.stderr
    shown = same_served_and_alone(place, "case", "show", "C-1", "--db", str(desk))
    assert b"written beside the server" in shown.stdout
    assert handed_over(place) == before + 1, "the kept desk was not brought up to date and handed over"


def test_a_served_change_is_in_the_served_answers_after_it(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    for number in range(3):
        noted = place.run("case", "note", "C-2", f"served note {number}", "--db", str(desk))
        assert noted.returncode == 0, noted.stderr
        shown = same_served_and_alone(place, "case", "show", "C-2", "--db", str(desk))
        assert f"served note {number}".encode() in shown.stdout


def test_a_compaction_beside_the_server(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    noted = place.run("case", "note", "C-3", "before the compaction", "--db", str(desk), served=False)
    assert noted.returncode == 0, noted.stderr
    snapshot = desk.stat().st_ino
    compacted = place.run("compact", "--db", str(desk), served=False)
    assert compacted.returncode == 0, compacted.stderr
    assert desk.stat().st_ino != snapshot
    shown = same_served_and_alone(place, "case", "show", "C-3", "--db", str(desk))
    assert b"before the compaction" in shown.stdout
    same_served_and_alone(place, "case", "list", "--db", str(desk))
    wait_until(lambda: str(desk) in kept_paths(place), "the server to keep the compacted desk")
    before = handed_over(place)
    same_served_and_alone(place, "case", "show", "C-3", "--db", str(desk))
    assert handed_over(place) == before + 1


@pytest.mark.parametrize("torn", [b'0badc0de {"seq":', b"\n\n", b"garbage without a newline"])
def test_a_torn_write_at_the_end_of_the_log(place: Place, torn: bytes) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    with open(f"{desk}.log", "ab") as log:
        log.write(torn)
    same_served_and_alone(place, "case", "show", "C-1", "--db", str(desk))
    same_served_and_alone(place, "case", "note", "C-1", "after the torn write", "--db", str(desk))
    same_served_and_alone(place, "case", "show", "C-1", "--db", str(desk))


@pytest.mark.parametrize("how", ["copied over", "renamed into place"])
def test_a_restore_from_a_backup(place: Place, how: str) -> None:
    desk = a_desk(place)
    backup = copy_of_desk(place, "backup")
    kept_desk(place, desk)
    for number in range(2):
        noted = place.run(
            "case", "note", "C-4", f"lost in the restore {number}", "--db", str(desk), served=False
        )
        assert noted.returncode == 0, noted.stderr
    place.run("case", "show", "C-4", "--db", str(desk))  # the server reads the notes
    for name in DESK_FILES:
        if (backup / name).exists():
            if how == "copied over":
                shutil.copyfile(backup / name, place.folder / name)  # the same inode, rewritten
            else:
                shutil.copy2(backup / name, place.folder / f"{name}.restored")
                (place.folder / f"{name}.restored").replace(place.folder / name)
    shown = same_served_and_alone(place, "case", "show", "C-4", "--db", str(desk))
    assert b"lost in the restore" not in shown.stdout


def test_a_log_restored_in_place_that_grew_past_where_the_server_read(place: Place) -> None:
    """The server read the log to the end of a change (C-40 assigned to emma); a copy of the
    desk taken before that change, given two others (C-40 to sato, a note), is copied over
    the log: the same file, longer than where the server's reading ended, which is now the
    middle of another change. The server's copy is not handed over: catching up from there
    would read the copy's change as damage and mark a sound desk damaged, refusing every
    change after."""
    desk = a_desk(place)
    fork = copy_of_desk(place, "fork")
    kept_desk(place, desk)
    log = Path(f"{desk}.log")
    assigned = place.run("case", "assign", "C-40", "emma", "--db", str(desk), served=False)
    assert assigned.returncode == 0, assigned.stderr
    place.run("case", "show", "C-40", "--db", str(desk))
    read_to = log.stat().st_size
    wait_until(lambda: [k["read_to"] for k in place.status()["kept"]] == [read_to], "the server to read it")
    for args in (("assign", "C-40", "sato"), ("note", "C-50", "a second change of the copy")):
        changed = place.run("case", *args, "--db", str(fork / "desk.json"), served=False)
        assert changed.returncode == 0, changed.stderr
    shutil.copyfile(fork / "desk.json.log", log)
    assert log.stat().st_size > read_to
    shown = same_served_and_alone(place, "case", "show", "C-40", "--db", str(desk))
    assert b"assignee sato" in shown.stdout
    noted = place.run("case", "note", "C-40", "the desk is sound", "--db", str(desk), served=False)
    assert noted.returncode == 0, noted.stderr
    same_served_and_alone(place, "doctor", "--db", str(desk))


def test_an_older_desk_put_in_its_place_is_migrated_by_the_command_not_the_server(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    for name in DESK_FILES:
        (place.folder / name).unlink(missing_ok=True)
    for name in ("desk.json", "desk.json.log"):
        shutil.copy(SCHEMA_2_DESK / name, place.folder / name)
    served = place.run("case", "list", "--json", "--db", str(desk))
    assert served.returncode == 0, served.stderr
    assert (place.folder / "desk.json.schema-2.bak").exists(), "the served command migrated the desk"
    alone = place.run("case", "list", "--json", "--db", str(desk), served=False)
    assert served.stdout == alone.stdout
    wait_until(lambda: str(desk) in kept_paths(place), "the server to keep the migrated desk")
    assert f'"schema":{SCHEMA}'.encode() in desk.read_bytes()[:4096]


def test_an_older_desk_is_never_migrated_by_the_server(place: Place) -> None:
    """The server opens a desk only to read it: an older one is left to the next command."""
    place.start()
    for name in ("desk.json", "desk.json.log"):
        shutil.copy(SCHEMA_2_DESK / name, place.folder / name)
    desk = place.folder / "desk.json"
    original = desk.read_bytes()
    from workbench.daemon.kept import KeptDesks

    kept = KeptDesks()
    kept.wanted.append(str(desk))
    kept.keep_current()
    assert kept.stores == {}
    assert desk.read_bytes() == original
    assert not (place.folder / "desk.json.schema-2.bak").exists()


def test_a_desk_removed_beside_the_server(place: Place) -> None:
    desk = a_desk(place)
    kept_desk(place, desk)
    for name in DESK_FILES:
        (place.folder / name).unlink(missing_ok=True)
    shown = same_served_and_alone(place, "case", "show", "C-1", "--db", str(desk))
    assert shown.returncode != 0
    wait_until(lambda: str(desk) not in kept_paths(place), "the server to let the removed desk go")


def test_a_command_writing_through_a_kept_desk_leaves_the_servers_copy_as_it_was(place: Place) -> None:
    """Each command's copy of the desk is its own: a write in one command reaches the next
    through the files, and a command that failed part-way leaves the server's copy alone."""
    desk = a_desk(place)
    kept_desk(place, desk)
    refused = place.run("case", "note", "C-999", "no such case", "--db", str(desk))
    assert refused.returncode != 0
    shown = same_served_and_alone(place, "case", "list", "--json", "--db", str(desk))
    assert b"C-999" not in shown.stdout


def test_a_kept_desk_that_cannot_be_looked_at_is_let_go_and_the_server_carries_on(place: Place) -> None:
    """The closed cases' index replaced by a symbolic link to itself: looking at the kept
    desk's files fails with an error that is not "no such file" (ELOOP). The server lets
    the desk go and keeps serving; the command, opening the desk itself, answers as a
    command of its own does (the index is derived data: the closed cases are read instead)."""
    desk = a_desk(place)
    kept_desk(place, desk)
    index = Path(f"{desk}.index")
    index.unlink()
    index.symlink_to(index.name)
    wait_until(lambda: str(desk) not in kept_paths(place), "the server to let the desk go")
    shown = same_served_and_alone(place, "case", "show", "C-1", "--db", str(desk))
    assert shown.returncode == 1 and b"desk.json.index: cannot be read" in shown.stderr
    assert place.status()["running"] == 0
