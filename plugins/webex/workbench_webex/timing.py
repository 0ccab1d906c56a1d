"""WebEx's clocks: Cisco's support hours, the site-ready estimate and the password link,
and the renewal dates (WX-HOURS-1, WX-SITE-1, WX-SITE-2, WX-RENEW-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from workbench.calendar import Calendar, add_business_days, japan_business, weekdays
from workbench.model import Finding

TOKYO = ZoneInfo("Asia/Tokyo")

@cache
def japanese_support() -> Calendar:
    """When Cisco's technical line answers in Japanese (WX-HOURS-1): 平日 10:00–18:00, read as
    weekdays that are not Japanese public holidays. Built on first use, not at import:
    checking the holiday country loads the holidays package (20 ms of every start)."""
    return weekdays(
        "Asia/Tokyo", "10:00", "18:00", holiday_country="JP",
        name="Cisco WebEx Japanese-language support (Mon-Fri 10:00-18:00 Asia/Tokyo, JP holidays off)",
    )


def support_hours(now: datetime) -> Finding:
    """Which language Cisco's 24×7 technical line answers in at ``now`` (WX-HOURS-1)."""
    if japanese_support().is_open(now):
        return Finding("info", "WX-HOURS-1",
                       "Japanese-language support now (weekdays 10:00–18:00 JST) on Cisco's 24×7 "
                       "technical line")
    resumes = japanese_support().next_open(now)
    if resumes == datetime.max.replace(tzinfo=UTC):  # no more weekdays before 9999-12-31
        when = "after the last date the calendar holds"
    else:
        when = f"{resumes.astimezone(TOKYO):%a %Y-%m-%d %H:%M} JST"
    return Finding("info", "WX-HOURS-1",
                   "English only now on Cisco's 24×7 technical line; Japanese-language support "
                   f"(weekdays 10:00–18:00 JST) resumes {when}")


def site_ready_estimate(provisioned_at: datetime, business_days: int) -> datetime:
    """About ``business_days`` Japan business days after provisioning (WX-SITE-1)."""
    return add_business_days(japan_business(), provisioned_at, business_days)


@dataclass(frozen=True)
class PasswordLink:
    """The Welcome e-mail's password link (WX-SITE-2): it works from ``sent`` until ``expires``."""

    sent: datetime
    expires: datetime

    @classmethod
    def from_welcome(cls, sent: datetime, hours: int) -> PasswordLink:
        return cls(sent, sent + timedelta(hours=hours))

    def works_at(self, now: datetime) -> bool:
        """Half-open: at exactly ``expires`` the link no longer works."""
        return self.sent <= now < self.expires


FORGOT_PASSWORD = ("use \"Forgot your password?\" on the site's login page; for a lost user name, "
                   "contact Cisco")
"""What a site administrator does once the password link has expired (WX-SITE-2)."""


def provisioning_due(renewal_date: date, lead_days: int) -> date:
    """The last day a renewal's provisioning is on time (WX-RENEW-1)."""
    return renewal_date - timedelta(days=lead_days)


def renewal_opens(renewal_date: date, window_days: int) -> date:
    """The day the renewal workflow opens (WX-RENEW-1)."""
    return renewal_date - timedelta(days=window_days)


def local(at: datetime) -> str:
    """An instant as Japan time for messages, e.g. "2026-11-27 10:00 JST"."""
    return f"{at.astimezone(TOKYO):%Y-%m-%d %H:%M} JST"
