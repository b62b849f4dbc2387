"""CSV import of contacts: rows are checked in Python, then written set-based in batches.

Columns `name`, `phone` and `tags` (separated by `;` or `|`) are read by name, any
other column becomes an attribute. Existing contacts (same account, type and phone)
are updated: a blank name keeps the old one, attributes are merged, tags are added,
and the opt-out state is never touched. Row numbers count the header as row 1.
"""

import contextlib
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from django.db import transaction

from contacts.import_writers import ImportRow, write_rows
from contacts.limits import (
    FORBIDDEN_KEY_CHARS,
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_NAME,
    MAX_TAG,
    MAX_TAGS,
)
from contacts.models import ChannelType
from contacts.phones import InvalidPhone, normalize_phone
from contacts.suppressions import contacts_apply_suppressions
from skylight.domain import Invalid

MAX_ROWS = 500_000
MAX_COLUMNS = 100
MAX_ERRORS_LISTED = 1000
_TAG_SEPARATORS = re.compile(r"[;|]")
_KNOWN_COLUMNS = ("name", "phone", "tags")


@dataclass
class ImportResult:
    """What an import did; `errors` lists the first rejected rows with the reason."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)

    def reject(self, row: int, phone: str, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append({"row": row, "phone": phone, "reason": reason})

    def as_dict(self) -> dict:
        return asdict(self)


class _RowRejected(Exception):
    pass


def import_contacts_csv(
    *, account, file, type: str = ChannelType.WHATSAPP, contact_list=None
) -> ImportResult:
    """Creates or updates the account's contacts from a CSV file (bytes or text stream).

    The whole file is one transaction; a file that cannot be read at all (encoding,
    no `phone` column, too many rows) raises `Invalid` on `file`.
    """
    if type not in ChannelType.values:
        raise Invalid({"type": [f"Use one of: {', '.join(ChannelType.values)}."]})
    with contextlib.closing(_records(file)) as records:
        header = _header(next(records, None))
        result = ImportResult()
        rows = _checked_rows(records, header, result)
        with transaction.atomic():
            result.created, result.updated = write_rows(
                account=account, contact_type=type, contact_list=contact_list, rows=rows
            )
            # Imported addresses on the suppression list end opted out, whatever the file says.
            contacts_apply_suppressions(account=account, channel_type=type)
    return result


# --- reading --------------------------------------------------------------------


def _lines(file) -> Iterator[str]:
    """The file's lines, decoded as they are read (the file is never read whole)."""
    if isinstance(file.read(0), str):
        yield from file
        return
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        yield from text
    finally:
        with contextlib.suppress(ValueError):  # already closed by its owner
            text.detach()  # leave the upload open for its owner


def _records(file) -> Iterator[tuple[int, list[str]]]:
    """Numbered CSV records streamed from the file; the delimiter is guessed on line one."""
    lines = (line.replace("\x00", "") for line in _lines(file))
    number = 0
    try:
        first_line = next(lines, "")
        delimiter = max([",", ";", "\t"], key=first_line.count)
        head = [first_line] if first_line else []
        reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):  # noqa: B007
            if number > MAX_ROWS + 1:
                raise Invalid({"file": [f"At most {MAX_ROWS} rows per import."]})
            yield number, record
    except UnicodeDecodeError:
        raise Invalid({"file": ["The file is not UTF-8 encoded text."]}) from None
    except csv.Error as exc:
        raise Invalid({"file": [f"Row {number + 1} cannot be read: {exc}."]}) from None


def _header(first) -> list[str]:
    if first is None:
        raise Invalid({"file": ["The file is empty; it needs a header row."]})
    names = ["".join(c for c in cell if c not in FORBIDDEN_KEY_CHARS).strip() for cell in first[1]]
    if len(names) > MAX_COLUMNS:
        raise Invalid({"file": [f"At most {MAX_COLUMNS} columns are allowed."]})
    header = [name.lower() if name.lower() in _KNOWN_COLUMNS else name for name in names]
    if "phone" not in header:
        raise Invalid({"file": ["The header row needs a 'phone' column."]})
    too_long = [name for name in header if len(name) > MAX_ATTRIBUTE_KEY]
    if too_long:
        raise Invalid({"file": [f"Column names have at most {MAX_ATTRIBUTE_KEY} characters."]})
    return header


def _checked_rows(records, header: list[str], result: ImportResult) -> Iterator[ImportRow]:
    seen: dict[str, int] = {}
    phones: dict[str, str | InvalidPhone] = {}
    for number, record in records:
        cells = dict(zip(header, (cell.strip() for cell in record), strict=False))
        if not any(cells.values()) and not _extra_cells(record, header):
            continue
        raw_phone = cells.get("phone", "")
        try:
            _check_width(record, header)
            row = _row(number, cells, _cached_phone(raw_phone, phones))
            if row.phone in seen:
                raise _RowRejected(f"Same phone as row {seen[row.phone]}.")
        except (_RowRejected, InvalidPhone) as exc:
            result.reject(number, raw_phone, getattr(exc, "message", None) or str(exc))
            continue
        seen[row.phone] = number
        yield row


def _extra_cells(record: list[str], header: list[str]) -> list[str]:
    return [cell for cell in record[len(header) :] if cell.strip()]


def _check_width(record: list[str], header: list[str]) -> None:
    """A row with more values than the header has columns is malformed (a stray comma or
    an unquoted value): importing it would silently drop or shift data."""
    if _extra_cells(record, header):
        raise _RowRejected(
            f"The row has {len(record)} values but the header has {len(header)} columns; "
            "quote values that contain the separator."
        )


PHONE_CACHE_SIZE = 10_000


def _cached_phone(raw: str, cache: dict) -> str:
    """Normalises a raw phone, remembering recent answers (files repeat their formats)."""
    if raw not in cache:
        if len(cache) >= PHONE_CACHE_SIZE:
            cache.clear()  # bounded: a 500,000-row file must not keep every raw phone
        try:
            cache[raw] = normalize_phone(raw)
        except InvalidPhone as exc:
            cache[raw] = exc
    value = cache[raw]
    if isinstance(value, InvalidPhone):
        raise value
    return value


def _row(number: int, cells: dict[str, str], phone: str) -> ImportRow:
    name = cells.get("name", "")
    if len(name) > MAX_NAME:
        raise _RowRejected(f"Name is longer than {MAX_NAME} characters.")
    tags = list(dict.fromkeys(t.strip() for t in _TAG_SEPARATORS.split(cells.get("tags", ""))))
    tags = [tag for tag in tags if tag]
    if any(len(tag) > MAX_TAG for tag in tags):
        raise _RowRejected(f"A tag is longer than {MAX_TAG} characters.")
    if len(tags) > MAX_TAGS:
        raise _RowRejected(f"At most {MAX_TAGS} tags per contact.")
    attributes = {
        key: value for key, value in cells.items() if key and key not in _KNOWN_COLUMNS and value
    }
    if any(len(value) > MAX_ATTRIBUTE_VALUE for value in attributes.values()):
        raise _RowRejected(f"An attribute value is longer than {MAX_ATTRIBUTE_VALUE} characters.")
    return ImportRow(number, phone, name, tags, attributes)


def audit_import(*, account, result, contact_list=None) -> None:
    """One audit event per CSV import, with its counts (shared by the API and dashboard)."""
    from skylight.audit import audit_record

    counts = {key: result.as_dict()[key] for key in ("created", "updated", "rejected")}
    if contact_list is not None:
        counts["list_id"] = contact_list.pk
    audit_record(account=account, action="contacts.imported", changes=counts)
