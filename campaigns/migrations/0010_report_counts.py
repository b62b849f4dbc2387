"""The campaign report's counts, kept exact by PostgreSQL triggers (docs/architecture.md,
"The campaign report").

Statement-level triggers with transition tables on the contact rows and the deliveries
append, per statement, one signed row per report key the statement moved: old rows count
-1, new rows +1, and keys that net to zero write nothing (a claim, a follow-up's
schedule, a delivered_at stamp). Contact rows inserted are counted by a row trigger that
fires only for reached rows, so enrolling a million pending rows costs nothing.
Append-only, so two writers never wait on each other or deadlock here; the report sums
a campaign's rows and compacts them when they pile up. The keys are computed exactly as
`campaigns.reports.live_day_rows` and `live_steps` compute them;
tests/engine/test_report_counts.py compares the two after real runs.

- A reached contact (sent, failed, skipped) counts on the day of
  coalesce(sent_at, claimed_at) in its campaign's time zone; a change of time zone
  re-keys the campaign's rows (a row trigger that fires only when it changes). Only a
  draft's time zone changes (`campaign_update`), so no contact row of the campaign is
  being written meanwhile with the old one.
- Deliveries find their campaign through their contact row: they are deleted before
  it, as Django's collector and the services do.
- Existing campaigns are counted by the migration, after the triggers exist (creating
  them locks out writers until the migration commits, so nothing is missed or doubled).

SQLite has no statement triggers: the tables stay empty there and the report
aggregates the contact rows directly, which is fine at its scale.
"""

import django.db.models.deletion
from django.db import migrations, models

CONTACTS = "campaigns_campaigncontact"
DELIVERIES = "campaigns_delivery"
CAMPAIGNS = "campaigns_campaign"
DAYS = "campaigns_reportdaycount"
STEPS = "campaigns_reportstepcount"
REACHED = "('sent', 'failed', 'skipped')"
TIME_ZONE = "coalesce(nullif({}.timezone, ''), 'UTC')"
CONTACT_COLUMNS = "campaign_id, status, sent_at, claimed_at, delivery_status, replied_at, error"


def _inserted_contact() -> str:
    """The reached row a row-level insert trigger sees, as `_contacts` gives rows."""
    columns = ", ".join(f"NEW.{column} AS {column}" for column in CONTACT_COLUMNS.split(", "))
    return (
        f"SELECT {columns}, {TIME_ZONE.format('c')} AS tz, 1 AS sign "
        f"FROM {CAMPAIGNS} c WHERE c.id = NEW.campaign_id"
    )


def _contacts(source: str, sign: int, *, joined: bool = False) -> str:
    """Reached contact rows of `source` (aliased t) with their time zone `tz` and `sign`.

    In a trigger each row looks its campaign up by primary key: a trigger's statements
    have no parameters, so PL/pgSQL plans them once per connection, for the size of the
    first transition table it sees. Joined, a session whose first statement touched
    50,000 rows kept a hash join over every campaign for its one-row statements after.
    The backfill, over whole tables, joins.
    """
    columns = ", ".join(f"t.{column}" for column in CONTACT_COLUMNS.split(", "))
    if joined:
        return (
            f"SELECT {columns}, {TIME_ZONE.format('c')} AS tz, {sign} AS sign "
            f"FROM {source} t JOIN {CAMPAIGNS} c ON c.id = t.campaign_id "
            f"WHERE t.status IN {REACHED}"
        )
    zone = f"(SELECT {TIME_ZONE.format('c')} FROM {CAMPAIGNS} c WHERE c.id = t.campaign_id)"
    return (
        f"SELECT {columns}, {zone} AS tz, {sign} AS sign "
        f"FROM {source} t WHERE t.status IN {REACHED}"
    )


def _count_days(rows: str) -> str:
    """Appends the signed counts of `rows` by the report's day key (campaigns/reports.py:
    the day, the outcome, the failure's reason and HTTP code as the engine words them)."""
    return f"""
    INSERT INTO {DAYS}
        (campaign_id, day, status, delivery_status, replied, opted_out, reason, code, n)
    SELECT r.campaign_id,
        (coalesce(r.sent_at, r.claimed_at) AT TIME ZONE r.tz)::date,
        r.status,
        r.delivery_status,
        CASE WHEN r.replied_at IS NULL THEN 0 ELSE 1 END,
        CASE WHEN r.status = 'skipped' AND r.error = 'Contact opted out before sending.'
             THEN 1 ELSE 0 END,
        CASE WHEN r.status <> 'failed' THEN ''
             WHEN starts_with(r.error, 'outcome unknown: the worker stopped')
             THEN 'worker_stopped'
             WHEN starts_with(r.error, 'outcome unknown: ') THEN 'outcome_unknown'
             WHEN starts_with(r.error, 'rejected: ') THEN 'rejected'
             WHEN starts_with(r.error, 'not accepted after') THEN 'not_accepted'
             ELSE 'other' END,
        CASE WHEN r.status = 'failed' AND strpos(r.error, 'HTTP ') > 0
             THEN substr(r.error, strpos(r.error, 'HTTP ') + 5, 3) ELSE '' END,
        sum(r.sign)
    FROM ({rows}) r
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(r.sign) <> 0;
    """


def _deliveries(source: str, sign: int) -> str:
    return (
        f"SELECT campaign_contact_id, position, sent_at IS NOT NULL AS sent, status, "
        f"{sign} AS sign FROM {source}"
    )


def _count_steps(rows: str, *, joined: bool = False) -> str:
    """Appends the signed counts of deliveries `rows` by (campaign, position, sent, status).

    The campaign comes from the delivery's contact row, looked up by primary key in a
    trigger (a plan made once per connection must suit one row and a million alike:
    see `_contacts`), joined in the backfill."""
    if joined:
        source = (
            f"SELECT cc.campaign_id, d.* FROM ({rows}) d "
            f"JOIN {CONTACTS} cc ON cc.id = d.campaign_contact_id"
        )
    else:
        campaign = f"(SELECT cc.campaign_id FROM {CONTACTS} cc WHERE cc.id = d.campaign_contact_id)"
        source = f"SELECT {campaign} AS campaign_id, d.* FROM ({rows}) d"
    return f"""
    INSERT INTO {STEPS} (campaign_id, position, sent, status, n)
    SELECT s.campaign_id, s.position, s.sent, s.status, sum(s.sign)
    FROM ({source}) s
    WHERE s.campaign_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    HAVING sum(s.sign) <> 0;
    """


def _function(name: str, body: str) -> str:
    # No JIT: a plan made once per connection is costed for a guessed transition table
    # size, which can be large enough to compile every one-row statement's trigger
    # (about 300 ms each, measured) when it needs no compiling.
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    {body}
    RETURN NULL;
END $$;
"""


def _statement_function(name: str, inserted: str, deleted: str, updated: str) -> str:
    return _function(
        name,
        f"""IF TG_OP = 'INSERT' THEN {inserted}
    ELSIF TG_OP = 'DELETE' THEN {deleted}
    ELSE {updated}
    END IF;""",
    )


# Enrolment inserts a million pending rows in one statement: a transition table would
# copy them all for nothing, so inserts are counted by a row trigger whose WHEN skips
# the rows that do not count (only fixtures insert rows already reached).
DAYS_INSERTED_FUNCTION = _function(
    "campaigns_report_days_inserted", _count_days(_inserted_contact())
)
DAYS_FUNCTION = _statement_function(
    "campaigns_report_days",
    "NULL;",  # see campaigns_report_days_inserted
    _count_days(_contacts("old_rows", -1)),
    _count_days(f"{_contacts('old_rows', -1)} UNION ALL {_contacts('new_rows', 1)}"),
)
STEPS_FUNCTION = _statement_function(
    "campaigns_report_steps",
    _count_steps(_deliveries("new_rows", 1)),
    _count_steps(_deliveries("old_rows", -1)),
    _count_steps(f"{_deliveries('old_rows', -1)} UNION ALL {_deliveries('new_rows', 1)}"),
)


def _retimed(sign: int, zone: str) -> str:
    columns = ", ".join(f"t.{column}" for column in CONTACT_COLUMNS.split(", "))
    return (
        f"SELECT {columns}, {TIME_ZONE.format(zone)} AS tz, {sign} AS sign "
        f"FROM {CONTACTS} t WHERE t.campaign_id = NEW.id AND t.status IN {REACHED}"
    )


RETIME_FUNCTION = _function(
    "campaigns_report_days_retime",
    _count_days(f"{_retimed(-1, 'OLD')} UNION ALL {_retimed(1, 'NEW')}"),
)


def _statement_triggers(prefix: str, table: str, function: str, inserts=True) -> list[str]:
    inserted = (
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
    return [
        *([inserted] if inserts else []),
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


TRIGGERS = [
    f"CREATE TRIGGER campaigns_report_days_insert AFTER INSERT ON {CONTACTS} "
    f"FOR EACH ROW WHEN (NEW.status IN {REACHED}) "
    "EXECUTE FUNCTION campaigns_report_days_inserted()",
    *_statement_triggers("campaigns_report_days", CONTACTS, "campaigns_report_days", inserts=False),
    *_statement_triggers("campaigns_report_steps", DELIVERIES, "campaigns_report_steps"),
    f"CREATE TRIGGER campaigns_report_days_retime AFTER UPDATE OF timezone ON {CAMPAIGNS} "
    "FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) "
    "EXECUTE FUNCTION campaigns_report_days_retime()",
]
# Django's collector leaves these rows alone (DO_NOTHING): the database drops them with
# their campaign, whichever order a transaction deletes things in.
CASCADES = [
    f"ALTER TABLE {table} ADD CONSTRAINT {table}_campaign_cascade FOREIGN KEY (campaign_id) "
    f"REFERENCES {CAMPAIGNS} (id) ON DELETE CASCADE"
    for table in (DAYS, STEPS)
]
BACKFILL = [
    _count_days(_contacts(CONTACTS, 1, joined=True)),
    _count_steps(_deliveries(DELIVERIES, 1), joined=True),
]
TRIGGER_NAMES = [
    *(f"campaigns_report_{kind}_{op} ON {table}"
      for kind, table in (("days", CONTACTS), ("steps", DELIVERIES))
      for op in ("insert", "delete", "update")),
    f"campaigns_report_days_retime ON {CAMPAIGNS}",
]  # fmt: skip
FUNCTIONS = [
    "campaigns_report_days",
    "campaigns_report_days_inserted",
    "campaigns_report_steps",
    "campaigns_report_days_retime",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the report aggregates the contact rows directly (see the docstring)
    functions = [DAYS_FUNCTION, DAYS_INSERTED_FUNCTION, STEPS_FUNCTION, RETIME_FUNCTION]
    for statement in [*functions, *TRIGGERS, *CASCADES]:
        schema_editor.execute(statement)
    for statement in BACKFILL:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for function in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0009_channel_attempts"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportDayCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(null=True)),
                ("status", models.CharField(max_length=16)),
                ("delivery_status", models.CharField(max_length=16)),
                ("replied", models.SmallIntegerField()),
                ("opted_out", models.SmallIntegerField()),
                ("reason", models.CharField(max_length=16)),
                ("code", models.CharField(max_length=3)),
                ("n", models.IntegerField()),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ReportStepCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("sent", models.BooleanField()),
                ("status", models.CharField(max_length=16)),
                ("n", models.IntegerField()),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
