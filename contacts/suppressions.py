"""The suppression list: addresses never to message, contact or not.

A suppression names an address (an E.164 phone, or a provider address such as a
Telegram chat id) on one channel type. Adding one opts out every contact at that
address at once, so the send engine skips them at claim time even in campaigns that
enrolled them earlier; enrollment leaves them out and counts them as `suppressed`;
a contact created or imported later at that address starts opted out.
"""

import csv
import io
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from contacts.models import ChannelType, Contact, Suppression
from contacts.phones import InvalidPhone, normalize_phone
from contacts.webhook_events import opted_out_emit
from skylight.domain import Invalid

MAX_IMPORT_ROWS = 100_000
PHONE_TYPES = (ChannelType.WHATSAPP, ChannelType.SMS)


def suppression_address(raw, channel_type: str) -> str:
    """The stored form of an address: E.164 for phone channels, else the trimmed id."""
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid({"address": ["Give the phone number or address to suppress."]})
    text = raw.strip()
    if channel_type in PHONE_TYPES:
        try:
            return normalize_phone(text)
        except InvalidPhone as exc:
            raise Invalid({"address": [exc.message]}) from None
    try:
        return normalize_phone(text) if text.startswith("+") else text[:64]
    except InvalidPhone:
        return text[:64]


def _contacts_at(account, channel_type: str, address: str) -> QuerySet[Contact]:
    return Contact.objects.filter(account=account, type=channel_type).filter(
        Q(phone=address) | Q(external_id=address)
    )


def _opt_out(contacts: QuerySet[Contact]) -> int:
    now = timezone.now()
    with transaction.atomic():
        ids = list(contacts.filter(opted_out=False).values_list("pk", flat=True))
        changed = Contact.objects.filter(pk__in=ids, opted_out=False).update(
            opted_out=True, opted_out_at=now, updated_at=now
        )
        opted_out_emit(ids, reason="suppressed")
    return changed


def suppression_add(
    *, account, address: str, channel_type: str, reason: str = "", source: str
) -> tuple[Suppression, bool]:
    """Suppresses the address (idempotent) and opts out the contacts at it.

    Returns the suppression and whether it is new.
    """
    if channel_type not in ChannelType.values:
        raise Invalid({"channel_type": [f"Use one of: {', '.join(ChannelType.values)}."]})
    if len(reason) > 255:
        raise Invalid({"reason": ["At most 255 characters."]})
    address = suppression_address(address, channel_type)
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry, created = Suppression.objects.get_or_create(
                    account=account,
                    channel_type=channel_type,
                    address=address,
                    defaults={"reason": reason, "source": source},
                )
        except IntegrityError:  # added at this very moment by another request
            entry, created = (
                Suppression.objects.get(
                    account=account, channel_type=channel_type, address=address
                ),
                False,
            )
        _opt_out(_contacts_at(account, channel_type, address))
    return entry, created


def suppression_delete(*, suppression: Suppression) -> None:
    """Lifts a suppression. Contacts stay opted out until someone opts them back in."""
    suppression.delete()


def suppressions_lift_stop(*, account, addresses: Iterable[str]) -> int:
    """A START: removes the entries a STOP added at these addresses (any channel type)."""
    return Suppression.objects.filter(
        account=account, source=Suppression.Source.STOP, address__in=list(addresses)
    ).delete()[0]


def not_suppressed(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """`contacts` without those whose address is on their account's suppression list."""
    return contacts.exclude(suppressed_expression())


def suppressed_expression() -> Exists:
    """True for a contact whose phone or provider address is suppressed on its type."""
    entries = Suppression.objects.filter(
        account_id=OuterRef("account_id"), channel_type=OuterRef("type")
    ).filter(Q(address=OuterRef("phone")) | Q(address=OuterRef("external_id")))
    return Exists(entries)


def is_address_suppressed(*, account, channel_type: str, addresses: Iterable[str]) -> bool:
    wanted = [address for address in addresses if address]
    return Suppression.objects.filter(
        account=account, channel_type=channel_type, address__in=wanted
    ).exists()


def contacts_apply_suppressions(*, account, channel_type: str) -> int:
    """Opts out the account's contacts of this type at a suppressed address (after an import).

    Walks the suppression list in batches so each UPDATE uses the phone index.
    """
    entries = Suppression.objects.filter(account=account, channel_type=channel_type)
    addresses = list(entries.values_list("address", flat=True))
    changed = 0
    for start in range(0, len(addresses), 1000):
        batch = addresses[start : start + 1000]
        contacts = Contact.objects.filter(account=account, type=channel_type)
        changed += _opt_out(contacts.filter(Q(phone__in=batch) | Q(external_id__in=batch)))
    return changed


def suppressions_import_csv(*, account, file, channel_type: str) -> dict:
    """Adds one suppression per row (`address` or `phone` column, optional `reason`).

    Returns `{"created", "existing", "rejected": [{"row", "errors"}]}`.
    """
    try:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        rows = csv.DictReader(text)
        header = [name.strip().lower() for name in rows.fieldnames or []]
    except (UnicodeDecodeError, csv.Error):
        raise Invalid({"file": ["The file is not UTF-8 CSV text."]}) from None
    column = "address" if "address" in header else "phone" if "phone" in header else None
    if column is None:
        raise Invalid({"file": ["The header row needs an 'address' or 'phone' column."]})
    result = {"created": 0, "existing": 0, "rejected": []}
    try:
        for number, row in enumerate(rows, start=2):
            if number - 1 > MAX_IMPORT_ROWS:
                raise Invalid({"file": [f"At most {MAX_IMPORT_ROWS} rows per import."]})
            row = {(key or "").strip().lower(): (value or "") for key, value in row.items()}
            try:
                _, created = suppression_add(
                    account=account,
                    address=row.get(column, ""),
                    channel_type=channel_type,
                    reason=row.get("reason", "")[:255],
                    source=Suppression.Source.IMPORT,
                )
            except Invalid as exc:
                result["rejected"].append({"row": number, "errors": exc.errors})
                continue
            result["created" if created else "existing"] += 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise Invalid({"file": [f"The file cannot be read: {exc}."]}) from None
    return result
