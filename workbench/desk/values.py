"""User input (CLI text, form values) turned into typed field values."""

from __future__ import annotations

import math
import re
from datetime import date, tzinfo
from typing import Any
from zoneinfo import available_timezones

from workbench import clock
from workbench.errors import BadInput

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EVIDENCE_KINDS = ("reproduction", "patch", "log")


def parse_value(
    name: str, kind: str, raw: Any, choices: list[str] | None = None, tz: tzinfo | None = None
) -> Any:
    """Turn user input (text from the CLI or a form, or an already typed value) into the
    field's type; :class:`BadInput` names the field and the problem. A time without an
    offset is read in ``tz`` (the desk's time zone)."""
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if kind == "number":
            return _number(name, raw, text)
        if kind == "bool":
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in ("yes", "y", "true", "1", "on"):
                return True
            if lowered in ("no", "n", "false", "0", "off"):
                return False
            raise ValueError
        if kind == "date":
            return (text if isinstance(text, date) else date.fromisoformat(text)).isoformat()
        if kind == "datetime":
            return (
                clock.parse_instant(text, what=name, tz=tz).isoformat()
                if isinstance(text, str)
                else text.isoformat()
            )
        if kind == "list":
            items = text if isinstance(text, list) else [t.strip() for t in str(text).split(",")]
            return [i for i in items if i]
    except (ValueError, TypeError, clock.ClockError):
        expected = {
            "number": "a number",
            "bool": "yes or no",
            "date": "a date YYYY-MM-DD",
            "datetime": "an ISO-8601 time",
            "list": "a comma-separated list",
        }[kind]
        raise BadInput(name, f"{raw!r} is not {expected}") from None
    if kind == "email" and not EMAIL.match(str(text)):
        raise BadInput(name, f"{raw!r} is not an e-mail address")
    if kind == "timezone" and text not in available_timezones():
        raise BadInput(name, f"{raw!r} is not a time zone of the tz database (e.g. Asia/Tokyo)")
    if kind == "choice" and choices and text not in choices:
        raise BadInput(name, f"{raw!r} is not one of: {', '.join(choices)}")
    return text


LARGEST_WHOLE_NUMBER = 2**63 - 1
"""The largest whole number the desk stores (a 64-bit signed integer in its JSON)."""


def _number(name: str, raw: Any, text: Any) -> int | float:
    """A finite number from text or a typed number; :class:`BadInput` for NaN, an infinity
    (``inf``, ``1e309``), a whole number too large to store, or a yes / no."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError
    if isinstance(text, str) and re.fullmatch(r"[-+]?\d+", text):
        if len(text.lstrip("+-")) > 19:
            raise BadInput(name, f"{raw!r} is too large a number (at most {LARGEST_WHOLE_NUMBER})")
        value: int | float = int(text)
    else:
        value = text if isinstance(text, int) else float(text)
    if isinstance(value, int) and abs(value) > LARGEST_WHOLE_NUMBER:
        raise BadInput(name, f"{raw!r} is too large a number (at most {LARGEST_WHOLE_NUMBER})")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput(name, f"{raw!r} is not a finite number")
    return value


def attribute_value(text: str) -> Any:
    """A contract attribute typed from text (``--attr`` on the command line, the attributes
    field of a form): yes / no and true / false are booleans, whole numbers are numbers, the
    rest stays text."""
    value = text.strip()
    lowered = value.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def attribute_text(value: Any) -> str:
    """A contract attribute as :func:`attribute_value` reads it back (booleans as yes / no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
