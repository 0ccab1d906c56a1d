"""Whether a stored record is surely one the desk wrote, without building it: an import
checks 300,000 records and a million instants this way before it checks any the long way.

:func:`shape_check` answers, for a record type, what building the record from its JSON and
writing it back would (every field there and no other, each value reading back as itself:
an instant in its stored form, a date as YYYY-MM-DD, nested records of their shape) *and*
whether each field holds the JSON type the field takes (text, a whole number, a list of
texts …). It answers ``False`` whenever in doubt: the full checks then decide, and name
what is wrong. It is a function written for the type from its fields (as :mod:`dataclasses`
writes ``__init__``), one straight line of tests per field, and the record's instants —
its own and those of the records in it — are gathered and checked together
(:func:`instants_check`): one match of them all, one parse of each, both in C.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(?!000000)\d{6})?\+00:00")
"""An instant as ``workbench.model._dump`` writes it: UTC ``isoformat()``, microseconds
only when not zero."""
_STORED_INSTANTS = re.compile(rf"(?:{STORED_INSTANT.pattern}\n)*{STORED_INSTANT.pattern}")


def instant_check(value: Any) -> bool:
    """Whether ``value`` is an instant as the desk stores it."""
    return (
        type(value) is str
        and STORED_INSTANT.fullmatch(value) is not None
        and datetime.fromisoformat(value) is not None
    )


def instants_check(values: list[Any]) -> bool:
    """:func:`instant_check` of every one of ``values``, in two passes of C."""
    try:
        return not values or (
            _STORED_INSTANTS.fullmatch("\n".join(values)) is not None
            and all(map(datetime.fromisoformat, values))
        )
    except (TypeError, ValueError):
        return False


def date_check(value: Any) -> bool:
    """Whether ``value`` is a date as the desk stores it (YYYY-MM-DD)."""
    return type(value) is str and date.fromisoformat(value).isoformat() == value


def shape_check(cls: type) -> Callable[[Any], bool]:
    """Whether a record of type ``cls`` surely reads back as itself and holds its fields'
    JSON types (``False`` also when unsure)."""
    writer = _Writer()
    check = writer.function(cls)
    namespace: dict[str, Any] = {"date_check": date_check, **writer.names}
    exec(compile("\n".join(writer.lines), f"<shape of {cls.__name__}>", "exec"), namespace)  # noqa: S102
    written = namespace[check]

    def shaped(record: Any) -> bool:
        instants: list[Any] = []
        try:
            return written(record, instants) and instants_check(instants)
        except Exception:  # a value the quick check cannot read: the full checks decide
            return False

    return shaped


_SIMPLE = {str: "str", int: "int", bool: "bool"}
"""The field types whose JSON type is one Python type, by its name."""


class _Writer:
    """The source of one check function per record type met (the type's and those of the
    records in it), and the values they name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self._written: dict[type, str] = {}

    def function(self, cls: type) -> str:
        """The name of the function checking a record of ``cls`` (and the instants it
        gathers), written if not yet."""
        if cls in self._written:
            return self._written[cls]
        name = self._written[cls] = f"check_{cls.__name__}"
        hints = typing.get_type_hints(cls)
        fields = [f.name for f in dataclasses.fields(cls)]
        body = [
            f"def {name}(record, instants):",
            f"    if type(record) is not dict or record.keys() != {self._name(frozenset(fields))}:",
            "        return False",
        ]
        for field in fields:
            kind, empty = hints[field], False
            if typing.get_origin(kind) in (typing.Union, types.UnionType):
                options = [a for a in typing.get_args(kind) if a is not type(None)]
                kind, empty = (options[0], True) if len(options) == 1 else (Any, True)
            tests = self._tests(kind, "value")
            body.append(f"    value = record[{field!r}]")
            if empty:
                body.append("    if value is not None:")
                body += ["    " + line for line in tests]
            else:
                body += tests
        body += ["    return True", ""]
        self.lines += body
        return name

    def _tests(self, kind: Any, value: str) -> list[str]:
        """The lines (indented for a function's body) that return ``False`` unless
        ``value`` is a stored value of field type ``kind``."""
        origin, arguments = typing.get_origin(kind), typing.get_args(kind)
        if kind in _SIMPLE:
            return [f"    if type({value}) is not {_SIMPLE[kind]}:", "        return False"]
        if kind is float:
            return [f"    if type({value}) not in (int, float):", "        return False"]
        if kind is datetime:
            return [
                f"    if type({value}) is not str:",
                "        return False",
                f"    instants.append({value})",
            ]
        if kind is date:
            return [f"    if not date_check({value}):", "        return False"]
        if origin is typing.Literal:
            return [f"    if {value} not in {self._name(arguments)}:", "        return False"]
        if origin is dict and arguments[1] is Any:
            return [f"    if type({value}) is not dict:", "        return False"]
        if origin is list:
            item = "item" if value == "value" else f"{value}_item"
            inner = self._tests(arguments[0], item)
            if inner == ["    return False"]:
                return inner
            return [
                f"    if type({value}) is not list:",
                "        return False",
                f"    for {item} in {value}:",
                *["    " + line for line in inner],
            ]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            return [f"    if not {self.function(kind)}({value}, instants):", "        return False"]
        return ["    return False"]  # a type not planned for: unsure, the full checks decide

    def _name(self, value: Any) -> str:
        """A name in the functions' namespace for ``value``."""
        name = f"value_{len(self.names)}"
        self.names[name] = value
        return name
