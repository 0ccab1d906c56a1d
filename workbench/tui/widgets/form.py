"""A form generated from field definitions (a vendor's intake form, a workflow step's form,
a customer, a setting): one input per field by kind, required marks, help text, and the
desk's findings shown on the field they concern."""

from __future__ import annotations

import re
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalGroup
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from workbench.model import Field, Finding
from workbench.tui.format import escape

PLACEHOLDERS = {
    "email": "name@example.co.jp",
    "date": "YYYY-MM-DD",
    "datetime": "YYYY-MM-DDTHH:MM+09:00",
    "number": "a number",
    "timezone": "e.g. Asia/Tokyo",
    "list": "comma-separated",
}

YES_NO = [("Yes", True), ("No", False)]


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def shown_value(value: Any) -> str:
    """A stored value as the text an input shows."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class Form(VerticalGroup):
    """Inputs for ``fields``; posts :class:`Form.Changed` on every edit."""

    DEFAULT_CSS = """
    Form {
        height: auto;
        .field { height: auto; margin-bottom: 1; }
        Input, Select, TextArea { background: $boost; }
        Input:focus, TextArea:focus { background: $primary 20%; }
        .field-label { color: $text; text-style: bold; }
        .field-label.-required { color: $text; }
        .field-help { color: $text-muted; }
        .field-problem { color: $text-error; display: none; }
        .field-problem.-warning { color: $text-warning; }
        .field-problem.-shown { display: block; }
        .field.-hidden { display: none; }
        TextArea { height: 4; }
        Select { width: 1fr; }
    }
    """

    class Changed(Message):
        """A field's value changed."""

        def __init__(self, form: Form) -> None:
            super().__init__()
            self.form = form
            """The form that changed."""

        @property
        def control(self) -> Form:
            return self.form

    def __init__(
        self,
        fields: list[Field],
        values: dict[str, Any] | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.fields = fields
        """The definitions the inputs were generated from."""
        self.initial = dict(values or {})
        self._by_slug = {slug(f.name): f for f in fields}

    def compose(self) -> ComposeResult:
        for definition in self.fields:
            name = slug(definition.name)
            with Vertical(classes="field", id=f"field-{name}"):
                mark = " [b $text-error]*[/]" if definition.required else ""
                condition = ""
                if definition.when:
                    condition = (
                        " [$text-muted](when "
                        + ", ".join(f"{k} = {_word(v)}" for k, v in definition.when.items())
                        + ")[/]"
                    )
                yield Label(f"{escape(definition.label)}{mark}{condition}", classes="field-label")
                yield self._input(definition, name)
                if definition.help:
                    rule = f" ({definition.rule})" if definition.rule else ""
                    yield Static(escape(definition.help + rule), classes="field-help")
                yield Static("", classes="field-problem", id=f"problem-{name}")

    def _input(self, definition: Field, name: str) -> Widget:
        value = self.initial.get(definition.name, definition.default)
        widget_id = f"f-{name}"
        if definition.kind == "longtext":
            return TextArea(
                shown_value(value), id=widget_id, soft_wrap=True, show_line_numbers=False, compact=True
            )
        if definition.kind == "choice":
            return Select(
                [(c, c) for c in definition.choices],
                value=value if value in definition.choices else Select.NULL,
                allow_blank=True,
                prompt=f"Choose {definition.label.lower()}",
                id=widget_id,
                compact=True,
            )
        if definition.kind == "bool":
            if definition.default is not None and not definition.required:
                return Switch(value=bool(value), id=widget_id)
            return Select(
                YES_NO,
                value=value if isinstance(value, bool) else Select.NULL,
                allow_blank=True,
                prompt="Yes or no",
                id=widget_id,
                compact=True,
            )
        return Input(
            shown_value(value),
            placeholder=PLACEHOLDERS.get(definition.kind, ""),
            id=widget_id,
            type="number" if definition.kind == "number" else "text",
            compact=True,
        )

    def on_mount(self) -> None:
        self._apply_conditions()

    # -- values -------------------------------------------------------------------------------

    def raw(self) -> dict[str, Any]:
        """Every field's current value as typed (empty ones included)."""
        values: dict[str, Any] = {}
        for definition in self.fields:
            widget = self.query_one(f"#f-{slug(definition.name)}")
            if isinstance(widget, TextArea):
                values[definition.name] = widget.text
            elif isinstance(widget, Select):
                values[definition.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, Switch):
                values[definition.name] = widget.value
            elif isinstance(widget, Input):
                values[definition.name] = widget.value
        return values

    def applies(self, definition: Field, values: dict[str, Any]) -> bool:
        """Whether a conditional field is asked for, given the other answers."""
        return definition.applies(values)

    def values(self) -> dict[str, Any]:
        """The answers to send to the desk: asked-for fields that are not empty."""
        raw = self.raw()
        return {
            name: value
            for name, value in raw.items()
            if value not in (None, "") and self.applies(self._field(name), raw)
        }

    def _field(self, name: str) -> Field:
        return self._by_slug[slug(name)]

    def _apply_conditions(self) -> None:
        raw = self.raw()
        for definition in self.fields:
            if definition.when:
                box = self.query_one(f"#field-{slug(definition.name)}")
                box.set_class(not self.applies(definition, raw), "-hidden")

    # -- findings ------------------------------------------------------------------------------

    def show_findings(self, findings: list[Finding], extra: dict[str, str] | None = None) -> None:
        """Put each finding under the field it names (errors red, warnings amber); ``extra``
        adds a problem under a field by its name (a name with a dot, ``zoho.region``, too)."""
        extra = {slug(name): problem for name, problem in (extra or {}).items()}
        by_field: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.field:
                by_field.setdefault(slug(finding.field), []).append(finding)
        for name in self._by_slug:
            problem = self.query_one(f"#problem-{name}", Static)
            found = by_field.get(name, [])
            lines = [
                f"{'✗' if f.level == 'error' else '!'} {escape(f.message)} ({f.rule})"
                for f in found
                if f.level in ("error", "warning")
            ]
            if extra and name in extra:
                lines.append(f"✗ {escape(extra[name])}")
            problem.update("\n".join(lines))
            problem.set_class(bool(lines), "-shown")
            problem.set_class(
                bool(lines) and all(f.level == "warning" for f in found) and not (extra and name in extra),
                "-warning",
            )

    def focus_field(self, name: str) -> None:
        if slug(name) in self._by_slug:
            self.query_one(f"#f-{slug(name)}").focus()

    def has_field(self, name: str) -> bool:
        return slug(name) in self._by_slug

    # -- events ------------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self._apply_conditions()
        self.post_message(self.Changed(self))


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " or ".join(_word(v) for v in value)
    return str(value)
