"""Trigram indexes for contact search by name or phone digits (PostgreSQL only).

The search filter (contacts/filters.py) matches `UPPER(name::text) LIKE UPPER('%…%')`
and `phone::text LIKE '%…%'`, which no b-tree can answer; pg_trgm GIN indexes on those
very expressions can. Built CONCURRENTLY so a large table keeps taking writes. SQLite
keeps scanning, which is fine at its scale.
"""

from django.db import migrations

INDEXES = {
    "contact_name_trgm": "UPPER((name)::text) gin_trgm_ops",
    "contact_phone_trgm": "((phone)::text) gin_trgm_ops",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
            f"ON contacts_contact USING gin ({expression})"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("contacts", "0002_list_members_count"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
