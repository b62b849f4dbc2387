"""Writes to contacts, lists, segments and tags. Views, tasks and webhooks call these."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.limits import check_contact_fields
from contacts.models import (
    ChannelType,
    Contact,
    ContactList,
    ListMembership,
    OptChange,
    Segment,
    Tag,
)
from contacts.phones import InvalidPhone, normalize_phone
from contacts.segments import validate_rules
from contacts.signals import contacts_deleting
from contacts.suppressions import is_address_suppressed, not_suppressed
from contacts.webhook_events import opted_out_emit
from skylight.domain import Invalid

ID_BATCH = 5000
CONTACT_FIELDS = ("name", "phone", "type", "tags", "attributes", "opted_out", "external_id")


# --- tags -----------------------------------------------------------------------


def tags_ensure(*, account, names: Iterable[str]) -> dict[str, int]:
    """Creates the account's missing tags among `names`; returns {name: tag id} for all."""
    names = sorted({name for name in names if name})
    if not names:
        return {}
    Tag.objects.bulk_create(
        [Tag(account=account, name=name) for name in names], ignore_conflicts=True
    )
    return dict(Tag.objects.filter(account=account, name__in=names).values_list("name", "pk"))


def _set_tags(contact: Contact, names: Iterable[str]) -> None:
    tag_ids = tags_ensure(account=contact.account, names=names).values()
    contact.tags.set(list(tag_ids))


# --- contacts -------------------------------------------------------------------


def _phone_e164(raw: str, account=None) -> str:
    """E.164, reading a local number in the account's default country (if it has one)."""
    try:
        return normalize_phone(raw, getattr(account, "default_country", None))
    except InvalidPhone as exc:
        raise Invalid({"phone": [exc.message]}) from None


def _phone_taken(contact_type: str, phone: str) -> Invalid:
    label = ChannelType(contact_type).label if contact_type in ChannelType.values else contact_type
    return Invalid(
        {"phone": [f"A {label} contact with phone {phone} already exists in this account."]}
    )


def _ensure_phone_free(*, account, contact_type: str, phone: str, exclude_pk=None) -> None:
    others = Contact.objects.filter(account=account, type=contact_type, phone=phone)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise _phone_taken(contact_type, phone)


def contact_check(
    *, account, phone: str, type: str, name=None, tags=None, attributes=None, exclude_pk=None
) -> str:
    """The checks contact_create and contact_update apply, for forms that validate first.

    Returns the phone as E.164; raises `Invalid` naming each field at fault.
    """
    check_contact_fields(name=name, tags=tags, attributes=attributes)
    phone = _phone_e164(phone, account)
    _ensure_phone_free(account=account, contact_type=type, phone=phone, exclude_pk=exclude_pk)
    return phone


def contact_create(
    *,
    account,
    phone: str,
    type: str = ChannelType.WHATSAPP,
    name: str = "",
    tags: Iterable[str] = (),
    attributes: dict | None = None,
    opted_out: bool = False,
    external_id: str = "",
) -> Contact:
    """Creates a contact with an E.164 phone unique for its account and type (else 422 on phone)."""
    tags = list(tags)
    check_contact_fields(name=name, tags=tags, attributes=attributes)
    phone = _phone_e164(phone, account)
    _ensure_phone_free(account=account, contact_type=type, phone=phone)
    # An address on the suppression list starts opted out (docs/api.md, "Suppressions").
    opted_out = opted_out or is_address_suppressed(
        account=account, channel_type=type, addresses=[phone, external_id]
    )
    contact = Contact(
        account=account,
        phone=phone,
        type=type,
        name=name,
        attributes=attributes or {},
        opted_out=opted_out,
        opted_out_at=timezone.now() if opted_out else None,
        external_id=external_id,
    )
    try:
        with transaction.atomic():
            contact.save()
            _set_tags(contact, tags)
    except IntegrityError:
        raise _phone_taken(type, phone) from None
    return contact


def contact_update(*, contact: Contact, **changes) -> Contact:
    """Applies the given field changes; `tags` replaces the set, `opted_out` stamps the time."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"contact_update got unknown fields: {sorted(unknown)}")
    check_contact_fields(
        name=changes.get("name"), tags=changes.get("tags"), attributes=changes.get("attributes")
    )
    if "phone" in changes:
        changes["phone"] = _phone_e164(changes["phone"], contact.account)
    tags = changes.pop("tags", None)
    opted_out = changes.pop("opted_out", None)
    for name, value in changes.items():
        setattr(contact, name, value)
    if "phone" in changes or "type" in changes:
        _ensure_phone_free(
            account=contact.account,
            contact_type=contact.type,
            phone=contact.phone,
            exclude_pk=contact.pk,
        )
    newly_opted_out = bool(opted_out) and not contact.opted_out
    if opted_out is not None:
        _apply_opt_out(contact, opted_out)
    try:
        with transaction.atomic():
            contact.save()
            if tags is not None:
                _set_tags(contact, tags)
            if newly_opted_out:
                opted_out_emit([contact.pk], reason="updated", account_id=contact.account_id)
    except IntegrityError:
        raise _phone_taken(contact.type, contact.phone) from None
    return contact


def lists_lock(list_ids) -> None:
    """Locks lists in id order before their memberships change.

    The members_count triggers lock the lists they count into; taking those locks
    first, in one order, keeps concurrent membership writers from deadlocking.
    """
    lists = ContactList.objects.filter(pk__in=list_ids).order_by("pk")
    list(lists.select_for_update(no_key=True).values_list("pk", flat=True))


def _lock_lists_of(contact_ids) -> None:
    member = ListMembership.objects.filter(contact_id__in=contact_ids)
    lists_lock(member.values("contact_list_id"))


def contact_delete(*, contact: Contact) -> None:
    """Deletes the contact with its list memberships, tag links and campaign rows.

    Apps that keep contacts (campaigns) hear `contacts_deleting` in the same transaction
    and may refuse it.
    """
    with transaction.atomic():
        _lock_lists_of([contact.pk])
        contacts_deleting.send(sender=Contact, contact_ids=[contact.pk])
        contact.delete()


def contacts_delete(*, contacts) -> int:
    """Deletes a queryset of contacts the same way as contact_delete; returns how many."""
    with transaction.atomic():
        _lock_lists_of(contacts.order_by().values("pk"))
        ids = list(contacts.values_list("pk", flat=True))
        contacts_deleting.send(sender=Contact, contact_ids=ids)
        Contact.objects.filter(pk__in=ids).delete()
    return len(ids)


def _refuse_opt_in_if_suppressed(contact: Contact) -> None:
    addresses = [contact.phone, contact.external_id]
    if is_address_suppressed(
        account=contact.account, channel_type=contact.type, addresses=addresses
    ):
        raise Invalid(
            {
                "opted_out": [
                    "This address is on the suppression list; remove it there to opt the "
                    "contact back in."
                ]
            }
        )


def _apply_opt_out(contact: Contact, opted_out: bool) -> None:
    if not opted_out and contact.opted_out:
        _refuse_opt_in_if_suppressed(contact)
    if opted_out and not contact.opted_out:
        contact.opted_out_at = timezone.now()
    elif not opted_out:
        contact.opted_out_at = None
    contact.opted_out = opted_out


def contact_set_opted_out(
    *, contact: Contact, opted_out: bool, reason: str = "", changed_by=None
) -> Contact:
    """Opts the contact out (stamping `opted_out_at` once) or back in (clearing it).

    With a `reason` (a person's decision in the dashboard), the change and its reason are
    recorded as an OptChange.
    """
    with transaction.atomic():
        newly_opted_out = opted_out and not contact.opted_out
        _apply_opt_out(contact, opted_out)
        contact.save(update_fields=["opted_out", "opted_out_at", "updated_at"])
        if newly_opted_out:
            opted_out_emit([contact.pk], reason=reason or "updated", account_id=contact.account_id)
        if reason:
            OptChange.objects.create(
                contact=contact, opted_out=opted_out, reason=reason[:500], changed_by=changed_by
            )
    return contact


def contacts_bulk_set_opted_out(*, contacts, opted_out: bool, reason: str = "opt-out") -> int:
    """Opts a queryset of contacts out or back in with one UPDATE; returns how many changed.

    Only contacts whose state changes are touched, so earlier opt-out times are kept.
    Suppressed contacts are never opted back in. Opting out emits `contact.opted_out`
    with `reason` for each contact that changed.
    """
    now = timezone.now()
    if not opted_out:
        contacts = not_suppressed(contacts)
        return contacts.filter(opted_out=True).update(
            opted_out=False, opted_out_at=None, updated_at=now
        )
    with transaction.atomic():
        ids = list(contacts.filter(opted_out=False).values_list("pk", flat=True))
        changed = Contact.objects.filter(pk__in=ids, opted_out=False).update(
            opted_out=True, opted_out_at=now, updated_at=now
        )
        opted_out_emit(ids, reason=reason)
    return changed


def _list_name_taken(name: str) -> Invalid:
    return Invalid({"name": [f"A list named “{name}” already exists in this account."]})


def _save_list(contact_list: ContactList) -> ContactList:
    """Saves a list whose name must be free in its account (422 on `name` if not)."""
    contact_list.name = contact_list.name.strip()
    clash = ContactList.objects.filter(
        account=contact_list.account_id, name__iexact=contact_list.name
    ).exclude(pk=contact_list.pk)
    if clash.exists():
        raise _list_name_taken(contact_list.name)
    try:
        with transaction.atomic():
            contact_list.save()
    except IntegrityError:  # created concurrently under the same name
        raise _list_name_taken(contact_list.name) from None
    return contact_list


def list_create(*, account, name: str, description: str = "") -> ContactList:
    """Creates an empty contact list; names are unique per account, ignoring case."""
    return _save_list(ContactList(account=account, name=name, description=description))


def list_update(*, contact_list: ContactList, **changes) -> ContactList:
    """Renames or re-describes a list (the new name must be free in the account)."""
    unknown = set(changes) - {"name", "description"}
    if unknown:
        raise TypeError(f"list_update got unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(contact_list, name, value)
    return _save_list(contact_list)


def list_delete(*, contact_list: ContactList) -> None:
    """Deletes the list (its contacts stay)."""
    contact_list.delete()


def _batches(ids: list[int], size: int = ID_BATCH):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def list_add_contacts(*, contact_list: ContactList, contact_ids: Iterable[int]) -> int:
    """Adds the account's contacts among `contact_ids` to the list; returns how many were new.

    Ids of other accounts' contacts are ignored (callers validate them first).
    """
    ids = list(dict.fromkeys(contact_ids))
    counter = ContactList.objects.filter(pk=contact_list.pk).values_list("members_count", flat=True)
    with transaction.atomic():
        # The row lock makes the trigger-kept counter's difference this call's own adds.
        before = counter.select_for_update(no_key=True).get()
        for batch in _batches(ids):
            owned = Contact.objects.filter(account_id=contact_list.account_id, pk__in=batch)
            ListMembership.objects.bulk_create(
                [
                    ListMembership(contact_list=contact_list, contact_id=pk)
                    for pk in owned.values_list("pk", flat=True)
                ],
                ignore_conflicts=True,
            )
        return counter.get() - before


def list_remove_contacts(*, contact_list: ContactList, contact_ids: Iterable[int]) -> int:
    """Removes the given contacts from the list; returns how many were members."""
    ids = list(dict.fromkeys(contact_ids))
    removed = 0
    with transaction.atomic():
        lists_lock([contact_list.pk])
        for batch in _batches(ids):
            removed += ListMembership.objects.filter(
                contact_list=contact_list, contact_id__in=batch
            ).delete()[0]
    return removed


# --- segments -------------------------------------------------------------------


def _clean_rules(rules, account) -> dict:
    try:
        return validate_rules(rules, account=account)
    except Invalid as exc:
        raise Invalid({"rules": exc.errors}) from None


def segment_create(*, account, name: str, rules) -> Segment:
    """Saves a segment after validating its rules (422 naming the bad condition)."""
    cleaned = _clean_rules(rules, account)
    return Segment.objects.create(account=account, name=name, rules=cleaned)


def segment_update(*, segment: Segment, name: str | None = None, rules=None) -> Segment:
    """Renames a segment and/or replaces its rules (validated)."""
    if name is not None:
        segment.name = name
    if rules is not None:
        segment.rules = _clean_rules(rules, segment.account)
    segment.save()
    return segment


def segment_delete(*, segment: Segment) -> None:
    """Deletes a saved segment; campaigns already enrolled from it are unaffected."""
    segment.delete()
