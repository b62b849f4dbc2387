"""Helpers for the campaign API tests."""

TEXT = [{"type": "text", "content": "Hi {{name|there}}!"}]


def campaign_body(channel, **fields) -> dict:
    body = {"name": "Spring Promo 2026", "channel_id": channel.pk, "messages": TEXT}
    body.update(fields)
    return body
