"""One JSON document read a value at a time from a file, in bounded memory, whatever its
layout: a value a line as ``workbench export`` writes it, the whole document on one line as
older versions wrote it, or indented.

:class:`JSONStream` keeps a window of the file (a block at a time, :data:`BLOCK`) and reads
the document's structure (``{``, ``"name":``, ``[``, ``,`` …) byte by byte and each value
whole: a value that ends its line is read by orjson straight away; any other is first
measured by the standard library's scanner (:mod:`json`, over the window decoded as
Latin-1, in which each byte is one character: a JSON value's end falls on the same byte as
in UTF-8, since no byte of a multi-byte character is a quote, a backslash or a bracket),
then read by orjson from its bytes. So every value is read exactly as orjson reads a whole
document, and what it holds is never more than the window and the value being read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

BLOCK = 1 << 20
"""How much of the file is read at a time. A value is read once a quarter of that past its
start is in the window (or the file's end): most are read without growing the window."""
_SLACK = 16
"""A value that stops reading this close to the window's end may only be cut by it (a
``true`` or a ``\\u`` escape in two): it is read again with more of the file."""
_SPACES = b" \t\n\r"
_SPACE = re.compile(rb"[ \t\n\r]*")
_SCAN = json.JSONDecoder().scan_once
_COMMA, _CLOSE = b",]"


class Malformed(Exception):
    """The document is not JSON: what is wrong, in words, and the byte where it is."""

    def __init__(self, problem: str, at: int) -> None:
        super().__init__(problem, at)
        self.problem = problem
        self.at = at


class TooLong(Exception):
    """A value is longer than the longest the reader takes."""


class JSONStream:
    """The document in ``file`` from its start; :meth:`peek`, :meth:`take`, :meth:`value`.

    A value longer than ``longest`` bytes raises :class:`TooLong`; anything that is not
    JSON, :class:`Malformed` (the file cut short included)."""

    def __init__(self, file: BinaryIO, longest: int) -> None:
        self.file = file
        self.longest = longest
        self._ahead = BLOCK // 4
        file.seek(0)
        self.window = b""
        self.position = 0
        """Where the reader is in :attr:`window`."""
        self.offset = 0
        """Where :attr:`window` starts in the file."""
        self.ended = False
        self._text: str | None = None
        self._newline = -1
        """Where the next line ends (its newline, in the file), once looked for."""
        self._searched = 0
        """Up to where the file holds no newline past the position, as far as looked."""
        self._line_mixed = -1
        """The newline ending a line found to hold more than one value: a value starting
        before it is not read as a line."""

    def _more(self) -> bool:
        """Read the next block into the window (dropping what was read); ``False`` at the end."""
        if self.ended:
            return False
        block = self.file.read(BLOCK)
        if not block:
            self.ended = True
            return False
        self.offset += self.position
        self.window = self.window[self.position :] + block
        self.position = 0
        self._text = None
        return True

    def peek(self) -> int | None:
        """The next byte that is not white space (not taken); ``None`` at the end."""
        if self.position < len(self.window) and self.window[self.position] not in _SPACES:
            return self.window[self.position]
        while True:
            self.position = _SPACE.match(self.window, self.position).end()  # type: ignore[union-attr]
            if self.position < len(self.window):
                return self.window[self.position]
            if not self._more():
                return None

    def take(self, expected: bytes) -> None:
        """Take the next byte (after white space), which must be ``expected``."""
        found = self.peek()
        if found != expected[0]:
            raise self.unexpected(f"{expected.decode()!r}")
        self.position += 1

    def unexpected(self, wanted: str) -> Malformed:
        """What is wrong where ``wanted`` (in words) was due."""
        found = self.peek()
        if found is None:
            return Malformed(
                f"the file ends where {wanted} was due: it is cut short", self.offset + self.position
            )
        return Malformed(f"{wanted} was due, not {chr(found)!r}", self.offset + self.position)

    def items(self) -> Iterator[Any]:
        """The values of the array that comes next, one at a time (its brackets taken)."""
        self.take(b"[")
        if self.peek() == _CLOSE:
            self.position += 1
            return
        while True:
            yield self.value()
            window, position = self.window, self.position
            if window[position : position + 2] == b",\n":  # the next value on a line of its own
                self.position = position + 2
                continue
            following = self.peek()
            if following != _COMMA:
                break
            self.position += 1
        if following != _CLOSE:
            raise self.unexpected("',' or ']'")
        self.position += 1

    def at_end(self) -> bool:
        """Whether nothing but white space is left."""
        return self.peek() is None

    def value(self) -> Any:
        """The next value (after white space), as orjson reads it."""
        if self.peek() is None:
            raise self.unexpected("a value")
        if len(self.window) - self.position < self._ahead and not self.ended:
            self._more()
        start = self.position
        line_end = self._line_end()
        if line_end > start:
            try:
                found = orjson.loads(self.window[start:line_end])
            except orjson.JSONDecodeError:
                pass
            else:
                if line_end - start > self.longest:
                    raise TooLong
                self.position = line_end
                return found
        end = self._measure()
        if end - self.position > self.longest:
            raise TooLong
        if self.offset + end < self._newline:
            self._line_mixed = self._newline
        try:
            found = orjson.loads(self.window[self.position : end])
        except orjson.JSONDecodeError as error:
            raise Malformed(str(error.msg), self.offset + self.position) from None
        self.position = end
        return found

    def _line_end(self) -> int:
        """Where the value at the position ends if it ends its line (before a ``,`` there):
        in the window; -1 when the line holds more, or ends past the window."""
        here = self.offset + self.position
        if here <= self._line_mixed:
            return -1
        if self._newline < here:
            found = self.window.find(b"\n", max(self.position, self._searched - self.offset))
            if found < 0:
                self._searched = self.offset + len(self.window)
                return -1
            self._newline = self.offset + found
        end = self._newline - self.offset
        if end > self.position and self.window[end - 1] == 13:  # \r
            end -= 1
        if end > self.position and self.window[end - 1] == 44:  # ,
            end -= 1
        return end

    def _measure(self) -> int:
        """Where the value at the position ends (in the window), read further as needed."""
        while True:
            if self._text is None:
                self._text = self.window.decode("latin-1")
            try:
                return _SCAN(self._text, self.position)[1]
            except (StopIteration, json.JSONDecodeError) as error:
                at = error.value if isinstance(error, StopIteration) else error.pos
                cut = isinstance(error, json.JSONDecodeError) and error.msg.startswith("Unterminated string")
                if cut or at >= len(self._text) - (0 if self.ended else _SLACK):
                    if len(self.window) - self.position <= self.longest and self._more():
                        continue
                    if not self.ended:
                        raise TooLong from None
                    raise Malformed(
                        "the file ends inside a value: it is cut short", self.offset + self.position
                    ) from None
                problem = "a value was due" if isinstance(error, StopIteration) else error.msg
                raise Malformed(problem, self.offset + at) from None


def line_and_column(file: BinaryIO, at: int) -> tuple[int, int]:
    """The line and column (from 1) of byte ``at`` of ``file``, read a block at a time."""
    file.seek(0)
    line, start, done = 1, 0, 0
    while done < at:
        block = file.read(min(BLOCK, at - done))
        if not block:
            break
        count = block.count(b"\n")
        if count:
            line += count
            start = done + block.rfind(b"\n") + 1
        done += len(block)
    return line, at - start + 1
