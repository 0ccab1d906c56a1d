"""``workbench serve``: the terminal desk in a browser behind a sign-in, through a real server
started by the test on 127.0.0.1, a plain HTTP client and headless Chromium (the system's
package, driven by its chromedriver).

No rule of RULES.md covers serving; who may set a password and who a browser's changes are
recorded as is CORE-TEAM-1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

NOW = "2026-03-02T10:00:00+09:00"
PASSWORD = "correct horse battery"
ENV = {**os.environ, "WORKBENCH_NOW": NOW, "WORKBENCH_PLUGINS": "core,ontime,zoho,bittitan,webex"}


def workbench(db: Path, *args: str, stdin: str = "", agent: str = "sato") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args, "--db", str(db), "--as", agent],
        input=stdin,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )


@dataclass
class Served:
    db: Path | str
    port: int
    cases: list[dict]

    def request(self, method: str, path: str, body: str = "", cookie: str = "") -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        if cookie:
            headers["Cookie"] = cookie
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
        return response

    def sign_in(self, agent: str, password: str) -> http.client.HTTPResponse:
        from urllib.parse import urlencode

        return self.request("POST", "/login", urlencode({"agent": agent, "password": password}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, *options: str) -> tuple[subprocess.Popen, int, str]:
    """``workbench serve`` on a free port; the server, its port and what it said on stderr
    until it served."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            "serve",
            "--db",
            str(db),
            "--as",
            "sato",
            "--port",
            str(port),
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    said = ""
    for line in server.stderr:
        said += line
        if line.startswith("serving the desk"):
            return server, port, said
    server.wait()
    raise AssertionError(f"workbench serve ended before serving (exit {server.returncode})")


def serve_demo_desk(db: Path | str) -> Iterator[Served]:
    """The demo desk (cases of four vendors, the team sato, tanaka, emma, ito) at ``db`` (a
    file or PostgreSQL) with emma's and tanaka's passwords set, served on a free port of
    127.0.0.1."""
    assert workbench(db, "demo").returncode == 0
    for agent in ("emma", "tanaka"):
        set_password = workbench(db, "agent", "password", agent, "--password-stdin", stdin=PASSWORD + "\n")
        assert set_password.returncode == 0, set_password.stderr
    cases = json.loads(workbench(db, "case", "list", "--json").stdout)
    server, port, _ = start_server(db)
    yield Served(db, port, cases)
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """The demo desk in a file, served."""
    yield from serve_demo_desk(tmp_path_factory.mktemp("served") / "desk.json")


@pytest.fixture
def served_from_postgres(pg_desk_url: str) -> Iterator[Served]:
    """The demo desk in PostgreSQL, served."""
    yield from serve_demo_desk(pg_desk_url)


def desk_words(served: Served) -> list[str]:
    """Words only the desk knows: its case IDs and subjects."""
    return [c["id"] for c in served.cases] + [c["subject"] for c in served.cases]


# -- the password --------------------------------------------------------------------------


def test_only_a_strong_hash_of_a_password_is_kept_core_team_1(served: Served) -> None:
    stored = "".join(
        p.read_text(errors="replace") for p in served.db.parent.glob("desk.json*") if p.is_file()
    )
    assert PASSWORD not in stored
    assert re.search(r"scrypt\$15\$8\$1\$", stored)
    listed = workbench(served.db, "agent", "list", "--json").stdout
    assert "scrypt" not in listed


def test_a_short_password_is_bad_input_and_an_agent_sets_only_their_own_core_team_1(tmp_path: Path) -> None:
    db = tmp_path / "desk.json"
    workbench(db, "demo")
    short = workbench(db, "agent", "password", "emma", "--password-stdin", stdin="short\n")
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr
    other = workbench(
        db, "agent", "password", "sato", "--password-stdin", stdin=PASSWORD + "\n", agent="emma"
    )
    assert other.returncode == 1
    assert "CORE-TEAM-1" in other.stderr
    own = workbench(db, "agent", "password", "emma", "--password-stdin", stdin=PASSWORD + "\n", agent="emma")
    assert own.returncode == 0, own.stderr


# -- before signing in, with a plain HTTP client ---------------------------------------------


def test_no_desk_data_reaches_a_client_before_signing_in(served: Served) -> None:
    answers = {
        path: served.request("GET", path) for path in ("/", "/ws", "/static/js/textual.js", "/download/x")
    }
    assert answers["/"].status == 303
    assert answers["/"].getheader("Location") == "login"
    assert {answers[p].status for p in ("/ws", "/static/js/textual.js", "/download/x")} == {401}
    form = served.request("GET", "/login")
    assert form.status == 200
    assert 'name="password"' in form.text
    seen = form.text + "".join(a.text for a in answers.values())
    assert [w for w in desk_words(served) if w in seen] == []


def test_a_wrong_password_is_refused_without_a_session(served: Served) -> None:
    refused = served.sign_in("emma", "not her password")
    assert refused.status == 401
    assert "wrong agent or password" in refused.text
    assert refused.getheader("Set-Cookie") is None
    assert served.sign_in("nobody", PASSWORD).status == 401
    assert served.sign_in("ito", PASSWORD).status == 401  # an agent without a password


def test_a_session_cookie_opens_the_desk_and_a_forged_one_does_not(served: Served) -> None:
    signed = served.sign_in("emma", PASSWORD)
    assert signed.status == 303
    cookie = signed.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=28800" in cookie
    session = cookie.split(";")[0]
    page = served.request("GET", "/", cookie=session)
    assert page.status == 200
    assert "data-session-websocket-url" in page.text
    payload, signature = session.split("=", 1)[1].split(".")
    forged = f"workbench_session={payload[:-2]}xx.{signature}"
    assert served.request("GET", "/", cookie=forged).status == 303


def test_repeated_failures_make_the_next_try_wait_even_with_the_right_password(served: Served) -> None:
    for _ in range(3):
        assert served.sign_in("tanaka", "guessing wrong").status == 401
    waiting = served.sign_in("tanaka", PASSWORD)
    assert waiting.status == 429
    assert int(waiting.getheader("Retry-After")) > 0
    assert "too many failed sign-ins" in waiting.text
    assert waiting.getheader("Set-Cookie") is None


# -- the command's options ------------------------------------------------------------------


def test_serving_off_localhost_needs_a_sign_in_and_warns_without_tls(served: Served) -> None:
    refused = workbench(served.db, "serve", "--host", "0.0.0.0", "--no-login")
    assert refused.returncode == 2
    assert "needs a sign-in" in refused.stderr
    server, _, said = start_server(served.db, "--host", "0.0.0.0")
    server.terminate()
    server.communicate(timeout=30)
    assert "warning: serving on 0.0.0.0 without TLS" in said


def test_a_certificate_without_its_key_is_bad_input(served: Served, tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    answer = workbench(served.db, "serve", "--certfile", str(cert))
    assert answer.returncode == 2
    assert "--keyfile" in answer.stderr


# -- in a real browser ----------------------------------------------------------------------

BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
]

SCREEN_TEXT = """
window.screenText = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) {
        window.screenText.push(new TextDecoder().decode(event.data));
      } else if (event.data instanceof Blob) {
        event.data.text().then((text) => window.screenText.push(text));
      }
    });
  }
};
"""
"""What the desk sends the page's terminal, kept as the page receives it: the terminal draws
on a canvas, so the test reads the screen's text from the stream instead."""

ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P_].*?(?:\x07|\x1b\\)|\x1b.", re.S)


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Chromium from the system's packages, driven through its chromedriver."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        missing = "headless Chromium is missing: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing + " (./dev test installs it when run as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    # The third download of one page (the export after the evidence pack and the screenshot)
    # must not wait on Chromium's "download multiple files" question.
    options.add_experimental_option(
        "prefs", {"profile.default_content_setting_values.automatic_downloads": 1}
    )
    opened = webdriver.Chrome(service=Service(driver), options=options)
    opened.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SCREEN_TEXT})
    yield opened
    opened.quit()


def test_in_a_browser_an_agent_signs_in_works_a_case_and_the_note_is_theirs_core_team_1(
    served: Served, browser, tmp_path: Path
) -> None:
    work_a_case_in_the_browser(served, browser, tmp_path)


def test_a_desk_in_postgresql_is_served_the_same_core_team_1(
    served_from_postgres: Served, browser, tmp_path: Path
) -> None:
    work_a_case_in_the_browser(served_from_postgres, browser, tmp_path)


def work_a_case_in_the_browser(served: Served, browser, tmp_path: Path) -> None:
    """Sign in (a wrong password first), the queue with cases of the four vendors, the first
    of emma's cases opened, its evidence pack downloaded, a note added (and the $EDITOR
    fallback), the screenshot and the desk's JSON export downloaded (issue #23); the CLI shows
    the note as emma's, in the desk and in a new desk the export is imported into."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    pictures = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    pictures.mkdir(parents=True, exist_ok=True)

    def screen() -> str:
        return ESCAPES.sub("", browser.execute_script("return window.screenText.join('')"))

    def shown_after(start: int, *texts: str) -> str:
        WebDriverWait(browser, 120).until(lambda _: all(t in screen()[start:] for t in texts))
        return screen()[start:]

    def sign_in(agent: str, password: str) -> None:
        browser.find_element(By.ID, "agent").clear()
        browser.find_element(By.ID, "agent").send_keys(agent)
        browser.find_element(By.ID, "password").send_keys(password)
        browser.find_element(By.ID, "sign-in").click()

    browser.get(f"http://127.0.0.1:{served.port}/")
    assert browser.current_url.endswith("/login")
    assert [w for w in desk_words(served) if w in browser.page_source] == []
    browser.save_screenshot(pictures / "1-sign-in.png")

    sign_in("emma", "not her password")
    # The form posts and a new page replaces the old one: an element found on the old page
    # goes stale, so the answer is waited for on whichever page is there.
    WebDriverWait(
        browser, 120, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(lambda _: "wrong agent or password" in browser.find_element(By.ID, "problem").text)
    assert browser.get_cookies() == []
    browser.save_screenshot(pictures / "2-wrong-password.png")

    sign_in("emma", PASSWORD)
    queue = shown_after(0, "shown of", "open")
    open_cases = [c for c in served.cases if c["state"] not in ("closed",)]
    shown = {c["vendor"] for c in open_cases if c["subject"][:12] in queue}
    assert shown == {"ontime", "zoho", "bittitan", "webex"}
    browser.save_screenshot(pictures / "3-queue.png")

    keys = browser.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
    start = len(screen())
    keys.send_keys("]")  # the "Mine" view: emma's own cases
    shown_after(start, "Mine")
    start = len(screen())
    keys.send_keys(Keys.ENTER)
    case_screen = shown_after(start, "Route and why")
    mine = [c for c in open_cases if c["assignee"] == "emma"]
    opened = [c for c in mine if re.search(rf"\b{c['id']}\b", case_screen)]
    assert len(opened) == 1, [c["id"] for c in opened]
    browser.save_screenshot(pictures / "4-case.png")

    downloads = tmp_path / "downloads"
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    start = len(screen())
    keys.send_keys("P")
    shown_after(start, f"Evidence pack — {opened[0]['id']}")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    shown_after(start, "browser's downloads")
    pack = downloads / f"{opened[0]['id']}-evidence.html"
    WebDriverWait(browser, 120).until(lambda _: pack.exists())
    assert opened[0]["subject"] in pack.read_text()

    start = len(screen())
    keys.send_keys("n")
    shown_after(start, f"Note — {opened[0]['id']}")
    keys.send_keys("called back from the browser")
    start = len(screen())
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("o").key_up(Keys.CONTROL).perform()
    shown_after(start, "In a browser, write here: $EDITOR needs a terminal.")
    browser.save_screenshot(pictures / "5-note.png")
    start = len(screen())
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    shown_after(start, "note added")
    browser.save_screenshot(pictures / "6-note-added.png")

    start = len(screen())
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("p").key_up(Keys.CONTROL).perform()
    keys.send_keys("Screenshot")
    shown_after(start, "Save an SVG picture")
    keys.send_keys(Keys.ENTER)
    shown_after(start, "Screenshot downloaded")
    picture = downloads / "workbench-screen.svg"
    WebDriverWait(browser, 120).until(lambda _: picture.exists())
    assert opened[0]["id"] in picture.read_text()

    start = len(screen())
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("p").key_up(Keys.CONTROL).perform()
    keys.send_keys("Export the desk (JSON)")
    shown_after(start, "as workbench export --format json")
    keys.send_keys(Keys.ENTER)
    shown_after(start, "Export downloaded")
    try:
        WebDriverWait(browser, 120).until(lambda _: list(downloads.glob("workbench-export-*.json")))
    except TimeoutException:
        raise AssertionError(f"no export among the downloads: {sorted(os.listdir(downloads))}") from None
    export = next(downloads.glob("workbench-export-*.json"))
    copy = tmp_path / "copy.json"
    imported = workbench(copy, "import", str(export))
    assert imported.returncode == 0, imported.stderr

    for db in (served.db, copy):
        shown_in_cli = json.loads(workbench(db, "case", "show", opened[0]["id"], "--json").stdout)
        notes = [e for e in shown_in_cli["events"] if e["action"] == "note"]
        assert (notes[-1]["actor"], notes[-1]["data"]["text"]) == ("emma", "called back from the browser")


async def test_a_session_ends_after_its_hours_and_then_opens_nothing() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from workbench.web import DeskServer

    ended = DeskServer("127.0.0.1", 0, check_password=lambda h, p: p == PASSWORD, session_hours=-1)
    async with TestClient(TestServer(await ended._make_app())) as client:
        signed = await client.post(
            "/login", data={"agent": "emma", "password": PASSWORD}, allow_redirects=False
        )
        assert signed.status == 303
        cookie = signed.cookies["workbench_session"].value
        page = await client.get("/", headers={"Cookie": f"workbench_session={cookie}"}, allow_redirects=False)
        assert (page.status, page.headers["Location"]) == (303, "login")


async def test_a_tabs_websocket_closes_when_its_session_ends(served: Served, monkeypatch) -> None:
    """The tab's desk runs only as long as the session: here one already over (negative
    hours; without sign-in, so the websocket opens at all), so the desk started for the tab
    is stopped and the websocket closed, saying why."""
    from aiohttp import WSMsgType
    from aiohttp.test_utils import TestClient, TestServer

    from workbench.web import DeskServer

    for name, value in {**ENV, "WORKBENCH_DB": str(served.db)}.items():
        monkeypatch.setenv(name, value)
    ended = DeskServer(
        "127.0.0.1", 0, check_password=lambda h, p: False, session_hours=-1, signed_in_as="emma"
    )
    async with TestClient(TestServer(await ended._make_app())) as client:
        websocket = await client.ws_connect("/ws?width=80&height=24")
        message = await websocket.receive()
        while message.type in (WSMsgType.BINARY, WSMsgType.TEXT):
            message = await websocket.receive()
        assert message.type == WSMsgType.CLOSE
        assert message.extra == "session ended: sign in again"
        assert websocket.closed


def test_the_desk_websocket_refuses_a_page_of_another_origin(served: Served) -> None:
    session = served.sign_in("emma", PASSWORD).getheader("Set-Cookie").split(";")[0]
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        "Origin": "http://attacker.example",
        "Cookie": session,
    }
    connection.request("GET", "/ws", headers=upgrade)
    answer = connection.getresponse()
    assert answer.status == 403
    assert "not http://attacker.example" in answer.read().decode()


def test_with_its_own_certificate_the_desk_is_served_over_tls_with_secure_cookies(
    served: Served, tmp_path: Path
) -> None:
    import ssl
    from urllib.parse import urlencode

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server, port, said = start_server(served.db, "--certfile", str(cert), "--keyfile", str(key))
    try:
        assert f"at https://127.0.0.1:{port}" in said
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=60, context=ssl.create_default_context(cafile=str(cert))
        )
        form = urlencode({"agent": "emma", "password": PASSWORD})
        connection.request(
            "POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        signed = connection.getresponse()
        assert signed.status == 303
        assert "Secure" in signed.getheader("Set-Cookie")
    finally:
        server.terminate()
        server.wait(timeout=30)
