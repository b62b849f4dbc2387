"""Shared benchmark data, built once with set-based SQL and reused by later runs.

`million_contacts()`: an account with 1,000,000 WhatsApp contacts in three overlapping
lists, plus 10,000 opted-out and 10,000 Telegram contacts (in the third list) that
enrollment must leave out. `read_campaign()`: a draft enrolled from those lists.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from channels.models import Channel
from contacts.models import Contact, ContactList, ListMembership

ACCOUNT_NAME = "Benchmark: a million contacts"
READ_CAMPAIGN_NAME = "Benchmark: reads on a million"
CONTACTS = 1_000_000
EXCLUDED_EACH = 10_000
# Inclusive ranges of contact numbers per list: 1,300,000 memberships, 1,000,000 distinct.
LIST_RANGES = ((1, 450_000), (300_001, 750_000), (600_001, CONTACTS))


@dataclass
class MillionContacts:
    account: object
    channel: Channel
    list_ids: list[int]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_select(model, expressions: dict[str, str], from_sql: str, params: list) -> None:
    """INSERT INTO model's table SELECT `expressions` (SQL by column) FROM `from_sql`.

    Columns not given get their field's default as a parameter, so the builder keeps
    working when other engineers add columns with defaults.
    """
    columns, select, defaults = [], [], []
    for field in model._meta.concrete_fields:
        given = field.column in expressions
        if not field.primary_key and not given and (not field.null or field.has_default()):
            columns.append(field.column)
            select.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    # `params` follow the placeholders of `expressions` in the order they are given
    columns += list(expressions)
    select += list(expressions.values())
    sql = (
        f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(map(_quote, columns))}) "
        f"SELECT {', '.join(select)} {from_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults + params)


def _generate_contacts(account, first: int, last: int, type_: str, opted_out: bool) -> None:
    now = timezone.now()
    _insert_select(
        Contact,
        {
            "account_id": "%s",
            "name": "'Contact ' || n",
            "phone": "'+9665' || lpad(n::text, 8, '0')",
            "type": "%s",
            "opted_out": "%s",
            "created_at": "%s",
            "updated_at": "%s",
        },
        "FROM generate_series(%s, %s) AS n",
        [account.pk, type_, opted_out, now, now, first, last],
    )


def _fill_list(contact_list: ContactList, account, first_id: int, last_id: int) -> None:
    _insert_select(
        ListMembership,
        {"contact_list_id": "%s", "contact_id": "c.id", "added_at": "now()"},
        f"FROM {_quote(Contact._meta.db_table)} c "
        "WHERE c.account_id = %s AND c.id BETWEEN %s AND %s",
        [contact_list.pk, account.pk, first_id, last_id],
    )


@transaction.atomic
def _build() -> MillionContacts:
    """Everything in one transaction, so a half-built account never exists."""
    from skylight.services import account_create

    account = account_create(name=ACCOUNT_NAME)
    channel = Channel.objects.create(
        account=account, name="Bench WhatsApp", type="whatsapp", provider="console"
    )
    total = CONTACTS + 2 * EXCLUDED_EACH
    _generate_contacts(account, 1, CONTACTS, "whatsapp", False)
    _generate_contacts(account, CONTACTS + 1, CONTACTS + EXCLUDED_EACH, "whatsapp", True)
    _generate_contacts(account, CONTACTS + EXCLUDED_EACH + 1, total, "telegram", False)
    base = Contact.objects.filter(account=account).order_by("id").values_list("id", flat=True)[0]
    lists = []
    for index, (first, last) in enumerate(LIST_RANGES, start=1):
        contact_list = ContactList.objects.create(account=account, name=f"Bench list {index}")
        if index == len(LIST_RANGES):
            last = total  # the excluded contacts ride along in the third list
        _fill_list(contact_list, account, base + first - 1, base + last - 1)
        lists.append(contact_list.pk)
    return MillionContacts(account, channel, lists)


def _vacuum_analyze(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {_quote(model._meta.db_table)}")


def million_contacts() -> MillionContacts:
    """The benchmark account and its lists, built on first use (a minute or so)."""
    from skylight.models import Account, Subscription

    account = Account.objects.filter(name=ACCOUNT_NAME).first()
    if account is None:
        print("  building 1,020,000 contacts in three lists (first run only)...", flush=True)
        data = _build()
        _vacuum_analyze(Contact, ListMembership)
    else:
        channel = Channel.objects.get(account=account, name="Bench WhatsApp")
        lists = ContactList.objects.filter(account=account, name__startswith="Bench list")
        data = MillionContacts(account, channel, sorted(lists.values_list("pk", flat=True)))
    Subscription.objects.filter(account=data.account).update(outreach_campaigns_used=0)
    return data


def read_campaign():
    """A draft with the million contacts enrolled (created through the service once)."""
    from campaigns.models import Campaign, CampaignContact
    from campaigns.services import campaign_create

    data = million_contacts()
    campaign = Campaign.objects.filter(account=data.account, name=READ_CAMPAIGN_NAME).first()
    if campaign is None:
        print("  enrolling the read benchmark's campaign (first run only)...", flush=True)
        campaign = campaign_create(
            account=data.account,
            name=READ_CAMPAIGN_NAME,
            channel=data.channel,
            messages=[{"type": "text", "content": "Hello {{name|there}}"}],
            list_ids=data.list_ids,
        )
        _vacuum_analyze(CampaignContact)
    return data, campaign


API_ACCOUNT_NAME = "Benchmark: API, 100k contacts"
API_CONTACTS = 100_000


@dataclass
class ApiAccount:
    account: object
    campaign: object
    raw_key: str


@transaction.atomic
def _build_api_contacts():
    from skylight.services import account_create

    account = account_create(name=API_ACCOUNT_NAME)
    Channel.objects.create(
        account=account, name="Bench WhatsApp", type="whatsapp", provider="console"
    )
    _generate_contacts(account, 1, API_CONTACTS, "whatsapp", False)
    contact_list = ContactList.objects.create(account=account, name="Bench API list")
    first = Contact.objects.filter(account=account).order_by("id").values_list("id")[0][0]
    _fill_list(contact_list, account, first, first + API_CONTACTS - 1)
    return account


def _api_campaign(account):
    from campaigns.models import Campaign, CampaignContact
    from campaigns.services import campaign_create

    campaign = Campaign.objects.filter(account=account, name="Bench API campaign").first()
    if campaign is None:
        # Fresh statistics first, or the enrollment's planner expects one row per table.
        _vacuum_analyze(Contact, ListMembership)
        campaign = campaign_create(
            account=account,
            name="Bench API campaign",
            channel=Channel.objects.get(account=account, name="Bench WhatsApp"),
            messages=[{"type": "text", "content": "Hello {{name|there}}"}],
            list_ids=list(ContactList.objects.filter(account=account).values_list("pk", flat=True)),
        )
        _vacuum_analyze(CampaignContact)
    return campaign


def api_account() -> ApiAccount:
    """A 100,000-contact account with one enrolled draft and a fresh API key."""
    from skylight.models import Account
    from skylight.services import api_key_create

    account = Account.objects.filter(name=API_ACCOUNT_NAME).first()
    if account is None:
        print("  building the 100,000-contact API account (first run only)...", flush=True)
        account = _build_api_contacts()
    campaign = _api_campaign(account)
    _, raw_key = api_key_create(account=account, name="bench")
    return ApiAccount(account, campaign, raw_key)
