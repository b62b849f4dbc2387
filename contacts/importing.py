"""CSV import of contacts: rows are checked in Python, then written set-based in batches.

Each column is mapped to a target: `name`, `phone`, `tags` (separated by `;` or `|`),
`attribute:<key>` or `ignore`. Without a mapping the targets are guessed from the
header (`guess_targets`: "phone", "mobile", "name", "tags", ...; any other column
becomes an attribute named after it). Local numbers are read in `default_country`.
Existing contacts (same account, type and phone) are updated: a blank name keeps the
old one, attributes are merged, tags are added, and the opt-out state is never
touched. Row numbers count the header as row 1.
"""

import contextlib
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import phonenumbers
from django.db import transaction

from contacts.import_writers import ImportRow, write_rows
from contacts.limits import (
    FORBIDDEN_KEY_CHARS,
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_NAME,
    MAX_TAG,
    MAX_TAGS,
    attribute_problem,
)
from contacts.models import ChannelType
from contacts.phones import InvalidPhone, normalize_phone
from contacts.suppressions import contacts_apply_suppressions
from skylight.domain import Invalid

MAX_ROWS = 500_000
MAX_COLUMNS = 100
MAX_ERRORS_LISTED = 1000
_TAG_SEPARATORS = re.compile(r"[;|]")
PREVIEW_ROWS = 5
IGNORE = "ignore"
ATTRIBUTE_PREFIX = "attribute:"


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
    *,
    account,
    file,
    type: str = ChannelType.WHATSAPP,
    contact_list=None,
    mapping: list[str] | dict[str, str] | None = None,
    default_country: str | None = None,
) -> ImportResult:
    """Creates or updates the account's contacts from a CSV file (bytes or text stream).

    `mapping` gives each column's target, by position (a list) or by header name (a
    dict; unnamed columns are guessed). `default_country` (ISO 3166 alpha-2) reads
    numbers without a country code; None uses the account's default country.

    The whole file is one transaction; a file that cannot be read at all (encoding,
    no phone column, too many rows) raises `Invalid` on `file`, a bad mapping on
    `mapping`.
    """
    if type not in ChannelType.values:
        raise Invalid({"type": [f"Use one of: {', '.join(ChannelType.values)}."]})
    region = _region(account, default_country)
    with contextlib.closing(_records(file)) as records:
        header = _header(next(records, None))
        columns = columns_for(header, mapping)
        result = ImportResult()
        rows = _checked_rows(records, columns, result, region)
        with transaction.atomic():
            result.created, result.updated = write_rows(
                account=account, contact_type=type, contact_list=contact_list, rows=rows
            )
            # Imported addresses on the suppression list end opted out, whatever the file says.
            contacts_apply_suppressions(account=account, channel_type=type)
    return result


def _region(account, default_country: str | None) -> str | None:
    if default_country is None:
        default_country = getattr(account, "default_country", "")
    region = (default_country or "").strip().upper()
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid({"default_country": [f"'{region}' is not a known country code."]})
    return region or None


@dataclass
class CsvPreview:
    """The header, the first rows and the guessed target of each column."""

    header: list[str]
    rows: list[list[str]]
    targets: list[str]


def preview_csv(file, rows: int = PREVIEW_ROWS) -> CsvPreview:
    """The first `rows` records of the file (padded to the header's width) and guesses."""
    with contextlib.closing(_records(file)) as records:
        header = _header(next(records, None))
        sample = []
        for _, record in itertools.islice(records, rows * 4):
            if any(cell.strip() for cell in record):
                sample.append([*record, *[""] * (len(header) - len(record))][: len(header)])
            if len(sample) >= rows:
                break
    return CsvPreview(header=header, rows=sample, targets=guess_targets(header))


# --- mapping columns to fields ------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """What one CSV column becomes: a contact field, an attribute (`key`) or nothing."""

    field: str  # "name", "phone", "tags", "attribute" or "ignore"
    key: str = ""


_GUESSES = {
    "phone": (
        "phone", "mobile", "phone number", "mobile number", "cell", "telephone", "tel",
        "whatsapp", "msisdn", "number", "جوال", "الجوال", "رقم الجوال", "هاتف", "الهاتف",
        "رقم الهاتف", "رقم",
    ),
    "name": ("name", "full name", "contact", "contact name", "الاسم", "اسم"),
    "tags": ("tags", "tag", "labels", "الوسوم"),
}  # fmt: skip


def _normal_header(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


def guess_targets(header: list[str]) -> list[str]:
    """Each column's likely target: exact names first, then common synonyms; other
    columns become attributes named after them, unnamed ones are ignored."""
    targets = [f"{ATTRIBUTE_PREFIX}{name}" if name else IGNORE for name in header]
    normal = [_normal_header(name) for name in header]
    for field_name, synonyms in _GUESSES.items():
        for synonym in synonyms:
            matches = [i for i, name in enumerate(normal) if name == synonym]
            free = [i for i in matches if targets[i].startswith(ATTRIBUTE_PREFIX)]
            if free:
                targets[free[0]] = field_name
                break
    return targets


def target_choices(header: list[str]) -> list[tuple[str, str]]:
    """The targets a column may take, as (value, label) for a select."""
    choices = [(IGNORE, "Ignore"), ("phone", "Phone"), ("name", "Name"), ("tags", "Tags")]
    return choices + [
        (f"{ATTRIBUTE_PREFIX}{name}", f"Attribute: {name}")
        for name in dict.fromkeys(header)
        if name
    ]


def columns_for(header: list[str], mapping=None) -> list[Column]:
    """The columns' targets from a mapping (see import_contacts_csv), checked."""
    targets = guess_targets(header)
    if isinstance(mapping, dict):
        unknown = [name for name in mapping if name not in header]
        if unknown:
            raise Invalid({"mapping": [f"No column is named {', '.join(map(repr, unknown))}."]})
        targets = [mapping.get(name, target) for name, target in zip(header, targets, strict=True)]
    elif mapping is not None:
        if len(mapping) != len(header):
            raise Invalid({"mapping": [f"Give a target for each of the {len(header)} columns."]})
        targets = list(mapping)
    columns = [_column(target) for target in targets]
    if mapping is None and all(column.field != "phone" for column in columns):
        raise Invalid(
            {"file": ["The header row needs a 'phone' column (or a mapping naming one)."]}
        )
    _check_columns(columns)
    return columns


def _column(target) -> Column:
    target = target.strip() if isinstance(target, str) else ""
    if target in (IGNORE, "phone", "name", "tags"):
        return Column(target)
    if target.startswith(ATTRIBUTE_PREFIX):
        key = target.removeprefix(ATTRIBUTE_PREFIX).strip()
        problem = attribute_problem(key, None)
        if problem:
            raise Invalid({"mapping": [problem]})
        return Column("attribute", key)
    raise Invalid(
        {"mapping": [f"'{target}' is not a target; use name, phone, tags, attribute:<name> "
                     "or ignore."]}
    )  # fmt: skip


def _check_columns(columns: list[Column]) -> None:
    fields = [column.field for column in columns]
    if "phone" not in fields:
        raise Invalid({"mapping": ["Choose the column that holds the phone number."]})
    for field_name in ("phone", "name", "tags"):
        if fields.count(field_name) > 1:
            raise Invalid({"mapping": [f"Only one column can be the {field_name}."]})
    keys = [column.key for column in columns if column.field == "attribute"]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise Invalid({"mapping": [f"Two columns fill the attribute {twice[0]!r}."]})


# --- reading --------------------------------------------------------------------


def _lines(file) -> Iterator[str]:
    """The file's lines, decoded as they are read (the file is never read whole)."""
    if isinstance(file.read(0), str):
        yield from file
        return
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        # Not `yield from`: closing this generator early (a preview) would close the file.
        for line in text:  # noqa: UP028
            yield line
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
    header = ["".join(c for c in cell if c not in FORBIDDEN_KEY_CHARS).strip() for cell in first[1]]
    if len(header) > MAX_COLUMNS:
        raise Invalid({"file": [f"At most {MAX_COLUMNS} columns are allowed."]})
    too_long = [name for name in header if len(name) > MAX_ATTRIBUTE_KEY]
    if too_long:
        raise Invalid({"file": [f"Column names have at most {MAX_ATTRIBUTE_KEY} characters."]})
    return header


def _checked_rows(
    records, columns: list[Column], result: ImportResult, region: str | None
) -> Iterator[ImportRow]:
    seen: dict[str, int] = {}
    phones: dict[str, str | InvalidPhone] = {}
    for number, record in records:
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        fields: dict[str, str] = {}
        attributes: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column.field == "attribute":
                if cell:
                    attributes[column.key] = cell
            elif column.field != IGNORE:
                fields[column.field] = cell
        raw_phone = fields.get("phone", "")
        try:
            _check_width(record, columns)
            row = _row(number, fields, attributes, _cached_phone(raw_phone, phones, region))
            if row.phone in seen:
                raise _RowRejected(f"Same phone as row {seen[row.phone]}.")
        except (_RowRejected, InvalidPhone) as exc:
            result.reject(number, raw_phone, getattr(exc, "message", None) or str(exc))
            continue
        seen[row.phone] = number
        yield row


def _extra_cells(record: list[str], header: list) -> list[str]:
    return [cell for cell in record[len(header) :] if cell.strip()]


def _check_width(record: list[str], header: list) -> None:
    """A row with more values than the header has columns is malformed (a stray comma or
    an unquoted value): importing it would silently drop or shift data."""
    if _extra_cells(record, header):
        raise _RowRejected(
            f"The row has {len(record)} values but the header has {len(header)} columns; "
            "quote values that contain the separator."
        )


PHONE_CACHE_SIZE = 10_000


def _cached_phone(raw: str, cache: dict, region: str | None = None) -> str:
    """Normalises a raw phone, remembering recent answers (files repeat their formats)."""
    if raw not in cache:
        if len(cache) >= PHONE_CACHE_SIZE:
            cache.clear()  # bounded: a 500,000-row file must not keep every raw phone
        try:
            cache[raw] = normalize_phone(raw, region)
        except InvalidPhone as exc:
            cache[raw] = exc
    value = cache[raw]
    if isinstance(value, InvalidPhone):
        raise value
    return value


def _row(number: int, fields: dict[str, str], attributes: dict[str, str], phone: str):
    name = fields.get("name", "")
    if len(name) > MAX_NAME:
        raise _RowRejected(f"Name is longer than {MAX_NAME} characters.")
    tags = list(dict.fromkeys(t.strip() for t in _TAG_SEPARATORS.split(fields.get("tags", ""))))
    tags = [tag for tag in tags if tag]
    if any(len(tag) > MAX_TAG for tag in tags):
        raise _RowRejected(f"A tag is longer than {MAX_TAG} characters.")
    if len(tags) > MAX_TAGS:
        raise _RowRejected(f"At most {MAX_TAGS} tags per contact.")
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
