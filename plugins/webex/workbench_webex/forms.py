"""The forms WebEx workflow steps ask for, in the order and with the labels of Cisco's own forms,
and their cross-field validation.

The desk checks each field's type (e-mail, number, yes/no, time zone from the tz database,
choices) and the required ones; :func:`problems` checks what a type cannot say: URL shapes,
postal codes, prefectures, languages, and the named users per site against the licences
bought (WX-PROV-1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from workbench.model import Field

# -- form names (StepTemplate.form) ----------------------------------------------------------

HOLD_RELEASE = "hold-release"
CONFIRMATION = "confirmation"
PROVISIONING = "provisioning"
RENEWAL_PROVISIONING = "renewal-provisioning"
SITE_READY = "site-ready"
GRADUATION = "graduation"
OPTION_REQUEST = "option-request"

# -- vocabularies ----------------------------------------------------------------------------

LANGUAGES = [
    "Japanese", "English", "Simplified Chinese", "Traditional Chinese", "Korean", "French",
    "German", "Italian", "Castilian Spanish", "Latin American Spanish", "Brazilian Portuguese",
    "Dutch", "Russian", "Swedish", "Turkish",
]
"""Languages a WebEx site can be set up in."""

PREFECTURES = [
    "Hokkaido", "Aomori", "Iwate", "Miyagi", "Akita", "Yamagata", "Fukushima", "Ibaraki", "Tochigi",
    "Gunma", "Saitama", "Chiba", "Tokyo", "Kanagawa", "Niigata", "Toyama", "Ishikawa", "Fukui",
    "Yamanashi", "Nagano", "Gifu", "Shizuoka", "Aichi", "Mie", "Shiga", "Kyoto", "Osaka", "Hyogo",
    "Nara", "Wakayama", "Tottori", "Shimane", "Okayama", "Hiroshima", "Yamaguchi", "Tokushima",
    "Kagawa", "Ehime", "Kochi", "Fukuoka", "Saga", "Nagasaki", "Kumamoto", "Oita", "Miyazaki",
    "Kagoshima", "Okinawa",
]
"""The 47 prefectures as Cisco's form spells them ("State", e.g. Tokyo)."""

OPTION_REQUESTS = [
    "add-language", "site-split", "contact-change", "custom-session-type", "logo-change",
    "renewal-date-confirmation", "csm-confirmation", "other",
]
"""What Cisco's option request site takes (WX-OPT-1)."""

SITE_URL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.webex\.com$", re.IGNORECASE)
WEBSITE = re.compile(r"^(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?:[/?#]\S*)?$",
                     re.IGNORECASE)
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*$")
JAPAN_POSTAL_CODE = re.compile(r"^\d{3}-?\d{4}$")
POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$", re.IGNORECASE)
SALES_ORDER = re.compile(r"^[A-Z0-9][A-Z0-9-]*$", re.IGNORECASE)

# -- the forms -------------------------------------------------------------------------------


def hold_release_fields() -> list[Field]:
    """What the customer has submitted on Cisco's overage-terms pages (WX-HOLD-2). Which of
    them the hold needs follows from the contract, so neither is required by the form."""
    return [
        Field("port_overage_terms", "Port-overage terms submitted by the customer", "bool",
              help="Needed when the order includes a port contract.", rule="WX-HOLD-2"),
        Field("audio_overage_terms", "Audio-overage terms submitted by the customer", "bool",
              help="Needed when the order includes a WebEx audio commit plan.", rule="WX-HOLD-2"),
    ]


def confirmation_fields() -> list[Field]:
    """The confirmation document's facts provisioning starts from (WX-PROV-1)."""
    return [
        Field("so_number", "Sales order number (SO#)", required=True, rule="WX-PROV-1",
              help="From the confirmation PDF."),
        Field("provisioning_link", "Provisioning form link", rule="WX-PROV-1",
              help="The link in the confirmation PDF."),
    ]


def provisioning_fields(renewal: bool) -> list[Field]:
    """Cisco's provisioning form (the hearing sheet), in its order and with its labels (WX-PROV-1).

    On a renewal the first question is fixed to Yes (WX-RENEW-2).
    """
    existing = (
        Field("existing_customer", "Is the end customer an existing WebEx customer?", "bool",
              required=True, default=True, rule="WX-RENEW-2",
              help="Always Yes on a renewal.")
        if renewal
        else Field("existing_customer", "Is the end customer an existing WebEx customer?", "bool",
                   required=True, rule="WX-PROV-1")
    )

    def text(name: str, label: str, required: bool = True, help: str = "", kind: str = "text",
             default: Any = None) -> Field:
        return Field(name, label, kind, required=required, help=help, default=default, rule="WX-PROV-1")

    return [
        existing,
        text("end_customer_company", "End Customer Company Name"),
        text("end_customer_first_name", "End Customer First Name"),
        text("end_customer_last_name", "End Customer Last Name"),
        text("end_customer_phone", "End Customer Phone Number"),
        text("end_customer_email", "End Customer Email Address", kind="email"),
        text("end_customer_employees", "End Customer # of Employees", kind="number"),
        text("end_customer_website", "End Customer website address", help="e.g. www.example.co.jp"),
        text("hq_address1", "End Customer Headquarters Address1", help="e.g. Akasaka"),
        text("hq_address2", "End Customer Headquarters Address2", required=False,
             help="e.g. Tokyo Midtown Tower"),
        text("city", "City"),
        text("country", "Country", default="Japan", help="Japan for a Japanese customer."),
        text("state", "State", help="The prefecture, e.g. Tokyo."),
        text("postal_code", "Postal Code/Zip", help="e.g. 107-0052"),
        text("partner_company", "Partner Company Name"),
        text("partner_first_name", "Partner Contact First Name"),
        text("partner_last_name", "Partner Contact Last Name"),
        text("partner_email", "Partner Contact Email Address", kind="email",
             help="Cisco sends the submission's evidence e-mail here."),
        text("admin_email", "Admin Contact Email Address", kind="email",
             help="The Welcome e-mail (site ready) goes to this site administrator, not to the partner."),
        text("admin_first_name", "Admin First Name"),
        text("admin_last_name", "Admin Last Name"),
        text("admin_phone", "Admin Phone number"),
        text("sites", "How many WebEx sites would you like to create?", kind="number", default=1,
             help="1 unless the customer wants more sites."),
        text("primary_site_url", "This will be your primary site", help="<name>.webex.com"),
        text("named_users", "Number of Named Users", required=False, kind="list",
             help="Named-host licences per site, comma-separated, one number per site; they add up to "
             "the named-host licences bought."),
        Field("primary_language", "Primary Language", "choice", required=True, choices=LANGUAGES,
              default="Japanese", rule="WX-PROV-1"),
        text("additional_languages", "Would you like to have additional languages?", required=False,
             kind="list", help="Languages besides the primary one, comma-separated; empty for none."),
        text("timezone", "Timezone", kind="timezone", default="Asia/Tokyo",
             help="A tz database name, e.g. Asia/Tokyo for (GMT +9:00) Osaka, Sapporo, Tokyo."),
    ]


def site_ready_fields() -> list[Field]:
    return [
        Field("welcome_sent_at", "Welcome e-mail sent at", "datetime", rule="WX-SITE-2",
              help="When Cisco sent the Welcome e-mail to the site administrator; empty for now."),
    ]


def graduation_fields() -> list[Field]:
    """Cisco's graduation form, in its order and with its labels (WX-GRAD-1)."""

    def ask(name: str, label: str, kind: str = "text", **more: Any) -> Field:
        return Field(name, label, kind, required=True, rule="WX-GRAD-1", **more)

    return [
        ask("pm_first_name", "Implementation/PM First Name"),
        ask("pm_last_name", "Implementation/PM Last Name"),
        ask("pm_email", "Email address", "email"),
        ask("partner_name", "Partner name"),
        ask("customer_name", "What is the customer name you are transferring back to Cisco WebEx?"),
        ask("webex_url", "What is the WebEx url of this customer (example: companyname.webex.com)"),
        ask("term_years", "What is the term length of this customer's WebEx subscription (in years)",
            "number"),
        ask("site_admin", "Who is the site admin for this account (must be a contact at the customer)"),
        ask("checklist_done", "Have you, as the partner, completed the Implementation Checklist?", "bool"),
        ask("customer_using", "Is the customer using the WebEx service?", "bool"),
        ask("requirements_met", "Have all technical and billing requirements been implemented?", "bool"),
        ask("renewal_contact", "Who from your company should we contact when it's time to renew this "
            "customer's WebEx service?"),
        ask("main_customer_contact", "Who is the customer contact you worked with the most?"),
        ask("outstanding_issues", "Are there any outstanding issues regarding this account?", "longtext"),
        ask("next_steps", "Are there any next steps Cisco WebEx needs to be aware of with this account?",
            "longtext"),
        ask("upsell", "Are there any upsell opportunities Cisco WebEx should be aware of?", "bool"),
        ask("upsell_comments", "Please provide additional comments regarding the upsell opportunities",
            "longtext", when={"upsell": True}),
        ask("copy_wanted", "Would you or anyone else from your company like a copy of this completed form?",
            "bool"),
        ask("copy_email", "Email address to send completed form to", "email", when={"copy_wanted": True}),
    ]


def option_request_fields() -> list[Field]:
    """Cisco's option request site (WX-OPT-1)."""
    return [
        Field("request", "Request", "choice", required=True, choices=OPTION_REQUESTS, rule="WX-OPT-1"),
        Field("language", "Language to add", "choice", required=True, choices=LANGUAGES, rule="WX-OPT-1",
              when={"request": "add-language"}),
        Field("new_site_url", "URL of the additional site", required=True, rule="WX-OPT-1",
              when={"request": "site-split"}, help="<name>.webex.com"),
        Field("details", "Details of the request", "longtext", required=True, rule="WX-OPT-1"),
    ]


def fields_of(form: str) -> list[Field] | None:
    """The fields of ``form``, or ``None`` for a form WebEx does not define."""
    forms: dict[str, Callable[[], list[Field]]] = {
        HOLD_RELEASE: hold_release_fields,
        CONFIRMATION: confirmation_fields,
        PROVISIONING: lambda: provisioning_fields(renewal=False),
        RENEWAL_PROVISIONING: lambda: provisioning_fields(renewal=True),
        SITE_READY: site_ready_fields,
        GRADUATION: graduation_fields,
        OPTION_REQUEST: option_request_fields,
    }
    build = forms.get(form)
    return build() if build else None


# -- cross-field validation ------------------------------------------------------------------


def site_url_problem(value: str) -> str | None:
    """Why ``value`` is not a WebEx site address ``<name>.webex.com``, or ``None``."""
    if SITE_URL.match(value.strip()):
        return None
    return f"{value!r} is not a WebEx site address <name>.webex.com (no https://, no path)"


def _whole(value: Any) -> int | None:
    """``value`` as a whole number, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _prefecture(value: str) -> str | None:
    """The prefecture ``value`` names ("tokyo", "Osaka-fu", "Aichi Prefecture"), or ``None``."""
    name = re.sub(r"(?i)(\s+prefecture|-(to|fu|ken))$", "", value.strip())
    return next((p for p in PREFECTURES if p.lower() == name.lower()), None)


def provisioning_problems(data: dict[str, Any], named_host_licences: int | None) -> dict[str, str]:
    """What is wrong with a filled provisioning form, by field name (WX-PROV-1).

    :param named_host_licences: the named-host licences bought, when the contract is named-host:
        the named users per site must add up to them.
    """
    found: dict[str, str] = {}
    for name in ("end_customer_phone", "admin_phone"):
        phone = str(data.get(name, ""))
        digits = re.sub(r"\D", "", phone)
        if phone and (not PHONE.match(phone) or not 7 <= len(digits) <= 15):
            found[name] = f"{phone!r} is not a phone number (digits, +, -, spaces; 7 to 15 digits)"
    employees = data.get("end_customer_employees")
    if employees is not None and (_whole(employees) or 0) < 1:
        found["end_customer_employees"] = f"{employees!r} is not a whole number of employees"
    website = str(data.get("end_customer_website", ""))
    if website and not WEBSITE.match(website):
        found["end_customer_website"] = f"{website!r} is not a web address (e.g. www.example.co.jp)"
    in_japan = str(data.get("country", "")).strip().lower() == "japan"
    state = str(data.get("state", ""))
    if in_japan and state and _prefecture(state) is None:
        found["state"] = f"{state!r} is not a Japanese prefecture (e.g. Tokyo, Osaka, Kanagawa)"
    postal = str(data.get("postal_code", ""))
    if postal and in_japan and not JAPAN_POSTAL_CODE.match(postal):
        found["postal_code"] = f"{postal!r} is not a Japanese postal code NNN-NNNN"
    elif postal and not POSTAL_CODE.match(postal):
        found["postal_code"] = f"{postal!r} is not a postal code"
    url = data.get("primary_site_url")
    if url and site_url_problem(str(url)):
        found["primary_site_url"] = site_url_problem(str(url)) or ""
    sites = _whole(data.get("sites"))
    if data.get("sites") is not None and (sites is None or sites < 1):
        found["sites"] = f"{data.get('sites')!r} is not a number of sites (1 or more)"
        sites = None
    found.update(_named_user_problems(data.get("named_users") or [], sites, named_host_licences))
    primary = data.get("primary_language")
    extra = list(data.get("additional_languages") or [])
    unknown = [language for language in extra if language not in LANGUAGES]
    if unknown:
        found["additional_languages"] = (f"{', '.join(unknown)}: not a WebEx site language "
                                         f"({', '.join(LANGUAGES)})")
    elif primary in extra:
        found["additional_languages"] = f"{primary} is already the primary language"
    elif len(set(extra)) != len(extra):
        found["additional_languages"] = "a language is named twice"
    return found


def _named_user_problems(counts: list[Any], sites: int | None,
                         named_host_licences: int | None) -> dict[str, str]:
    """Named users per site: one whole number per site, adding up to the named-host licences."""
    if not counts:
        if named_host_licences is not None:
            return {"named_users": f"a named-host order needs the named users of each site (they add "
                                   f"up to the {named_host_licences} named-host licences bought)"}
        return {}
    numbers = [_whole(c) for c in counts]
    if any(n is None or n < 1 for n in numbers):
        return {"named_users": f"{', '.join(str(c) for c in counts)}: each site needs a whole number of "
                               "named users, 1 or more"}
    if sites is not None and len(numbers) != sites:
        return {"named_users": f"{len(numbers)} site(s) given for {sites} site(s) to create: one number "
                               "per site"}
    total = sum(n for n in numbers if n is not None)
    if named_host_licences is not None and total != named_host_licences:
        return {"named_users": f"the named users per site add up to {total}, not the "
                               f"{named_host_licences} named-host licences bought"}
    return {}


def graduation_problems(data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a filled graduation form, by field name (WX-GRAD-1)."""
    found: dict[str, str] = {}
    url = data.get("webex_url")
    if url and site_url_problem(str(url)):
        found["webex_url"] = site_url_problem(str(url)) or ""
    term = data.get("term_years")
    if term is not None and (_whole(term) or 0) < 1:
        found["term_years"] = f"{term!r} is not a whole number of years, 1 or more"
    return found


def option_request_problems(data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a filled option request (WX-OPT-1)."""
    url = data.get("new_site_url")
    if data.get("request") == "site-split" and url and site_url_problem(str(url)):
        return {"new_site_url": site_url_problem(str(url)) or ""}
    return {}


def sales_order_problems(data: dict[str, Any]) -> dict[str, str]:
    """The SO# is letters, digits and dashes as printed on the confirmation PDF."""
    number = str(data.get("so_number", ""))
    if number and not SALES_ORDER.match(number):
        return {"so_number": f"{number!r} is not a sales order number (letters, digits, dashes)"}
    return {}


# -- printing --------------------------------------------------------------------------------


def render_form(fields: list[Field], data: dict[str, Any]) -> str:
    """A filled form as plain text to paste into Cisco's form: one ``Label: value`` line per
    field, in the form's order; yes/no as Yes / No, lists comma-separated, unanswered empty.

    The same text as the desk's generic ``workbench workflow show W --form STEP``.
    """
    lines = []
    for definition in fields:
        value = data.get(definition.name, "")
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"{definition.label}: {value}")
    return "\n".join(lines)
