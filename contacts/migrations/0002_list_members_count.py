"""ContactList.members_count, kept exact by triggers on the membership table.

Every writer of memberships (services, the CSV import's SQL, Django's cascades,
fixtures' bulk inserts) moves the counter in its own transaction, so the lists pages
never count memberships. PostgreSQL uses statement-level triggers with transition
tables (one UPDATE per statement, lists locked in id order so concurrent writers cannot
deadlock on them); SQLite uses row-level triggers (it has no others, and one writer).

Note for later migrations: SQLite rebuilds a table it cannot ALTER, dropping that
table's triggers; a migration that alters contacts_listmembership on SQLite must
create them again (tests/contacts/test_list_counts.py fails if they are missing).
"""

from django.db import migrations, models

MEMBERS = "contacts_listmembership"
LISTS = "contacts_contactlist"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION contacts_list_members_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM {LISTS} WHERE id IN (SELECT contact_list_id FROM old_rows)
            ORDER BY id FOR NO KEY UPDATE;
        UPDATE {LISTS} l SET members_count = l.members_count - d.n
        FROM (SELECT contact_list_id, count(*) AS n FROM old_rows GROUP BY 1) d
        WHERE l.id = d.contact_list_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM {LISTS} WHERE id IN (SELECT contact_list_id FROM new_rows)
            ORDER BY id FOR NO KEY UPDATE;
        UPDATE {LISTS} l SET members_count = l.members_count + d.n
        FROM (SELECT contact_list_id, count(*) AS n FROM new_rows GROUP BY 1) d
        WHERE l.id = d.contact_list_id;
    END IF;
    RETURN NULL;
END $$;
"""
POSTGRES_TRIGGERS = [
    f"CREATE TRIGGER contacts_list_members_count_insert AFTER INSERT ON {MEMBERS} "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_list_members_count()",
    f"CREATE TRIGGER contacts_list_members_count_delete AFTER DELETE ON {MEMBERS} "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_list_members_count()",
    f"CREATE TRIGGER contacts_list_members_count_update AFTER UPDATE ON {MEMBERS} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_list_members_count()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER contacts_list_members_count_insert AFTER INSERT ON {MEMBERS}
    BEGIN
        UPDATE {LISTS} SET members_count = members_count + 1 WHERE id = NEW.contact_list_id;
    END""",
    f"""CREATE TRIGGER contacts_list_members_count_delete AFTER DELETE ON {MEMBERS}
    BEGIN
        UPDATE {LISTS} SET members_count = members_count - 1 WHERE id = OLD.contact_list_id;
    END""",
    f"""CREATE TRIGGER contacts_list_members_count_update AFTER UPDATE OF contact_list_id
    ON {MEMBERS} BEGIN
        UPDATE {LISTS} SET members_count = members_count - 1 WHERE id = OLD.contact_list_id;
        UPDATE {LISTS} SET members_count = members_count + 1 WHERE id = NEW.contact_list_id;
    END""",
]
BACKFILL = f"""
UPDATE {LISTS} SET members_count = (
    SELECT count(*) FROM {MEMBERS} m WHERE m.contact_list_id = {LISTS}.id
)
"""
TRIGGER_NAMES = ("insert", "delete", "update")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [POSTGRES_FUNCTION, *POSTGRES_TRIGGERS]
    elif vendor == "sqlite":
        statements = SQLITE_TRIGGERS
    else:
        raise NotImplementedError(f"members_count triggers are written for {vendor!r}")
    # Triggers first: on PostgreSQL creating them locks out writers until the backfill
    # commits, so no membership is missed or counted twice.
    for statement in [*statements, BACKFILL]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for name in TRIGGER_NAMES:
        on = f" ON {MEMBERS}" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS contacts_list_members_count_{name}{on}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS contacts_list_members_count()")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactlist",
            name="members_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
