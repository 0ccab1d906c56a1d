"""The provisioning form (the hearing sheet) and the graduation form (WX-PROV-1, WX-RENEW-2,
WX-GRAD-1)."""

from __future__ import annotations

from datetime import date

import pytest
from workbench_webex import render_form

from workbench.desk import BadInput, FormInvalid, Invalid, Refused

HEARING_SHEET_LABELS = [
    "Is the end customer an existing WebEx customer?",
    "End Customer Company Name", "End Customer First Name", "End Customer Last Name",
    "End Customer Phone Number", "End Customer Email Address", "End Customer # of Employees",
    "End Customer website address", "End Customer Headquarters Address1",
    "End Customer Headquarters Address2", "City", "Country", "State", "Postal Code/Zip",
    "Partner Company Name", "Partner Contact First Name", "Partner Contact Last Name",
    "Partner Contact Email Address", "Admin Contact Email Address", "Admin First Name", "Admin Last Name",
    "Admin Phone number", "How many WebEx sites would you like to create?",
    "This will be your primary site", "Number of Named Users", "Primary Language",
    "Would you like to have additional languages?", "Timezone",
]


@pytest.fixture
def provisioning(wx):
    """A named-host order of 50 licences, ready for its provisioning form."""
    return wx.advance(wx.order("named-host", quantity=50), "confirmation-received")


def refusal(wx, flow, **changes) -> FormInvalid:
    """The hearing sheet refused: a form error (bad input, exit 2) carrying the refusal."""
    with pytest.raises(FormInvalid) as refused:
        wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(**changes))
    return refused.value


def test_wx_prov1_the_form_follows_the_hearing_sheet(desk):
    """WX-PROV-1: the fields in the hearing sheet's order, with its labels; the addresses are
    e-mails, the time zone comes from the tz database."""
    fields = desk.form_fields("webex", "provisioning")
    assert [f.label for f in fields] == HEARING_SHEET_LABELS
    kinds = {f.name: f.kind for f in fields}
    assert [n for n, k in kinds.items() if k == "email"] == [
        "end_customer_email", "partner_email", "admin_email"]
    assert kinds["timezone"] == "timezone"
    assert {f.name for f in fields if not f.required} == {"hq_address2", "named_users",
                                                          "additional_languages"}


def test_wx_prov1_a_complete_sheet_is_kept_on_the_workflow(wx, provisioning):
    """WX-PROV-1: the answers are typed and kept on the step; the evidence e-mail goes to the
    partner contact."""
    flow = wx.desk.complete_step(provisioning.id, "provisioning-submitted", wx.hearing_sheet())
    data = flow.steps[3].data
    assert data["sites"] == 2 and data["named_users"] == ["30", "20"]
    assert data["existing_customer"] is False and data["timezone"] == "Asia/Tokyo"
    (event,) = [e for e in wx.desk.events("workflows", flow.id)
                if e.action == "step" and e.after["step"] == "provisioning-submitted"]
    assert event.rule == "WX-PROV-1"
    assert "evidence to the partner contact webex-orders@desk.example.jp" in event.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("end_customer_email", "it.sakura-logi.co.jp"), ("partner_email", "taro@"),
     ("admin_email", "yui suzuki@sakura.jp"), ("timezone", "GMT+9"), ("timezone", "Tokyo"),
     ("primary_language", "Klingon"), ("sites", "two")],
)
def test_wx_prov1_typed_fields_are_refused_by_name(wx, provisioning, field, value):
    """WX-PROV-1: e-mail formats, a tz database time zone, a known primary language, a number."""
    with pytest.raises(BadInput) as refused:
        wx.desk.complete_step(provisioning.id, "provisioning-submitted", wx.hearing_sheet(**{field: value}))
    assert refused.value.field == field


def test_wx_prov1_required_answers_are_named(wx, provisioning):
    """WX-PROV-1: every answer of the sheet but address 2, named users and extra languages."""
    with pytest.raises(Invalid) as invalid:  # a form error is bad input (exit 2)
        wx.desk.complete_step(provisioning.id, "provisioning-submitted",
                              wx.hearing_sheet(city=None, admin_email=None))
    assert [(f.field, f.rule) for f in invalid.value.findings] == [
        ("city", "WX-PROV-1"), ("admin_email", "WX-PROV-1")]


@pytest.mark.parametrize(
    ("url", "ok"),
    [("sakura-logi.webex.com", True), ("SAKURA1.webex.com", True), ("https://sakura.webex.com", False),
     ("sakura.webex.co.jp", False), ("sakura.com", False), ("-sakura.webex.com", False),
     ("sakura.webex.com/meet", False), ("webex.com", False)],
)
def test_wx_prov1_primary_site_is_name_dot_webex_com(wx, provisioning, url, ok):
    """WX-PROV-1: the primary site URL is <name>.webex.com."""
    if ok:
        sheet = wx.hearing_sheet(primary_site_url=url)
        wx.desk.complete_step(provisioning.id, "provisioning-submitted", sheet)
        return
    refused = refusal(wx, provisioning, primary_site_url=url)
    assert refused.decision.rule == "WX-PROV-1"
    assert refused.decision.missing == ["This will be your primary site"]


@pytest.mark.parametrize(
    ("sites", "named_users", "problem"),
    [
        ("2", "30, 21", "add up to 51, not the 50 named-host licences bought"),
        ("2", "29, 20", "add up to 49, not the 50 named-host licences bought"),
        ("1", "30, 20", "2 site(s) given for 1 site(s)"),
        ("3", "30, 20", "2 site(s) given for 3 site(s)"),
        ("2", "50, 0", "1 or more"),
        ("2", "25.5, 24.5", "whole number"),
        ("1", None, "needs the named users of each site"),
    ],
)
def test_wx_prov1_named_users_per_site_add_up_to_the_licences(wx, provisioning, sites, named_users, problem):
    """WX-PROV-1: one number per site, adding up to the named-host licences bought (50)."""
    refused = refusal(wx, provisioning, sites=sites, named_users=named_users)
    assert refused.decision.missing == ["Number of Named Users"]
    assert problem in refused.decision.reason


def test_wx_prov1_named_users_exactly_the_licences_on_one_site(wx, provisioning):
    """WX-PROV-1: one site with all 50 named-host licences."""
    flow = wx.desk.complete_step(provisioning.id, "provisioning-submitted",
                                 wx.hearing_sheet(sites="1", named_users="50"))
    assert flow.steps[3].done_at is not None


def test_wx_prov1_active_host_orders_need_no_named_users(wx):
    """WX-PROV-1: only named-host licences are split into named users per site."""
    flow = wx.advance(wx.order("active-host", quantity=10), "confirmation-received")
    done = wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(named_users=None))
    assert done.steps[3].done_at is not None


@pytest.mark.parametrize(
    ("changes", "field_label"),
    [
        ({"postal_code": "107-005"}, "Postal Code/Zip"),
        ({"postal_code": "ABC-1234"}, "Postal Code/Zip"),
        ({"state": "Tokio"}, "State"),
        ({"end_customer_phone": "call me"}, "End Customer Phone Number"),
        ({"admin_phone": "12345"}, "Admin Phone number"),
        ({"end_customer_employees": "0"}, "End Customer # of Employees"),
        ({"end_customer_website": "sakura logistics"}, "End Customer website address"),
        ({"additional_languages": "Japanese"}, "Would you like to have additional languages?"),
        ({"additional_languages": "English, Elvish"}, "Would you like to have additional languages?"),
    ],
)
def test_wx_prov1_cross_field_validation(wx, provisioning, changes, field_label):
    """WX-PROV-1: postal code and prefecture of a Japanese address, phone numbers, employees,
    website, additional languages (known, not the primary one)."""
    refused = refusal(wx, provisioning, **changes)
    assert refused.decision.missing == [field_label]


@pytest.mark.parametrize(
    "changes",
    [{"postal_code": "1070052"}, {"state": "Osaka-fu"}, {"state": "aichi prefecture"},
     {"country": "Singapore", "state": "Singapore", "postal_code": "018956"},
     {"end_customer_phone": "+81 3-5555-0100"}, {"additional_languages": ""}],
)
def test_wx_prov1_valid_variants_are_accepted(wx, provisioning, changes):
    """WX-PROV-1: a postal code without its dash, prefecture suffixes, a non-Japanese address,
    an international number, no additional language."""
    flow = wx.desk.complete_step(provisioning.id, "provisioning-submitted", wx.hearing_sheet(**changes))
    assert flow.steps[3].done_at is not None


def test_wx_prov1_printable_in_the_forms_order(wx, provisioning):
    """WX-PROV-1: the answers print as plain text, one "Label: value" per field in the hearing
    sheet's order, the same through render_form and `workflow show --form`."""
    flow = wx.desk.complete_step(provisioning.id, "provisioning-submitted", wx.hearing_sheet())
    text = render_form(wx.desk.form_fields("webex", "provisioning"), flow.steps[3].data)
    lines = text.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == HEARING_SHEET_LABELS
    assert lines[0] == "Is the end customer an existing WebEx customer?: No"
    assert "Number of Named Users: 30, 20" in lines
    assert "End Customer Headquarters Address2: Tokyo Midtown Tower" in lines
    assert lines[-1] == "Timezone: Asia/Tokyo"
    assert wx.desk.form_text(flow.id, "provisioning-submitted") == lines


def test_wx_renew2_existing_customer_is_always_yes_on_a_renewal(wx, clock):
    """WX-RENEW-2: on a renewal's form the answer is fixed to Yes: No is refused, Yes accepted;
    a new order may answer No."""
    (question,) = [f for f in wx.desk.form_fields("webex", "renewal-provisioning")
                   if f.name == "existing_customer"]
    assert (question.default, question.rule, question.required) == (True, "WX-RENEW-2", True)
    flow = wx.advance(wx.renewal(date(2027, 1, 31)), "confirmation-received")
    with pytest.raises(Refused) as refused:
        wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(existing_customer="no"))
    assert refused.value.decision.rule == "WX-RENEW-2"
    done = wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(existing_customer="yes"))
    assert wx.desk.form_text(done.id, "provisioning-submitted")[0] == (
        "Is the end customer an existing WebEx customer?: Yes")


# -- graduation ------------------------------------------------------------------------------


@pytest.fixture
def site_ready(wx):
    return wx.advance(wx.order(), "site-ready")


def test_wx_grad1_a_new_order_cannot_complete_without_the_graduation_form(wx, site_ready):
    """WX-GRAD-1: the last step of a new order asks for the whole graduation form."""
    with pytest.raises(Invalid) as invalid:
        wx.desk.complete_step(site_ready.id, "graduated", {})
    assert {f.rule for f in invalid.value.findings} == {"WX-GRAD-1"}
    assert len(invalid.value.findings) == 17  # every answer but the two conditional ones
    assert not wx.desk.workflow(site_ready.id).done
    done = wx.desk.complete_step(site_ready.id, "graduated", wx.graduation_sheet())
    assert done.done
    assert wx.desk.workflow_view(done.id).state == "done"


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"upsell": "yes"}, ["Please provide additional comments regarding the upsell opportunities"]),
        ({"copy_wanted": "yes"}, ["Email address to send completed form to"]),
        ({"webex_url": "https://sakura-logi.webex.com"},
         ["What is the WebEx url of this customer (example: companyname.webex.com)"]),
        ({"term_years": "0"}, ["What is the term length of this customer's WebEx subscription (in years)"]),
    ],
)
def test_wx_grad1_graduation_form_validation(wx, site_ready, changes, missing):
    """WX-GRAD-1: upsell comments and the copy address when their question is Yes; the WebEx URL;
    a term in whole years."""
    with pytest.raises((Refused, Invalid)) as refused:
        wx.desk.complete_step(site_ready.id, "graduated", wx.graduation_sheet(**changes))
    if isinstance(refused.value, FormInvalid):  # an answer WX-GRAD-1 refuses: bad input too
        assert refused.value.decision.missing == missing
    else:  # a conditional answer left out
        assert [f.message for f in refused.value.findings] == [f"{m} is required" for m in missing]


def test_wx_grad1_graduation_form_order_and_conditional_answers(wx, site_ready):
    """WX-GRAD-1: the graduation sheet's order; conditional answers given are kept and printed."""
    labels = [f.label for f in wx.desk.form_fields("webex", "graduation")]
    assert labels[0] == "Implementation/PM First Name" and labels[2] == "Email address"
    assert labels[-2:] == ["Would you or anyone else from your company like a copy of this completed form?",
                           "Email address to send completed form to"]
    with pytest.raises(BadInput):
        wx.desk.complete_step(site_ready.id, "graduated",
                              wx.graduation_sheet(copy_wanted="yes", copy_email="taro-at-desk"))
    done = wx.desk.complete_step(site_ready.id, "graduated",
                                 wx.graduation_sheet(copy_wanted="yes", copy_email="taro@desk.example.jp",
                                                     upsell="yes", upsell_comments="50 more hosts in 2027"))
    text = wx.desk.form_text(done.id, "graduated")
    assert text[-1] == "Email address to send completed form to: taro@desk.example.jp"
    assert "Are there any upsell opportunities Cisco WebEx should be aware of?: Yes" in text
