from django.core.management.base import BaseCommand, CommandError

from skylight.models import Account
from skylight.services import account_create, api_key_create


class Command(BaseCommand):
    help = "Creates an API key for an account and prints the key alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account name")
        parser.add_argument(
            "--create-account", action="store_true", help="Create the account if it is missing"
        )
        parser.add_argument("--name", default="API key", help="A label for the key")
        parser.add_argument("--timezone", default="UTC", help="Timezone of a created account")

    def handle(self, *args, account, create_account, name, timezone, **options):
        found = Account.objects.filter(name=account).first()
        if found is None:
            if not create_account:
                raise CommandError(f"No account named {account!r}; add --create-account.")
            found = account_create(name=account, timezone_name=timezone)
            self.stderr.write(f"Created account {found.name} (id {found.pk}).")
        key, raw_key = api_key_create(account=found, name=name)
        self.stderr.write(f"Key {key.prefix} for account {found.name}; it is shown only once:")
        self.stdout.write(raw_key)
