"""Examples of the contacts API shown in the OpenAPI document (and tried by `make fuzz`)."""

from drf_spectacular.utils import OpenApiExample

CONTACT = {
    "name": "Noura Al-Otaibi",
    "phone": "+966501234567",
    "type": "whatsapp",
    "tags": ["vip", "riyadh"],
    "attributes": {"city": "Riyadh", "orders": 3},
    "opted_out": False,
}

CONTACT_CREATE = [
    OpenApiExample("Create a contact", request_only=True, value=CONTACT),
    OpenApiExample(
        "The new contact",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 7,
            **CONTACT,
            "opted_out_at": None,
            "created_at": "2026-03-05T08:00:00.000000Z",
        },
    ),
]

RULES = {
    "match": "all",
    "conditions": [
        {"field": "tags", "op": "contains", "value": "vip"},
        {"field": "attributes.city", "op": "eq", "value": "Riyadh"},
        {"field": "created_at", "op": "after", "value": "2026-01-01"},
    ],
}

SEGMENT_CREATE = [
    OpenApiExample(
        "VIP customers in Riyadh", request_only=True, value={"name": "Riyadh VIPs", "rules": RULES}
    ),
    OpenApiExample(
        "The new segment",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 3,
            "name": "Riyadh VIPs",
            "rules": RULES,
            "created_at": "2026-03-05T08:00:00.000000Z",
        },
    ),
]
