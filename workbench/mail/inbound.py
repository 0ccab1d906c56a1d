"""A message as the desk reads it: its headers decoded where they can be (and the problem
named where they cannot), its readable text (HTML made text), its attachments, the case IDs
it names and the messages it answers. Nothing here raises on a malformed message: whatever
arrives is taken and shown, escaped, never refused.

Only the standard library's :mod:`email` (the tolerant ``compat32`` parser) and
:mod:`html.parser` are used."""

from __future__ import annotations

import email
import email.header
import email.message
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

CASE_ID = re.compile(r"\[(C-[1-9][0-9]{0,17})\]")
"""A case ID as the desk writes it into a subject (``[C-12]``); a body names one the same way."""
BARE_CASE_ID = re.compile(r"(?<![\w-])(C-[1-9][0-9]{0,17})(?![\w-])")
"""A case ID written bare, taken from a subject only (``Re: C-12 still failing``)."""
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_TEXT = 200_000
"""Characters of text kept of one message (a 50 MB log pasted into a body is an attachment's
job); the rest is cut, and the cut said."""


@dataclass
class File:
    """An attachment as read: its name, type and bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass
class Incoming:
    """What the desk reads of one message."""

    message_id: str
    sender: str
    sender_name: str
    to: list[str]
    subject: str
    date: datetime | None
    date_header: str
    in_reply_to: str
    references: list[str]
    text: str
    files: list[File] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]

    def case_ids(self) -> list[str]:
        """The case IDs the message names: ``[C-12]`` in its subject or text, or a bare
        ``C-12`` in its subject; in that order, each once."""
        found = [*CASE_ID.findall(self.subject), *BARE_CASE_ID.findall(self.subject)]
        found += CASE_ID.findall(self.text)
        return list(dict.fromkeys(found))

    def answers(self) -> list[str]:
        """The Message-IDs it answers: In-Reply-To first, then References newest first."""
        return list(dict.fromkeys([*MESSAGE_ID.findall(self.in_reply_to), *reversed(self.references)]))


def clean(text: str) -> str:
    """``text`` as the desk can store it in any store: valid UTF-8 (an undecodable byte or a
    lone surrogate becomes U+FFFD) and no NUL (PostgreSQL's text cannot hold one). Every
    other character, terminal escapes included, is kept: they are shown escaped."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "\ufffd")


def read_message(raw: bytes) -> Incoming:
    """Read one message (its bytes as delivered)."""
    message = email.message_from_bytes(raw)
    problems: list[str] = [f"the message's structure: {type(d).__name__}" for d in message.defects]
    subject = _header(message, "Subject", problems)
    sender_name, sender = _address(message, "From", problems)
    to = [address.lower() for _, address in _addresses(message, ("To", "Cc"), problems) if address]
    date_header = _header(message, "Date", problems)
    date = _date(date_header, problems)
    message_id = _one_id(_header(message, "Message-ID", problems))
    if not message_id:
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id.workbench.invalid>"
        problems.append("no Message-ID: the desk made one from the message's bytes")
    in_reply_to = " ".join(MESSAGE_ID.findall(_header(message, "In-Reply-To", problems)))
    references = MESSAGE_ID.findall(_header(message, "References", problems))
    text, files = _body(message, problems)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"\n[… {len(text) - MAX_TEXT} more characters not kept]"
    return Incoming(
        message_id=clean(message_id),
        sender=clean(sender.lower()),
        sender_name=clean(sender_name),
        to=[clean(t) for t in to],
        subject=clean(subject),
        date=date,
        date_header=clean(date_header),
        in_reply_to=clean(in_reply_to),
        references=[clean(r) for r in references],
        text=clean(text),
        files=files,
        problems=[clean(p) for p in problems],
    )


def _header(message: email.message.Message, name: str, problems: list[str]) -> str:
    """A header's value decoded (RFC 2047 words, 8-bit bytes as UTF-8); its raw text, with the
    problem named, when it cannot be decoded. ``""`` when absent."""
    raw = message.get(name)
    if raw is None:
        return ""
    raw = str(raw)
    try:
        value = str(email.header.make_header(email.header.decode_header(raw)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError) as error:
        problems.append(f"{name} header could not be decoded ({error}); kept as written")
        value = raw
    return (
        " ".join(clean(value).split())
        if name != "Subject"
        else clean(value).replace("\r", "").replace("\n", "")
    )


def _one_id(value: str) -> str:
    found = MESSAGE_ID.search(value)
    return found.group() if found else ""


def _address(message: email.message.Message, name: str, problems: list[str]) -> tuple[str, str]:
    found = _addresses(message, (name,), problems)
    if not found or not found[0][1]:
        if message.get(name) is not None:
            problems.append(f"{name} header holds no address the desk can read")
        return "", ""
    return found[0]


def _addresses(
    message: email.message.Message, names: tuple[str, ...], problems: list[str]
) -> list[tuple[str, str]]:
    values = [_header(message, name, problems) for name in names if message.get(name) is not None]
    try:
        pairs = email.utils.getaddresses(values)
    except (ValueError, IndexError, TypeError) as error:
        problems.append(f"{'/'.join(names)} header could not be read ({error})")
        return []
    return [(name, address) for name, address in pairs if "@" in address or not address]


def _date(value: str, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append(f"Date header {value[:80]!r} is not a date; kept as written")
        return None
    if moment.tzinfo is None:  # "-0000": the time zone is unknown; read as UTC (RFC 5322)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _body(message: email.message.Message, problems: list[str]) -> tuple[str, list[File]]:
    """The readable text (the first text/plain part, else the first text/html part made
    text) and every other part that is a file."""
    plain: str | None = None
    html: str | None = None
    files: list[File] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = part.get_content_disposition()
        name = _filename(part, problems)
        data = _payload(part)
        if disposition == "attachment" or name or not kind.startswith("text/"):
            files.append(File(name or f"part-{len(files) + 1}", kind, data))
            continue
        text = _decode(part, data, problems)
        if kind == "text/html":
            html = html if html is not None else html_text(text)
        elif plain is None:
            plain = text
    text = plain if plain is not None and plain.strip() else html or plain or ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n"), files


def _filename(part: email.message.Message, problems: list[str]) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, UnicodeError) as error:
        problems.append(f"an attachment's name could not be read ({error})")
        return ""
    if name and "=?" in name:
        try:
            name = str(email.header.make_header(email.header.decode_header(name)))
        except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
            pass
    return clean(str(name))


def _payload(part: email.message.Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _decode(part: email.message.Message, data: bytes, problems: list[str]) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        problems.append(f"unknown character set {charset!r}: read as UTF-8")
        return data.decode("utf-8", "replace")


PARAGRAPHS = frozenset(
    "address article aside blockquote footer form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre "
    "section table ul".split()
)
"""HTML elements set apart from the text around them by a blank line."""
LINES = frozenset("br dd div dl dt li tr".split())
"""HTML elements that start a new line."""
UNSEEN = frozenset({"script", "style", "head", "title", "template"})
"""HTML elements whose content is not read as text."""


class _TextOfHTML(HTMLParser):
    """Readable text of an HTML body: paragraphs and lines as in a browser, list items as
    bullets, a link's address after its text, nothing of scripts or styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSEEN:
            self.hidden += 1
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "img" and dict(attrs).get("alt"):
            self.parts.append(f"[{dict(attrs)['alt']}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in UNSEEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href.startswith(("http://", "https://")) and href not in "".join(self.parts[-2:]):
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_text(html: str) -> str:
    """An HTML body as readable text (stdlib :class:`html.parser.HTMLParser`)."""
    parser = _TextOfHTML()
    parser.feed(html)
    parser.close()
    return parser.text()
