"""Settings, the vendor programs that declare them, the desk's clock and its calendar.

The desk clock is :mod:`workbench.clock` (``--now`` / ``WORKBENCH_NOW``); the desk calendar
(CORE-SLA-3) is built from four settings, checked before any of them is saved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from workbench import clock
from workbench.calendar import Calendar, local_date
from workbench.calendar import desk_calendar as build_desk_calendar
from workbench.desk import agents
from workbench.desk.records import record_event
from workbench.desk.values import parse_value
from workbench.desk.views import (
    SettingView,
)
from workbench.errors import BadInput
from workbench.model import (
    Setting,
    VendorProgram,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


LARGEST_SETTING = 1_000_000
"""The greatest number a setting takes when its declaration names no maximum: hours, days
and counts past it are typing errors, and would make deadlines no calendar can reach."""

CALENDAR_SETTINGS = ("desk.timezone", "core.desk_hours", "core.desk_holidays", "core.closed_dates")
"""The settings the desk calendar (CORE-SLA-3) is built from."""


def saved_views(desk: Desk) -> list[tuple[str, str]]:
    """The queue's saved views (``desk.saved_views``): (name, filter) each, in order."""
    found = []
    for item in desk.setting("desk.saved_views"):
        name, _, text = str(item).partition("=")
        if name.strip() and text.strip():
            found.append((name.strip(), text.strip()))
    return found


def save_view(desk: Desk, name: str, text: str) -> SettingView:
    """Keep a queue filter under a name in the desk (one of that name is replaced)."""
    name, text = name.strip(), " ".join(text.split())
    if not name or "=" in name or "," in name:
        raise BadInput("name", "a view's name is a few words, without '=' or ','")
    if not text or "," in text:
        raise BadInput("filter", "a view needs a filter, without ','")
    views = [(n, f) for n, f in saved_views(desk) if n != name] + [(name, text)]
    return set_setting(desk, "desk.saved_views", [f"{n}={f}" for n, f in views])


def now(desk: Desk) -> datetime:
    """The desk clock (``--now`` / ``WORKBENCH_NOW`` aware)."""
    return clock.now()


@contextmanager
def at(desk: Desk, when: datetime) -> Iterator[None]:
    """Make changes as of ``when`` (demo data, replayed history); the clock is put
    back afterwards."""
    saved = clock.fixed()
    clock.set_now(when)
    try:
        yield
    finally:
        clock.set_now(saved)


def today(desk: Desk) -> date:
    """Today in the desk's time zone (:func:`workbench.calendar.local_date`: at the ends of
    time, the first or last date there is)."""
    return local_date(desk.now(), desk.timezone())


def timezone(desk: Desk) -> ZoneInfo:
    return ZoneInfo(desk.setting("desk.timezone"))


def locale(desk: Desk) -> str:
    """The language of relative times (``in 3 hours`` / ``3時間後``): the setting
    ``desk.locale``, or for ``auto`` the desk's time zone's (Asia/Tokyo: ja, else en)."""
    chosen = desk.setting("desk.locale")
    if chosen != "auto":
        return chosen
    return "ja" if desk.setting("desk.timezone") == "Asia/Tokyo" else "en"


def vendors(desk: Desk) -> list[str]:
    """The vendor programs a case can be opened under (the core is not one)."""
    return sorted(p for p in desk.programs() if p != "core")


def rule_text(desk: Desk, rule_id: str) -> str:
    for program in desk.programs().values():
        for rule in program.rules:
            if rule.id == rule_id:
                return rule.text
    return ""


def definitions(desk: Desk) -> dict[str, tuple[Setting, str]]:
    """Every declared setting by key, with the program that declares it."""
    return {s.key: (s, p.id) for p in desk.programs().values() for s in p.settings}


def setting(desk: Desk, key: str) -> Any:
    """A desk setting's value, or its default."""
    stored = desk.store.get("settings", key)
    if stored is not None:
        return stored["value"]
    definition = desk.setting_definitions().get(key)
    if definition is None:
        raise BadInput("setting", f"unknown setting {key!r}")
    return definition[0].default


def settings(desk: Desk) -> list[SettingView]:
    views = []
    for key, (setting, program) in sorted(desk.setting_definitions().items()):
        views.append(
            SettingView(
                key=key,
                value=desk.setting(key),
                default=setting.default,
                help=setting.help,
                kind=setting.kind,
                choices=setting.choices,
                program=program,
                rule=setting.rule,
            )
        )
    return views


SWEEP_MINUTES = "desk.sweep_minutes"
"""Minutes between the scheduled sweeps (a terminal desk's, ``workbench run``'s); 0 for none."""

WEBHOOK_URL = "desk.webhook_url"
"""Where ``workbench run`` posts its notifications (JSON, a chat tool's incoming webhook)."""

SMTP_SETTINGS = ("mail.smtp_host", "mail.smtp_security")
"""The SMTP server's settings checked together: no protection (``none``) only on this machine."""

PLUGIN_TIME_LIMIT = "core.plugin_time_limit"
"""Seconds a hook may run before the plugins leave its answer out (:mod:`workbench.plugins`)."""


def setting_value(desk: Desk, key: str, raw: Any) -> Any:
    """``raw`` (text or an already typed value) as the value of setting ``key``, checked as
    every way of setting it checks it (``settings KEY VALUE``, the settings screen, an
    import): a known key, the setting's type, a finite number within its bounds, a desk
    calendar that can be built. :class:`BadInput` names the key and the problem."""
    definition = desk.setting_definitions().get(key)
    if definition is None:
        raise BadInput("setting", f"unknown setting {key!r} (see `workbench settings`)")
    setting, _ = definition
    typed = {"number": (int, float), "bool": (bool,), "list": (list,)}.get(setting.kind, ())
    if not isinstance(raw, (str, *typed)) or (setting.kind == "number" and isinstance(raw, bool)):
        raise BadInput(key, f"{raw!r} is not a value of this setting (a {setting.kind})")
    value = parse_value(key, setting.kind, raw, setting.choices)
    if setting.kind == "number" and isinstance(value, float) and value.is_integer():
        value = int(value)  # 2.0 typed or reset is the whole number 2, as the default is
    if setting.kind == "number":
        if setting.minimum is not None and value < setting.minimum:
            raise BadInput(key, f"{value} is below the least allowed value, {setting.minimum}")
        greatest = setting.maximum if setting.maximum is not None else LARGEST_SETTING
        if value > greatest:
            raise BadInput(key, f"{value} is above the greatest allowed value, {greatest}")
    if key == "core.vendor_assignees":
        agents.vendor_assignees(desk, value)
    if key == WEBHOOK_URL and value and urlsplit(value).scheme not in ("http", "https"):
        raise BadInput(key, f"{value!r} is not an http:// or https:// address (empty: no webhook)")
    if key in SMTP_SETTINGS:
        from workbench.mail.outbound import check_server

        chosen = {k: str(desk.setting(k)) for k in SMTP_SETTINGS} | {key: str(value).strip()}
        check_server(chosen["mail.smtp_host"], chosen["mail.smtp_security"])
    if key in CALENDAR_SETTINGS:
        try:
            desk.desk_calendar({key: value})
        except ValueError as exc:
            raise BadInput(key, f"the desk calendar cannot use it: {exc}") from None
    return value


def set_setting(desk: Desk, key: str, raw: Any) -> SettingView:
    """Validate and store one setting; the change is an event (CORE-AUDIT-1)."""
    value = setting_value(desk, key, raw)
    setting, _ = desk.setting_definitions()[key]
    with desk.store.transaction() as tx:
        agents.require_lead(desk, tx, f"changing the setting {key}")
        before = tx.get("settings", key)
        record = {"key": key, "value": value}
        tx.put("settings", key, record)
        record_event(
            desk,
            tx,
            "settings",
            key,
            "set",
            {"value": before["value"] if before else setting.default},
            {"value": value},
        )
    if key == PLUGIN_TIME_LIMIT:
        desk.plugins.time_limit = float(value)
    return next(v for v in desk.settings() if v.key == key)


def desk_calendar(desk: Desk, candidate: dict[str, Any] | None = None) -> Calendar:
    """The desk's own calendar (CORE-SLA-3), from settings (with ``candidate`` values
    in place of the stored ones, to check a change before it is saved).

    Raises ``ValueError`` naming the problem when the settings make no calendar."""
    values = {key: desk.setting(key) for key in CALENDAR_SETTINGS} | (candidate or {})
    hours = str(values["core.desk_hours"])
    start, sep, end = hours.partition("-")
    if not sep:
        raise ValueError(f"{hours!r} is not working hours HH:MM-HH:MM (e.g. 09:00-18:00)")
    return build_desk_calendar(
        tz=values["desk.timezone"],
        start=start.strip(),
        end=end.strip(),
        holiday_country=values["core.desk_holidays"] or None,
        closed_dates=tuple(date.fromisoformat(d) for d in values["core.closed_dates"]),
    )


def program(desk: Desk, vendor: str) -> VendorProgram:
    program = desk.programs().get(vendor)
    if program is None or vendor == "core":
        raise BadInput("vendor", _missing_program(desk, vendor))
    return program


def _missing_program(desk: Desk, vendor: str) -> str:
    """Why there is no program ``vendor``: switched off, failed to load, or unknown."""
    unavailable = "its cases can be listed, not worked, until it is back"
    if vendor in desk.plugins.disabled:
        return f"the {vendor} plugin is switched off (WORKBENCH_DISABLE_PLUGINS): {unavailable}"
    failed = [f for f in desk.plugins.failures if f.hook is None and vendor in (f.plugin, f.program)]
    if failed:
        return f"{failed[0]}: {unavailable} (see `workbench plugins`)"
    return f"unknown vendor {vendor!r} (one of: {', '.join(desk.vendors())})"
