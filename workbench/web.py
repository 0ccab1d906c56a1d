"""The terminal desk served to browsers (``workbench serve``), behind a sign-in.

textual-serve runs the desk's own command (``workbench --as HANDLE``, the desk in
``WORKBENCH_DB``) once for each browser tab's websocket and relays its screen; it has no
sign-in of its own. This server puts one in front of every route it has:

- ``/login`` is the only page served before signing in: a form, nothing from the desk.
  Every other route (the app page, its scripts, the websocket, downloads) answers 401, or
  for ``/`` a redirect to the form, without a valid session.
- A session is a cookie signed with a key made when the server starts (HMAC-SHA256):
  ``HttpOnly``, ``SameSite=Strict``, ``Secure`` under TLS, ending after ``session_hours``.
  A restart signs everyone out. The websocket closes when its session ends.
- The agent and password are checked against the desk (:mod:`workbench.desk.passwords`);
  failures for an agent (3) or from an address (20) make the next try wait (30 s, doubling
  with each failure after, at most 15 minutes), and while it waits no password is checked.
- Each tab's desk runs ``--as`` the signed-in agent: every change made there is recorded
  as that agent (CORE-TEAM-1).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import secrets
import shlex
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

COOKIE = "workbench_session"
FREE_TRIES = {"agent": 3, "address": 20}
"""Failed sign-ins of one agent, and from one address (a team behind one NAT), before the
next try waits."""
FIRST_WAIT = 30.0
LONGEST_WAIT = 900.0
TEMPLATES = Path(__file__).parent / "web_templates"

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in — Case Workbench</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ background: #0c181f; color: #eee; font-family: monospace; display: flex;
  justify-content: center; align-items: center; height: 100vh; margin: 0; }}
form {{ background: #12232d; padding: 2em 3em; }}
label {{ display: block; margin-top: 1em; }}
input {{ font: inherit; width: 20em; padding: .3em; }}
button {{ font: inherit; margin-top: 1.5em; padding: .5em 2em; }}
.problem {{ color: #ff8a80; }}
</style></head>
<body><form method="post" action="login">
<h1>Case Workbench</h1>
<p class="problem" id="problem">{problem}</p>
<label>Agent (handle) <input name="agent" id="agent" autocomplete="username" value="{agent}" required></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password"
  required></label>
<button type="submit" id="sign-in">Sign in</button>
</form></body></html>
"""


@dataclass
class Failures:
    """Failed sign-ins of one agent or from one address."""

    free: int
    count: int = 0
    last: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds before the next try is checked (0: now)."""
        if self.count < self.free:
            return 0.0
        waited = FIRST_WAIT * 2 ** (self.count - self.free)
        return max(0.0, min(waited, LONGEST_WAIT) - (now - self.last))


@dataclass
class SignIns:
    """Failures by agent and by address; ``time.monotonic`` is their clock."""

    by_key: dict[str, Failures] = field(default_factory=dict)

    def wait(self, *keys: str) -> float:
        now = time.monotonic()
        return max((self.by_key[k].wait(now) for k in keys if k in self.by_key), default=0.0)

    def failed(self, *keys: str) -> None:
        for key in keys:
            failures = self.by_key.setdefault(key, Failures(FREE_TRIES[key.partition(":")[0]]))
            failures.count += 1
            failures.last = time.monotonic()

    def succeeded(self, agent_key: str) -> None:
        self.by_key.pop(agent_key, None)


class DeskServer(Server):
    """textual-serve's server with a sign-in in front of every route."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        check_password: Callable[[str, str], bool],
        public_url: str | None = None,
        session_hours: float = 8.0,
        ssl_context: ssl.SSLContext | None = None,
        signed_in_as: str | None = None,
    ) -> None:
        scheme = "https" if ssl_context is not None else "http"
        super().__init__(
            command="workbench",
            host=host,
            port=port,
            title="Case Workbench",
            public_url=public_url or f"{scheme}://{host}:{port}",
            templates_path=TEMPLATES,
        )
        self.statics_path = Path(sys.modules["textual_serve"].__file__).parent / "static"
        self.check_password = check_password
        self.session_seconds = session_hours * 3600
        self.ssl_context = ssl_context
        self.signed_in_as = signed_in_as
        """The agent every tab acts as when no sign-in is asked for (on 127.0.0.1 only)."""
        self.key = secrets.token_bytes(32)
        self.sign_ins = SignIns()

    # -- sessions -------------------------------------------------------------------------

    def _signature(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()

    def session_cookie(self, handle: str) -> str:
        payload = base64.urlsafe_b64encode(f"{handle}\n{time.time() + self.session_seconds:.0f}".encode())
        return f"{payload.decode()}.{self._signature(payload.decode())}"

    def session(self, request: web.Request) -> tuple[str, float] | None:
        """The signed-in agent and the seconds their session has left; ``None`` without one."""
        if self.signed_in_as is not None:
            return self.signed_in_as, self.session_seconds
        payload, _, signature = request.cookies.get(COOKIE, "").partition(".")
        if not payload or not hmac.compare_digest(signature, self._signature(payload)):
            return None
        handle, _, ends = base64.urlsafe_b64decode(payload).decode().partition("\n")
        left = float(ends) - time.time()
        return (handle, left) if left > 0 else None

    # -- routes ---------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.require_session])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/login", self.handle_login_form),
                web.post("/login", self.handle_login),
                web.get("/logout", self.handle_logout),
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_response_prepare.append(self.add_headers)
        return app

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"

    @web.middleware
    async def require_session(self, request: web.Request, handler) -> web.StreamResponse:
        if request.path in ("/login", "/logout"):
            return await handler(request)
        if self.session(request) is None:
            if request.path == "/":
                raise web.HTTPSeeOther("login")
            raise web.HTTPUnauthorized(text="sign in first at /login")
        return await handler(request)

    def login_page(self, problem: str = "", agent: str = "", status: int = 200) -> web.Response:
        text = LOGIN_PAGE.format(problem=html.escape(problem), agent=html.escape(agent))
        return web.Response(text=text, content_type="text/html", status=status)

    async def handle_login_form(self, request: web.Request) -> web.Response:
        return self.login_page()

    async def handle_login(self, request: web.Request) -> web.Response:
        form = await request.post()
        handle = str(form.get("agent", "")).strip()
        password = str(form.get("password", ""))
        keys = (f"agent:{handle.lower()}", f"address:{request.remote}")
        wait = self.sign_ins.wait(*keys)
        if wait > 0:
            response = self.login_page(
                f"too many failed sign-ins: try again in {wait:.0f} seconds", handle, status=429
            )
            response.headers["Retry-After"] = f"{wait:.0f}"
            return response
        if not handle or not await asyncio.to_thread(self.check_password, handle, password):
            self.sign_ins.failed(*keys)
            return self.login_page("wrong agent or password", handle, status=401)
        self.sign_ins.succeeded(keys[0])
        response = web.HTTPSeeOther("./")
        response.set_cookie(
            COOKIE,
            self.session_cookie(handle),
            max_age=int(self.session_seconds),
            httponly=True,
            samesite="Strict",
            secure=self.ssl_context is not None or self.public_url.startswith("https"),
        )
        raise response

    async def handle_logout(self, request: web.Request) -> web.Response:
        response = web.HTTPSeeOther("login")
        response.del_cookie(COOKIE)
        raise response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab's desk: ``workbench --as`` the signed-in agent, for as long as the session
        lasts."""
        origin = request.headers.get("Origin")
        public = urlsplit(self.public_url)
        if origin is not None and origin != f"{public.scheme}://{public.netloc}":
            raise web.HTTPForbidden(text=f"this desk is served at {self.public_url}, not {origin}")
        handle, left = self.session(request)
        command = shlex.join([sys.executable, "-m", "workbench", "--as", handle])  # WORKBENCH_DB: the desk
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        service = AppService(
            command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        await service.start(
            to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24)
        )
        try:
            async with asyncio.timeout(left):
                await self._process_messages(websocket, service)
        except TimeoutError:
            await websocket.close(message=b"session ended: sign in again")
        finally:
            await service.stop()
            if service._process is not None:  # reaped here, not left to whenever the loop ends
                await service._process.wait()
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: ``workbench serve`` says where it serves."""

    def run(self, announce: Callable[[], None]) -> None:
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            ssl_context=self.ssl_context,
            print=lambda *_: announce(),
            access_log=None,
        )
