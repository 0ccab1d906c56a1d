"""Guidance shown on every Zoho case: the channels the desk may use now and the one it
recorded (ZOHO-TIER-1, ZOHO-CHAN-1), first-level support before sending (ZOHO-FIRST-1), the
status page before a critical send (ZOHO-STATUS-1), the desk's how-to load (ZOHO-HOWTO-1) and
the Zoho-side owner of each escalation (ZOHO-ESC-2)."""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DeskReader
from workbench.model import Case, Finding, Tally
from workbench_zoho.intake import CHANNELS, OUTSIDE_SLA, UNTRACKED_CHANNELS, category
from workbench_zoho.program import VENDOR
from workbench_zoho.sla import is_critical

HOWTO_WINDOW = timedelta(days=30)

HOWTO_REQUESTS = Tally(
    name="zoho.howto",
    rule="ZOHO-HOWTO-1",
    text="severity-3 how-to requests sent to Zoho: technical support inside the SLA (ZOHO-SEV-1)",
    where={"vendor": [VENDOR], "fields.request_type": ["technical-support"], "fields.severity": ["3"]},
    where_not={"fields.category": list(OUTSIDE_SLA)},
)
"""The desk's how-to requests to Zoho, counted by the desk on the day each was sent, so the
count of the last 30 days reads no case (ZOHO-HOWTO-1)."""

PREMIUM_TIERS = ("advanced", "premium")


def channels(tier: str, web_chat_granted: bool) -> list[str]:
    """The channels a partner of ``tier`` may use toward Zoho (ZOHO-CHAN-1)."""
    allowed = ["e-mail"]
    if tier in PREMIUM_TIERS or web_chat_granted:
        allowed.append("web chat")
    if tier in PREMIUM_TIERS:
        allowed += ["toll-free phone", "partner success manager calls & POC"]
    return allowed


def channel_finding(desk: DeskReader) -> Finding:
    """ZOHO-CHAN-1 by the desk's tier (ZOHO-TIER-1) and its web chat grant."""
    tier = desk.setting("zoho.partner_tier")
    granted = bool(desk.setting("zoho.web_chat_granted"))
    allowed = channels(tier, granted)
    article = "an" if tier[0] in "aeiou" else "a"
    text = (f"as {article} {tier} partner (ZOHO-TIER-1) the desk may reach Zoho by "
            f"{', '.join(allowed)}")
    if tier not in PREMIUM_TIERS:
        chat = ("web chat was granted by the partner account manager" if granted else
                "web chat only where the partner account manager granted it (not granted: "
                "setting zoho.web_chat_granted)")
        text += (f"; {chat}; toll-free phone and partner success manager calls need an "
                 "advanced or premium tier")
    return Finding("info", "ZOHO-CHAN-1", text + ". Support hours are 24x5 for every tier.")


def recorded_channel_finding(case: Case, desk: DeskReader) -> list[Finding]:
    """ZOHO-CHAN-1 on the channel the case records: Cliq and other channels are not used, and
    web chat or toll-free phone only where the desk's tier allows them."""
    chosen = case.fields.get("channel") or "partner-support-help"
    if chosen in UNTRACKED_CHANNELS:
        return [Finding("warning", "ZOHO-CHAN-1",
                        f"the case records {CHANNELS[chosen]} as its channel toward Zoho: Zoho's page "
                        "asks partners not to use other channels such as Cliq, because requests "
                        "there cannot be tracked or held to the SLA; send and track it through the "
                        "partner-support help", "channel")]
    allowed = channels(desk.setting("zoho.partner_tier"), bool(desk.setting("zoho.web_chat_granted")))
    label = {"web-chat": "web chat", "toll-free-phone": "toll-free phone"}.get(chosen)
    if label is not None and label not in allowed:
        return [Finding("warning", "ZOHO-CHAN-1",
                        f"the case records {label} as its channel toward Zoho, which the desk's "
                        f"tier does not offer (it may use {', '.join(allowed)})", "channel")]
    return []


def status_finding(case: Case) -> list[Finding]:
    """ZOHO-STATUS-1: before a severity-1 downtime / outage / sign-in case goes to Zoho."""
    if case.sent_at is not None or not is_critical(case):
        return []
    return [Finding("warning", "ZOHO-STATUS-1",
                    f"before sending this severity-1 {category(case)} case, check Zoho's status "
                    "page (and Zoho's blog) for a known incident: Zoho posts downtime and outages "
                    "there first")]


def first_level_finding(case: Case) -> list[Finding]:
    """ZOHO-FIRST-1, shown while the case has not gone to Zoho."""
    if case.sent_at is not None:
        return []
    return [Finding("info", "ZOHO-FIRST-1",
                    "the desk gives first-level support and basic debugging itself and records "
                    "the steps; Zoho takes execution problems inside Zoho services (API / script "
                    "integrations, custom functions, migrations) and does not build an API "
                    "connection from scratch")]


def is_howto_request(case: Case) -> bool:
    """A severity-3 (how-to) technical request inside the SLA (ZOHO-SEV-1, ZOHO-HOWTO-1)."""
    return HOWTO_REQUESTS.counts(case)


def howto_count(desk: DeskReader, now: datetime) -> int:
    """Severity-3 how-to requests the desk sent to Zoho in the 30 days up to ``now``
    (sent after ``now`` − 30 days, at or before ``now``), from the tally the desk keeps."""
    return desk.tally(HOWTO_REQUESTS.name, (now - HOWTO_WINDOW, now))


def howto_finding(case: Case, desk: DeskReader) -> list[Finding]:
    """ZOHO-HOWTO-1 on a how-to case: the count, a warning above the setting."""
    if not is_howto_request(case):
        return []
    count = howto_count(desk, desk.now())
    limit = int(desk.setting("zoho.howto_warning_above"))
    text = f"the desk sent {count} severity-3 how-to requests to Zoho in the last 30 days"
    if case.sent_at is None:
        text += f" (sending this one makes {count + 1})"
    if count > limit:
        return [Finding("warning", "ZOHO-HOWTO-1",
                        f"{text}, above {limit}: Zoho tells the partner account manager when one "
                        "partner sends too many basic requests; answer what the docs allow at "
                        "first level (ZOHO-FIRST-1)")]
    return [Finding("info", "ZOHO-HOWTO-1",
                    f"{text}; a warning shows above {limit} (setting zoho.howto_warning_above)")]


def owner_findings(case: Case) -> list[Finding]:
    """ZOHO-ESC-2: Zoho assigns a leader or manager to every escalation; each shows "owner not
    yet recorded" until the desk records that named owner (with the escalation, or later)."""
    return [Finding("warning", "ZOHO-ESC-2",
                    f"owner not yet recorded: the {e.track} level {e.level} escalation ({e.role}) "
                    f"of {e.at.date().isoformat()}; Zoho assigns a leader or manager to every "
                    f"escalation: record the name with `workbench case owner {case.id} OWNER "
                    f"--track {e.track} --level {e.level}` or the case screen's owner key")
            for e in case.escalations if not e.owner.strip()]
