"""Examples of the campaign API shown in the OpenAPI document (and tried by `make fuzz`)."""

from drf_spectacular.utils import OpenApiExample

MESSAGES = [
    {"type": "text", "content": "{Hi|Hello} {{first_name|there}}, our Ramadan offers are live."},
    {
        "type": "image",
        "content": "https://example.com/offers/ramadan.jpg",
        "caption": "Up to 30% off",
    },
]

CREATE_REQUEST = OpenApiExample(
    "Create a campaign from a list and a segment",
    request_only=True,
    value={
        "name": "Ramadan offers",
        "channel_id": 1,
        "messages": MESSAGES,
        "list_ids": [1],
        "segment_ids": [1],
        "is_new_number": True,
        "send_window": {"start": "09:00", "end": "20:00"},
        "timezone": "Asia/Riyadh",
    },
)

CREATED = OpenApiExample(
    "A new draft campaign",
    response_only=True,
    status_codes=["201"],
    value={
        "id": 42,
        "name": "Ramadan offers",
        "status": "draft",
        "total_contacts": 120,
        "success_count": 0,
        "failed_count": 0,
        "campaign_day": 0,
        "messages_sent_today": 0,
        "is_new_number": True,
        "started_at": None,
        "completed_at": None,
        "progress_percentage": 0,
        "daily_limit": 20,
        "remaining_today": 20,
        "client_setting": {"id": 1, "name": "Business WhatsApp", "type": "whatsapp"},
        "campaign_contacts_count": 120,
        "sent_contacts_count": 0,
        "failed_contacts_count": 0,
        "pending_contacts_count": 120,
        "created_at": "2026-03-05T08:00:00.000000Z",
        "skipped_contacts_count": 0,
        "messages": [
            {"caption": "", "filename": "", **MESSAGES[0]},
            {"filename": "", **MESSAGES[1]},
        ],
        "send_window": {"start": "09:00", "end": "20:00"},
        "timezone": "Asia/Riyadh",
        "enrollment": {
            "requested": 131,
            "enrolled": 120,
            "duplicates": 8,
            "opted_out": 2,
            "incompatible": 1,
            "suppressed": 0,
            "open_window": 14,
            "warnings": [
                "Meta delivers free-form messages only within 24 hours of the contact's "
                "last message: 14 of 120 can receive this."
            ],
        },
        "estimated_completion_date": "2026-03-12",
    },
)

TEST_SEND_REQUEST = OpenApiExample(
    "Send the sequence to my own phone",
    request_only=True,
    value={"phone": "0551112234"},
)

TEST_SEND_RESULT = OpenApiExample(
    "The first message accepted, the second refused",
    response_only=True,
    value={
        "recipient": "+966551112234",
        "contact_id": 7,
        "messages": [
            {
                "position": 1,
                "accepted": True,
                "provider_message_id": "wamid.HBgMOTY2NTUxMTEyMjM0",
                "error": "",
            },
            {
                "position": 2,
                "accepted": False,
                "provider_message_id": "",
                "error": "The media URL could not be fetched (permanent)",
            },
        ],
    },
)
