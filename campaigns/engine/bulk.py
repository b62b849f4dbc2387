"""PostgreSQL set-based writes for the recorder: one constant statement per flush, the rows
passed as arrays (`unnest`), so neither Django nor psycopg re-plans per row."""

from django.db import connection

from campaigns.models import CampaignContact, Delivery


def update_sending_rows(rows: list[tuple]) -> set[int]:
    """Applies (id, status, error, sent_at, provider_message_id, delivery_status,
    next_attempt_at) to rows still `sending`; returns the ids applied."""
    table = CampaignContact._meta.db_table
    sql = f"""
        UPDATE {table} AS cc SET
            status = v.status, error = v.error, sent_at = v.sent_at,
            provider_message_id = v.provider_message_id, delivery_status = v.delivery_status,
            next_attempt_at = v.next_attempt_at,
            claimed_at = CASE WHEN v.status = 'pending' THEN NULL ELSE cc.claimed_at END
        FROM unnest(%s::bigint[], %s::varchar[], %s::text[], %s::timestamptz[], %s::varchar[],
                    %s::varchar[], %s::timestamptz[])
             AS v(id, status, error, sent_at, provider_message_id, delivery_status,
                  next_attempt_at)
        WHERE cc.id = v.id AND cc.status = 'sending'
        RETURNING cc.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        return {row[0] for row in cursor.fetchall()}


DELIVERY_COLUMNS = (
    "campaign_contact_id",
    "position",
    "type",
    "body",
    "caption",
    "status",
    "provider_message_id",
    "error",
    "sent_at",
)
DELIVERY_TYPES = (
    "bigint",
    "smallint",
    "varchar",
    "text",
    "text",
    "varchar",
    "varchar",
    "text",
    "timestamptz",
)


def upsert_deliveries(deliveries: list[Delivery]) -> None:
    """Inserts the rendered messages; a retried position overwrites its failed row."""
    if not deliveries:
        return
    table = Delivery._meta.db_table
    columns = ", ".join(DELIVERY_COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for kind in DELIVERY_TYPES)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in DELIVERY_COLUMNS[2:])
    sql = f"""
        INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})
        ON CONFLICT (campaign_contact_id, position) DO UPDATE SET {updates}
    """
    params = [[getattr(d, column) for d in deliveries] for column in DELIVERY_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
