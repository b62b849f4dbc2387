"""`manage.py seed_demo`: a demo account to click through, sending on the console channel."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from skylight.models import Account
from skylight.services import account_create, api_key_create

DEMO_USER = "demo"
DEMO_PASSWORD = "skylight-demo"
DEMO_ACCOUNT = "Demo Shop"
FIRST_NAMES = ["Noura", "Omar", "Lina", "Faisal", "Sara", "Khalid", "Maha", "Yousef", "Reem"]
LAST_NAMES = ["Al-Otaibi", "Haddad", "Nasser", "Qureshi", "Saleh", "Farouk", "Mansour"]
CITIES = ["Riyadh", "Jeddah", "Dammam", "Dubai"]


class Command(BaseCommand):
    help = (
        "Creates a demo account, user, console channel, contacts, lists, a segment and a campaign."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any account exists already"
        )
        parser.add_argument("--contacts", type=int, default=120)

    def handle(self, *args, if_empty, contacts, **options):
        if if_empty and Account.objects.exists():
            self.stdout.write("Database already has accounts: demo not seeded.")
            return
        if Account.objects.filter(name=DEMO_ACCOUNT).exists():
            self.stdout.write(f"{DEMO_ACCOUNT} exists already: demo not seeded again.")
            return
        with transaction.atomic():
            raw_key, campaign = self.seed(contacts)
        self.stdout.write(
            "\nSkyLight demo is ready.\n"
            f"  Sign in:  {settings.SKYLIGHT_PUBLIC_URL or settings.SKYLIGHT_LOCAL_URL}/login/\n"
            f"  Username: {DEMO_USER}\n"
            f"  Password: {DEMO_PASSWORD}\n"
            f"  API key:  {raw_key}\n"
            f"  Campaign '{campaign.name}' is running on the console channel: watch it in the\n"
            "  dashboard, or its sends in the worker log.\n"
        )

    def seed(self, how_many: int):
        from campaigns.services import campaign_create, campaign_start
        from channels.models import Channel
        from contacts.models import Contact, ContactList
        from contacts.services import list_add_contacts, segment_create

        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USER).first()
        if user is None:
            user = user_model.objects.create_user(DEMO_USER, password=DEMO_PASSWORD)
        account = account_create(name=DEMO_ACCOUNT, timezone_name="Asia/Riyadh", owner=user)
        _, raw_key = api_key_create(account=account, name="Demo key")
        channel = Channel.objects.create(
            account=account,
            name="Demo WhatsApp (console)",
            type="whatsapp",
            provider="console",
            phone="+966500000000",
        )
        rng = random.Random(7)
        people = Contact.objects.bulk_create(
            Contact(
                account=account,
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                phone=f"+9665{50000000 + index:08d}",
                type="whatsapp",
                attributes={"city": rng.choice(CITIES), "orders": rng.randint(0, 9)},
            )
            for index in range(how_many)
        )
        customers = ContactList.objects.create(account=account, name="Customers")
        newsletter = ContactList.objects.create(account=account, name="Newsletter")
        list_add_contacts(
            contact_list=customers, contact_ids=[c.pk for c in people[: how_many // 2]]
        )
        list_add_contacts(
            contact_list=newsletter, contact_ids=[c.pk for c in people[how_many // 3 :]]
        )
        segment_create(
            account=account,
            name="Riyadh customers",
            rules={
                "match": "all",
                "conditions": [{"field": "attributes.city", "op": "eq", "value": "Riyadh"}],
            },
        )
        campaign = campaign_create(
            account=account,
            name="Spring Promo (demo)",
            channel=channel,
            messages=[
                {
                    "type": "text",
                    "content": "{Hi|Hello} {{first_name|there}}! Our spring offer is on.",
                },
                {"type": "text", "content": "Reply STOP to unsubscribe."},
            ],
            list_ids=[customers.pk, newsletter.pk],
            send_window=self.window_from_now(account.timezone),
        )
        campaign_start(campaign=campaign)
        return raw_key, campaign

    @staticmethod
    def window_from_now(timezone_name: str) -> dict:
        """A window from now to an hour on, so the day's paced sends are seen soon."""
        now = datetime.now(ZoneInfo(timezone_name))
        start = now.replace(second=0, microsecond=0)
        end = min(now + timedelta(minutes=60), now.replace(hour=23, minute=59))
        if end <= start:
            return None
        return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
