"""Writing checked import rows: PostgreSQL streams them with COPY and upserts in SQL;
other databases upsert in batches through the ORM. Both give the same result:

- a new phone creates a contact; an existing one (same account, type, phone) keeps
  its name when the row's is blank, merges attributes (the row's keys win), gains
  the row's tags and never changes its opt-out state;
- every imported contact joins `contact_list` when one is given.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import connection
from django.utils import timezone

from contacts.models import Contact, ListMembership, Tag
from contacts.services import lists_lock, tags_ensure

BATCH_SIZE = 2000


@dataclass
class ImportRow:
    """One checked CSV row: a normalised phone and what to write with it."""

    number: int
    phone: str
    name: str
    tags: list[str]
    attributes: dict[str, str]


def write_rows(*, account, contact_type: str, contact_list, rows: Iterator[ImportRow]):
    """Writes all rows (inside the caller's transaction); returns (created, updated)."""
    if contact_list is not None:
        lists_lock([contact_list.pk])  # before any contact row: the order deletes use too
    if connection.vendor == "postgresql":
        return _PostgresWriter(account, contact_type, contact_list).write(rows)
    created = updated = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        new, old = _write_batch_orm(account, contact_type, contact_list, batch)
        created, updated = created + new, updated + old
    return created, updated


# --- any database: batched ORM upserts ---------------------------------------------


def _write_batch_orm(account, contact_type: str, contact_list, batch: list[ImportRow]):
    same_phone = Contact.objects.filter(
        account=account, type=contact_type, phone__in=[row.phone for row in batch]
    )
    existing = {
        phone: (name, attributes)
        for phone, name, attributes in same_phone.values_list("phone", "name", "attributes")
    }
    contacts = []
    for row in sorted(batch, key=lambda row: row.phone):
        old_name, old_attributes = existing.get(row.phone, ("", {}))
        contacts.append(
            Contact(
                account=account,
                type=contact_type,
                phone=row.phone,
                name=row.name or old_name,
                attributes={**old_attributes, **row.attributes},
            )
        )
    Contact.objects.bulk_create(
        contacts,
        update_conflicts=True,
        unique_fields=["account", "type", "phone"],
        update_fields=["name", "attributes", "updated_at"],
    )
    ids = dict(same_phone.values_list("phone", "pk"))
    _link_tags_orm(account, batch, ids)
    if contact_list is not None:
        ListMembership.objects.bulk_create(
            [ListMembership(contact_list=contact_list, contact_id=pk) for pk in ids.values()],
            ignore_conflicts=True,
        )
    return len(batch) - len(existing), len(existing)


def _link_tags_orm(account, batch: list[ImportRow], ids: dict[str, int]) -> None:
    tag_ids = tags_ensure(account=account, names=(tag for row in batch for tag in row.tags))
    if not tag_ids:
        return
    through = Contact.tags.through
    through.objects.bulk_create(
        [
            through(contact_id=ids[row.phone], tag_id=tag_ids[tag])
            for row in batch
            for tag in row.tags
        ],
        ignore_conflicts=True,
    )


# --- PostgreSQL: COPY into a temporary table, then a few set-based statements -------

_STAGE = "contact_import_rows"


class _PostgresWriter:
    def __init__(self, account, contact_type: str, contact_list):
        self.params = {
            "account": account.pk,
            "type": contact_type,
            "list": getattr(contact_list, "pk", None),
            "now": timezone.now(),
        }
        self.tables = {
            "contact": Contact._meta.db_table,
            "tag": Tag._meta.db_table,
            "contact_tag": Contact.tags.through._meta.db_table,
            "member": ListMembership._meta.db_table,
            "stage": _STAGE,
        }

    def write(self, rows: Iterable[ImportRow]) -> tuple[int, int]:
        with connection.cursor() as cursor:
            self._sql(cursor, f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")
            self._sql(
                cursor,
                "CREATE TEMPORARY TABLE {stage} "
                "(phone text PRIMARY KEY, name text, attributes jsonb, tags text[]) "
                "ON COMMIT DROP",
            )
            self._copy(cursor, rows)
            self._create_tags(cursor)
            self._sql(cursor, self._upsert_statement())
            created, updated = cursor.fetchone()
            self._sql(cursor, "DROP TABLE {stage}")
        return created, updated

    def _sql(self, cursor, statement: str) -> None:
        cursor.execute(statement.format(**self.tables), self.params)

    def _copy(self, cursor, rows: Iterable[ImportRow]) -> None:
        with cursor.cursor.copy(
            f"COPY {_STAGE} (phone, name, attributes, tags) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((row.phone, row.name, json.dumps(row.attributes), row.tags))
        self._sql(cursor, "ANALYZE {stage}")

    def _create_tags(self, cursor) -> None:
        self._sql(
            cursor,
            """
            INSERT INTO {tag} (account_id, name)
            SELECT DISTINCT %(account)s, tag_name FROM {stage}, unnest(tags) AS tag_name
            ON CONFLICT DO NOTHING
            """,
        )

    def _upsert_statement(self) -> str:
        """One statement: upsert contacts, link their tags, add them to the list, count."""
        add_to_list = """
            , members AS (
                INSERT INTO {member} (contact_list_id, contact_id, added_at)
                SELECT %(list)s, id, %(now)s FROM upserted
                ON CONFLICT DO NOTHING
            )"""
        return f"""
            WITH upserted AS (
                INSERT INTO {{contact}} AS c
                    (account_id, type, phone, name, attributes, external_id, opted_out,
                     created_at, updated_at)
                SELECT %(account)s, %(type)s, phone, name, attributes, '', false,
                       %(now)s, %(now)s
                FROM {{stage}}
                ORDER BY phone  -- a fixed lock order: overlapping imports cannot deadlock
                ON CONFLICT (account_id, type, phone) DO UPDATE SET
                    name = CASE WHEN EXCLUDED.name = '' THEN c.name ELSE EXCLUDED.name END,
                    attributes = c.attributes || EXCLUDED.attributes,
                    updated_at = EXCLUDED.updated_at
                RETURNING id, phone, (xmax = 0) AS inserted
            ), links AS (
                INSERT INTO {{contact_tag}} (contact_id, tag_id)
                SELECT u.id, t.id
                FROM upserted u
                JOIN {{stage}} s ON s.phone = u.phone
                CROSS JOIN LATERAL unnest(s.tags) AS tag_name
                JOIN {{tag}} t ON t.account_id = %(account)s AND t.name = tag_name
                ON CONFLICT DO NOTHING
            ){add_to_list if self.params["list"] is not None else ""}
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
            FROM upserted
        """
