"""What every command shares: the options, the desk they open, and how an answer is printed."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.render import Renderer


class Context:
    """Options collected from the group and the subcommand (the subcommand's win)."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.agent: str | None = None
        self.json = False
        self.debug = False
        self.now_given = False
        self._desk: Desk | None = None

    def desk(self) -> Desk:
        if self._desk is None:
            from workbench.store.staging import long_lived_objects

            # The code, the plugins and the desk loaded here live as long as the command: the
            # cycle collector walked them again and again while they loaded (up to 15 ms of
            # `case list`), so they are kept out of its reach, as a desk's records are.
            with long_lived_objects():
                self._desk = self._open()
        return self._desk

    def _open(self) -> Desk:
        """Open the desk the options name, with the plugins, acting as the agent given."""
        import getpass

        from workbench import clock
        from workbench.desk import Desk
        from workbench.plugins import get_plugins
        from workbench.store import is_postgres, open_store

        chosen = self.db or os.environ.get("WORKBENCH_DB") or None
        if chosen and not is_postgres(chosen) and not Path(chosen).expanduser().resolve().parent.is_dir():
            raise BadInput("--db", f"the folder of {chosen} does not exist (a typo in the path?)")
        if not self.now_given and os.environ.get("WORKBENCH_NOW"):
            clock.set_now(os.environ["WORKBENCH_NOW"], what="WORKBENCH_NOW")  # --now replaces it
        store = open_store(chosen)
        actor = self.agent or os.environ.get("WORKBENCH_AGENT") or getpass.getuser()
        desk = Desk(store, get_plugins(), actor=actor)
        try:
            clock.settle(desk.timezone())  # --now monday 09:00 is read in the desk's zone
            desk.act_as_agent()  # an actor who is not an agent of this desk goes no further
        except BaseException:
            store.close()
            raise
        return desk

    def close(self) -> None:
        if self._desk is not None:
            due = getattr(self._desk.store, "compaction_due", None)
            if due is not None and due():  # compaction's module (and subprocess) only then
                from workbench.compaction import compact_in_background

                with contextlib.suppress(OSError):  # no process to spare: the next command starts it
                    compact_in_background(self._desk.store)
            self._desk.store.close()


def no_password(value: str, option: str) -> str:
    """``value``, refused (bad input) when it is a PostgreSQL URL with a password in it: a
    command line is visible to every user of the machine (``ps``)."""
    from workbench.store import is_postgres

    if is_postgres(value):
        from workbench.store.pgstore import password_in

        if password_in(value):
            raise click.BadParameter(
                "a password on the command line is visible to every user of this machine (ps); "
                "leave it out of the URL and put it in a password file (PGPASSFILE, ~/.pgpass), "
                "a service file (service=NAME) or WORKBENCH_DB",
                param_hint=option,
            )
    return value


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None and not value.strip():
        raise click.BadParameter("is empty: give the path of a desk file", param_hint="--db")
    if value:
        ctx.ensure_object(Context).db = no_password(value, "--db")


def _set_agent(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Context).agent = value


def _set_now(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        from workbench import clock

        ctx.ensure_object(Context).now_given = True
        clock.set_now(value)  # ClockError names --now; main() makes it exit 2


def check_environment_now() -> None:
    """A ``WORKBENCH_NOW`` that is not a time stops the command before it starts (exit 2)."""
    typed = os.environ.get("WORKBENCH_NOW")
    if typed:
        from workbench import clock

        clock.TypedTime(typed, "WORKBENCH_NOW", clock.now_or_wall()).read(UTC)


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Context).json = True


def _read_at_once(*names: str, **attrs: Any) -> Callable:
    """An option read as soon as it is parsed, by its callback, and not passed to the command."""
    return click.option(*names, expose_value=False, is_eager=True, **attrs)


DESK_OPTIONS = [
    _read_at_once(
        "--db",
        metavar="PATH|URL",
        callback=_set_db,
        help="The desk: a file, or a PostgreSQL URL postgresql://… or service=NAME "
        "(default: a file in your data directory; also WORKBENCH_DB).",
    ),
    _read_at_once(
        "--now",
        metavar="TIME",
        callback=_set_now,
        help="Act as if it were this time: ISO-8601 with an offset, a shift (+2d, -3h) or a day "
        "and a time in the desk's zone (tomorrow 9:00, monday 09:00); also WORKBENCH_NOW.",
    ),
    _read_at_once(
        "--as",
        "as_agent",
        metavar="HANDLE",
        callback=_set_agent,
        help="Act as this agent of the desk (also WORKBENCH_AGENT; default: your login name).",
    ),
    _read_at_once(
        "--json",
        "as_json",
        is_flag=True,
        callback=_set_json,
        help="Print one JSON document on stdout and nothing else.",
    ),
]
"""The options of every command, in the order help lists them: each read as soon as it is
parsed (into the :class:`Context` or the clock), none passed to the command."""


def desk_options(command: Callable) -> Callable:
    """``--db``, ``--now``, ``--as`` and ``--json`` on a command."""
    for option in reversed(DESK_OPTIONS):
        command = option(command)
    return command


def with_desk(command: Callable) -> Callable:
    """Pass the desk as the first argument and print what the command returns."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        context = click.get_current_context().ensure_object(Context)
        result = command(context.desk(), *args, **kwargs)
        emit(context, result)

    return desk_options(wrapper)


class Output:
    """A command's answer: a JSON-able document and its text for people. The document may
    be given as a function that builds it, called only when ``--json`` asks for it (a list
    of 2,000 cases as dicts is a third of ``case list``'s time)."""

    def __init__(self, data: Any | Callable[[], Any], text: str | list[str]) -> None:
        self._data = data
        self.text = text if isinstance(text, str) else "\n".join(text)

    @property
    def data(self) -> Any:
        return self._data() if callable(self._data) else self._data


def warn_plugin_failures(context: Context) -> None:
    """One line on stderr for each plugin refused at load, and each plugin and hook that
    failed (with the number of calls)."""
    from workbench.render import visible

    if context._desk is not None:
        for failure in context._desk.plugins.failures:
            click.echo(visible(f"workbench: warning: {failure}; its answers are missing above"), err=True)


def warn_unreadable(context: Context) -> None:
    """One line on stderr for each record the answer leaves out because the desk cannot
    work it out (a damaged or unexpected record): the others are shown."""
    from workbench.render import visible

    if context._desk is not None:
        for record, problem in context._desk.unreadable.items():
            click.echo(
                visible(
                    f"workbench: warning: {record} cannot be shown ({problem}); the others are. "
                    "See `workbench doctor`."
                ),
                err=True,
            )


def emit(context: Context, result: Output | None) -> None:
    from workbench.render import visible

    warn_plugin_failures(context)
    warn_unreadable(context)
    if result is None:
        return
    if context.json:
        import orjson

        click.echo(orjson.dumps(result.data, option=orjson.OPT_INDENT_2, default=str).decode())
    else:
        click.echo(visible(result.text))  # JSON above keeps the exact text, escaped as JSON


def parse_pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput(option, f"{pair!r} is not KEY=VALUE")
        values[key.strip()] = value
    return values


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(name, f"{value!r} is not a date YYYY-MM-DD") from None


def words(desk: Desk) -> Renderer:
    """The desk's facts in words (``workbench.render``): times in the desk's zone and, as of
    now, relative in the desk's language."""
    from workbench.render import Renderer

    return Renderer(desk.timezone(), desk.now(), desk.locale())


def given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def customer_name(desk: Desk, customer_id: str) -> str:
    return desk.customer(customer_id).name if customer_id else "(no customer)"


def check_filters(desk: Desk, vendor: str | None, customer_id: str | None) -> None:
    """A filter naming an unknown vendor or customer is a typo, not an empty answer."""
    if vendor is not None:
        desk.program(vendor)
    if customer_id is not None:
        desk.customer(customer_id)
