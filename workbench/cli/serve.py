"""``workbench serve``: the terminal desk in a browser, one desk process per tab, behind a
sign-in (:mod:`workbench.web`)."""

from __future__ import annotations

import ipaddress
import os
import ssl

import click

from workbench.cli.common import Context, desk_options
from workbench.errors import BadInput


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to serve on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    default=None,
    help="The address browsers reach the desk at, behind a reverse proxy (https://desk.example.com).",
)
@click.option(
    "--certfile", type=click.Path(exists=True, dir_okay=False), help="Serve TLS with this certificate."
)
@click.option(
    "--keyfile", type=click.Path(exists=True, dir_okay=False), help="The certificate's private key."
)
@click.option("--session-hours", default=8.0, show_default=True, type=click.FloatRange(0.05, 24 * 7))
@click.option(
    "--no-login",
    is_flag=True,
    help="On 127.0.0.1 only: every tab acts as you (--as), without signing in.",
)
@desk_options
def serve(
    host: str,
    port: int,
    public_url: str | None,
    certfile: str | None,
    keyfile: str | None,
    session_hours: float,
    no_login: bool,
) -> None:
    """Serve the terminal desk to browsers: each agent signs in with the password set by
    `workbench agent password`, and each tab runs the desk as that agent."""
    from workbench.desk.passwords import signed_in
    from workbench.store import open_store
    from workbench.web import DeskServer

    context = click.get_current_context().ensure_object(Context)
    desk = context.desk()  # the desk opens (and its actor is checked) before anything is served
    db = context.db or os.environ.get("WORKBENCH_DB") or desk.store.location  # a file or PostgreSQL
    if no_login and not _loopback(host):
        raise BadInput("--no-login", f"serving on {host} needs a sign-in: only 127.0.0.1 may go without one")
    if bool(certfile) != bool(keyfile):
        raise BadInput("--certfile", "give --certfile and --keyfile together")
    ssl_context = None
    if certfile:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            ssl_context.load_cert_chain(certfile, keyfile)
        except ssl.SSLError as error:
            raise BadInput("--certfile", f"cannot use {certfile} with {keyfile}: {error}") from None

    def check_password(handle: str, password: str) -> bool:
        store = open_store(db)
        try:
            return signed_in(store, handle, password) is not None
        finally:
            store.close()

    server = DeskServer(
        host,
        port,
        check_password=check_password,
        public_url=public_url,
        session_hours=session_hours,
        ssl_context=ssl_context,
        signed_in_as=desk.actor if no_login else None,
    )
    secure = ssl_context is not None or (public_url or "").startswith("https://")
    if not _loopback(host) and not secure:
        click.echo(
            f"workbench: warning: serving on {host} without TLS: passwords and the desk cross the "
            "network readable; give --certfile/--keyfile or serve behind an https proxy (--public-url)",
            err=True,
        )

    def announce() -> None:
        click.echo(f"serving the desk {desk.store.location} at {server.public_url} (ctrl+c stops)", err=True)

    os.environ.pop("WORKBENCH_AGENT", None)  # each tab acts --as its signed-in agent
    os.environ["WORKBENCH_DB"] = db  # each tab's desk: in its environment, not on a command line
    server.run(announce)
