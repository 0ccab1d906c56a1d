"""Mail in through the desk's Maildir (issue #21 §4): a message is recorded on the case it names
or answers — the vendor's answer stops the vendor's clock, the customer's reply resumes a
pending case — or lands in the Inbox; each is taken once, dated by the desk clock
(CORE-AUDIT-1), its HTML made text, its attachments kept up to the limit, its escapes shown
escaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.mail.conftest import CUSTOMER_DOMAIN, message
from workbench.desk import BadInput
from workbench.mail.poll import poll

ACK = "Zoho acknowledgement"


def deadlines(desk, key: str) -> dict:
    return {d.name: d for d in desk.deadlines(desk.case(key))}


def test_zohos_answer_from_a_zoho_domain_is_a_vendor_reply_that_meets_the_acknowledgement_zoho_sla_1(
    desk, clock, zoho_case, maildir
) -> None:
    key = zoho_case()
    assert deadlines(desk, key)[ACK].state == "ok"
    clock("2026-11-24T12:00+09:00")
    maildir.deliver(
        message(
            "Zoho Partner Support <support@zohocorp.com>",
            f"Re: [{key}] CRM workflow stops",
            "We are looking into it.",
            message_id="<z1@zohocorp.com>",
        )
    )

    report = poll(desk)

    [taken] = report.taken
    assert (taken.state, taken.case, taken.rule) == ("filed", key, "CORE-SLA-4")
    assert (
        "zohocorp.com, a domain Zoho partner support answers from" in taken.reason
        and f"it names {key}" in taken.reason
    )
    case = desk.case(key)
    assert case.state == "open" and case.ball == "desk"
    acknowledgement = deadlines(desk, key)[ACK]
    assert acknowledgement.state == "met" and acknowledgement.met_at == clock("2026-11-24T12:00+09:00")
    event = desk.events("cases", key)[-1]
    assert event.action == "vendor-reply" and event.rule == "CORE-SLA-4"
    assert event.data["mail"]["id"] == taken.id and event.data["mail"]["message_id"] == "<z1@zohocorp.com>"
    assert event.data["text"] == "We are looking into it."
    assert maildir.waiting() == [] and len(maildir.seen()) == 1


def test_a_subdomain_of_the_vendors_counts_and_a_lookalike_does_not(desk, clock, zoho_case, maildir) -> None:
    first, second = zoho_case(), zoho_case()
    maildir.deliver(message("desk@support.zoho.eu", f"[{first}] update", message_id="<a@zoho.eu>"))
    maildir.deliver(message("desk@notzoho.com", f"[{second}] update", message_id="<b@notzoho.com>"))
    poll(desk)
    assert desk.case(first).state == "open"
    assert desk.case(second).state == "waiting-vendor"
    assert desk.events("cases", second)[-1].action == "note"
    assert "neither Zoho partner support nor the customer" in desk.events("cases", second)[-1].reason


def test_a_vendor_mail_on_a_case_never_sent_is_a_note_that_changes_no_clock_core_audit_1(
    desk, zoho_case, maildir
) -> None:
    key = zoho_case(sent=False)
    maildir.deliver(message("support@zohocorp.com", f"[{key}] hello", message_id="<n@zohocorp.com>"))
    [taken] = poll(desk).taken
    assert taken.rule == "CORE-AUDIT-1" and "never sent to the vendor" in taken.reason
    assert desk.case(key).state == "open" and desk.case(key).sent_at is None


def test_the_customers_reply_resumes_a_pending_case_and_the_desk_clocks_core_sla_3(
    desk, clock, zoho_case, maildir
) -> None:
    key = zoho_case()
    clock("2026-11-24T11:00+09:00")
    desk.vendor_reply(key, "Please send the execution log")
    desk.pending(key, "asked the customer for the log")
    clock("2026-11-25T10:00+09:00")
    paused = {d.name: d.state for d in desk.deadlines(desk.case(key)) if d.clock == "desk"}
    assert set(paused.values()) == {"paused"}
    maildir.deliver(
        message(
            f"Taro <taro@{CUSTOMER_DOMAIN}>",
            f"Re: [{key}] the log",
            "Attached below.",
            message_id="<c1@sakura>",
        )
    )

    [taken] = poll(desk).taken

    assert taken.rule == "CORE-SLA-3" and "waiting on the customer ends" in taken.reason
    case = desk.case(key)
    assert case.state == "open" and case.pauses[-1]["end"] == clock("2026-11-25T10:00+09:00").isoformat()
    running = {d.name: d.state for d in desk.deadlines(case) if d.clock == "desk"}
    assert "paused" not in running.values()
    assert desk.events("cases", key)[-1].action == "reply"


def test_a_mail_dated_before_the_cases_last_event_is_recorded_at_the_desk_clock_core_audit_1(
    desk, clock, zoho_case, maildir
) -> None:
    key = zoho_case()
    clock("2026-11-24T15:00+09:00")
    desk.note(key, "called the customer")
    written = datetime.fromisoformat("2026-11-20T09:00+09:00")
    maildir.deliver(message(f"it@{CUSTOMER_DOMAIN}", f"[{key}] old", date=written, message_id="<old@sakura>"))
    [taken] = poll(desk).taken
    history = desk.events("cases", key)
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert history[-1].at == clock("2026-11-24T15:00+09:00") and history[-1].action == "reply"
    assert taken.date == written and "2026" in history[-1].data["mail"]["date"]
    assert taken.received_at == clock("2026-11-24T15:00+09:00")


def test_a_reply_to_a_message_recorded_on_a_case_threads_onto_it_without_a_case_id(
    desk, zoho_case, maildir
) -> None:
    key = zoho_case()
    maildir.deliver(message(f"it@{CUSTOMER_DOMAIN}", f"[{key}] first", message_id="<first@sakura>"))
    poll(desk)
    maildir.deliver(
        message(
            f"admin@{CUSTOMER_DOMAIN}",
            "Re: first",
            "more",
            message_id="<second@sakura>",
            in_reply_to="<first@sakura>",
            references="<first@sakura>",
        )
    )
    [taken] = poll(desk).taken
    assert taken.case == key and "it answers <first@sakura>" in taken.reason


def test_a_reply_to_a_message_the_desk_sent_threads_by_its_message_id(
    desk, customer, zoho_case, maildir, tmp_path: Path
) -> None:
    """The desk's own Message-IDs carry the case ID (``<C-12.…@…>``, :mod:`workbench.mail.compose`);
    the reference is checked against the Message-ID the case's history recorded, so a made-up
    one does not thread."""
    from workbench.mail.compose import compose
    from workbench.mail.outbound import send

    desk.set_setting("mail.from", "support@reseller.co.jp")
    key = zoho_case()
    composed = compose(desk, key, "response", "We are looking into it.")
    send(desk, composed, eml=tmp_path / "response.eml")
    sent_id = composed.message_id
    maildir.deliver(
        message(f"it@{CUSTOMER_DOMAIN}", "Re: your request", message_id="<r1@sakura>", in_reply_to=sent_id)
    )
    maildir.deliver(
        message(
            f"it@{CUSTOMER_DOMAIN}",
            "Re: guessed",
            message_id="<r2@sakura>",
            in_reply_to=f"<{key}.kq1x2.0123456789abcdef@reseller.co.jp>",
        )
    )
    first, second = poll(desk).taken
    assert first.case == key and "the desk's message on" in first.reason
    assert second.state == "inbox"


def test_a_copy_of_the_desks_own_message_is_taken_and_changes_no_case_core_audit_1(
    desk, customer, zoho_case, maildir, tmp_path: Path
) -> None:
    """A Bcc of the desk's own response arriving in its mailbox: its Message-ID is the one
    recorded on the case when it was sent, so it is not the customer's reply."""
    from workbench.mail.compose import compose
    from workbench.mail.outbound import send

    desk.set_setting("mail.from", "support@reseller.co.jp")
    key = zoho_case()
    composed = compose(desk, key, "response", "We are looking into it.")
    send(desk, composed, eml=tmp_path / "response.eml")
    history = desk.events("cases", key)
    maildir.deliver(bytes(composed.message))
    [taken] = poll(desk).taken
    assert (taken.state, taken.case, taken.rule) == ("filed", key, "CORE-AUDIT-1")
    assert "the desk's own message" in taken.reason
    assert desk.events("cases", key) == history


def test_a_message_for_no_case_lands_in_the_inbox_and_a_case_opens_from_it_prefilled(
    desk, customer, maildir
) -> None:
    maildir.deliver(
        message(
            f"Hanako <hanako@{CUSTOMER_DOMAIN}>",
            "Fwd: CRM workflow stopped",
            "The deal stage no longer updates.",
            message_id="<new@sakura>",
        )
    )
    [taken] = poll(desk).taken
    assert taken.state == "inbox" and taken.reason == "it names no case and answers no message of a case"
    assert [m.id for m in desk.inbox()] == [taken.id]

    prefill = desk.mail_prefill(taken.id, "zoho")
    assert prefill.customer_id == customer.id and prefill.subject == "CRM workflow stopped"
    assert prefill.fields["description"] == "The deal stage no longer updates."
    assert prefill.fields["customer_email"] == f"hanako@{CUSTOMER_DOMAIN}"

    from tests.mail.conftest import zoho_form

    answers = {**zoho_form(), **prefill.fields}
    case = desk.open_case_from_mail(taken.id, "zoho", prefill.customer_id, prefill.subject, answers)
    assert desk.inbox() == []
    assert desk.mail(taken.id).case == case.id and desk.mail(taken.id).state == "filed"
    assert [e.action for e in desk.events("cases", case.id)] == ["open", "note"]
    assert desk.events("cases", case.id)[-1].data["mail"]["id"] == taken.id
    with pytest.raises(BadInput, match=f"{taken.id} is not in the Inbox: it is recorded on {case.id}"):
        desk.open_case_from_mail(taken.id, "zoho", prefill.customer_id, "again", answers)


def test_a_vendor_whose_form_tells_what_happened_in_another_field_gets_the_text_there(
    desk, customer, maildir
) -> None:
    """ONTIME-ESC-2: OnTime's form asks what happened as the reproduction steps (its program's
    ``description_field``), so a mail that opens an OnTime case fills them."""
    maildir.deliver(message(f"it@{CUSTOMER_DOMAIN}", "Calendar empty", "Open week view: empty.",
                            message_id="<ontime@sakura>"))  # fmt: skip
    [taken] = poll(desk).taken
    prefill = desk.mail_prefill(taken.id, "ontime")
    assert prefill.fields["reproduction_steps"] == "Open week view: empty."
    assert "reproduction_steps from the message's text" in prefill.how


def test_a_case_the_form_refuses_leaves_the_message_in_the_inbox(desk, customer, maildir) -> None:
    maildir.deliver(message(f"it@{CUSTOMER_DOMAIN}", "help", message_id="<h@sakura>"))
    [taken] = poll(desk).taken
    with pytest.raises(Exception, match="required|missing"):
        desk.open_case_from_mail(taken.id, "zoho", customer.id, "help", {})
    assert [m.id for m in desk.inbox()] == [taken.id] and desk.cases() == []


def test_each_message_is_taken_once_by_message_id_even_when_delivered_again(desk, zoho_case, maildir) -> None:
    """A poll killed after recording a message but before marking it finds it again: the
    Message-ID says it was taken (a copy delivered twice is the same case)."""
    key = zoho_case()
    raw = message(f"it@{CUSTOMER_DOMAIN}", f"[{key}] once", message_id="<once@sakura>")
    maildir.deliver(raw)
    assert len(poll(desk).taken) == 1
    maildir.deliver(raw)
    again = poll(desk)
    assert again.taken == [] and again.again == 1
    assert sum(1 for e in desk.events("cases", key) if e.data.get("mail")) == 1
    assert maildir.waiting() == [] and len(maildir.seen()) == 2


def test_a_message_without_a_message_id_is_taken_once_by_its_bytes(desk, maildir) -> None:
    raw = message("someone@example.org", "no id")
    maildir.deliver(raw)
    maildir.deliver(raw)
    report = poll(desk)
    assert len(report.taken) == 1 and report.again == 1
    assert report.taken[0].message_id.endswith("@no-message-id.workbench.invalid>")
    assert "no Message-ID" in report.taken[0].problems[0]


def test_an_html_only_message_becomes_readable_text(desk, maildir) -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<p>Hello,</p><p>the sync &amp; the <b>log</b>:</p><ul><li>step one</li><li>step two</li></ul>"
        'See <a href="https://status.example/x">the status page</a>.<br>Taro</body></html>'
    )
    maildir.deliver(message("taro@example.org", "html", html=html, message_id="<html@x>"))
    [taken] = poll(desk).taken
    assert taken.text == (
        "Hello,\n\nthe sync & the log:\n\n• step one\n• step two\n\n"
        "See the status page <https://status.example/x>.\nTaro"
    )


def test_attachments_are_kept_beside_the_desk_up_to_the_limit_and_listed_on_the_case(
    desk, zoho_case, maildir, run_cli, tmp_path: Path
) -> None:
    desk.set_setting("mail.attachment_max_kb", 1)
    key = zoho_case()
    small, large = b"log line\n" * 50, b"x" * 2048
    maildir.deliver(
        message(
            f"it@{CUSTOMER_DOMAIN}",
            f"[{key}] logs",
            message_id="<att@sakura>",
            attachments=[
                ("../../etc/sync.log", "text/plain", small),
                ("dump.bin", "application/octet-stream", large),
            ],
        )
    )
    [taken] = poll(desk).taken
    kept, skipped = taken.attachments
    assert (kept.name, kept.size, kept.reason) == ("../../etc/sync.log", len(small), "")
    assert kept.path.endswith("/1-sync.log") and ".." not in kept.path
    folder = desk.attachments_folder()
    assert (folder / kept.path).read_bytes() == small
    assert (folder / kept.path).stat().st_mode & 0o777 == 0o600
    assert skipped.path == "" and "over mail.attachment_max_kb (1 KiB)" in skipped.reason
    assert not any(p.name.endswith("dump.bin") for p in folder.rglob("*"))
    lines = desk.events("cases", key)[-1].data["mail"]["attachments"]
    assert [a["name"] for a in lines] == ["../../etc/sync.log", "dump.bin"]


ESCAPE = "\x1b]0;owned\x07\x1b[2J"


def test_terminal_escapes_and_malformed_headers_are_stored_as_they_came_and_shown_escaped(
    desk, zoho_case, maildir
) -> None:
    key = zoho_case()
    raw = (
        f"From: =?bogus-charset?q?x?= <it@{CUSTOMER_DOMAIN}>\r\n"
        f"Subject: [{key}] {ESCAPE}title\r\n"
        "Date: yesterday-ish\r\n"
        "Message-ID: <esc@sakura>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"body {ESCAPE} \x00 end\r\n"
    ).encode() + b"\xff\xfe bytes\r\n"
    maildir.deliver(raw)
    [taken] = poll(desk).taken
    assert ESCAPE in taken.subject and ESCAPE in taken.text
    assert "\x00" not in taken.text and "\ufffd" in taken.text
    assert taken.date is None and taken.date_header == "yesterday-ish"
    assert any("Date header" in p for p in taken.problems)
    assert taken.case == key
    record = desk.store.get("mail", taken.id)
    assert orjson.loads(orjson.dumps(record))["subject"] == taken.subject


def test_poll_without_a_mailbox_is_bad_input_naming_the_settings(desk) -> None:
    with pytest.raises(BadInput, match="set mail.imap_host or mail.maildir"):
        poll(desk)


def test_a_maildir_setting_that_is_no_maildir_is_bad_input(desk, tmp_path: Path) -> None:
    desk.set_setting("mail.maildir", str(tmp_path))
    with pytest.raises(BadInput, match="is not a Maildir"):
        poll(desk)


def test_a_message_the_desk_cannot_record_stays_waiting_for_the_next_poll(
    desk, clock, zoho_case, maildir
) -> None:
    """On a desk with agents, a poll run by someone who is not one records nothing
    (CORE-TEAM-1) and leaves the message unmarked."""
    key = zoho_case()
    desk.add_agent("ken", "Ken Ito", role="lead", login="tester")
    desk.actor = "stranger"
    maildir.deliver(message(f"it@{CUSTOMER_DOMAIN}", f"[{key}] x", message_id="<w@sakura>"))
    report = poll(desk)
    assert report.taken == [] and "not recorded, left for the next poll" in report.failed[0]
    assert maildir.waiting() != [] and desk.store.all("mail") == []
    desk.actor = "ken"
    assert len(poll(desk).taken) == 1 and maildir.waiting() == []


def test_bittitan_customer_reply_resumes_the_case_and_bittitans_clock_keeps_running_bt_pending_1(
    desk, clock, maildir
) -> None:
    """BitTitan asked (its ticket pending); the desk went pending on its customer to fetch
    the answer. The customer's mail resumes the desk's case; BitTitan's 72 hours still run
    until the desk answers BitTitan (send), as with a reply recorded by hand."""
    from datetime import date

    customer = desk.add_customer(
        "Northwind Traders", email="it@northwind.example", domain="northwind.example"
    )
    desk.add_contract(
        customer.id, "bittitan", "user-migration-bundle", date(2026, 1, 1), date(2027, 12, 31), quantity=100
    )
    fields = {
        "account_email": "admin@northwind.example",
        "region": "apac",
        "cutover_date": "2026-12-24",
        "kind": "guidance-request",
        "run_error": False,
        "not_as_documented": False,
        "items_missing": False,
        "cannot_access": False,
        "description": "Which admin roles does the source need?",
    }
    key = desk.open_case("bittitan", customer.id, "Prerequisites", fields).id
    desk.send_to_vendor(key)
    clock("2026-11-24T12:00+09:00")
    maildir.deliver(message("support@bittitan.com", f"[{key}] need details", message_id="<bt1@bittitan.com>"))
    [answer] = poll(desk).taken
    assert answer.rule == "CORE-SLA-4" and desk.case(key).state == "open"
    desk.pending(key, "asking the customer for the tenant details")
    clock("2026-11-25T09:00+09:00")
    maildir.deliver(
        message("it@northwind.example", f"Re: [{key}] need details", message_id="<nw1@northwind>")
    )
    [reply] = poll(desk).taken
    assert reply.rule == "CORE-SLA-3" and desk.case(key).state == "open"
    [bt] = [d for d in desk.deadlines(desk.case(key)) if d.rule == "BT-PENDING-1"]
    assert bt.state in ("ok", "at-risk") and bt.met_at is None
    assert bt.due == datetime.fromisoformat("2026-11-24T12:00+09:00") + timedelta(hours=72)
