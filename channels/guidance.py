"""Where to find each provider setting, shown beside the channel form's fields.

Facts about the providers' consoles; see docs/api.md for the API side of channels.
"""

GUIDANCE: dict[str, dict] = {
    "whatsapp_cloud": {
        "intro": (
            "In Meta for Developers, open your app, then WhatsApp › API Setup. "
            "The webhook URL shown after connecting goes under WhatsApp › Configuration."
        ),
        "fields": {
            "phone_number_id": "WhatsApp › API Setup: “Phone number ID” under the sending "
            "number (digits, not the phone number itself).",
            "access_token": "A permanent token of a system user (Business settings › Users › "
            "System users › Generate new token, with whatsapp_business_messaging).",
            "app_secret": "App settings › Basic › App secret. Lets SkyLight check that "
            "webhooks really come from Meta.",
            "verify_token": "Any phrase you choose; type the same one in WhatsApp › "
            "Configuration › Verify token.",
        },
    },
    "telegram_bot": {
        "intro": (
            "Talk to @BotFather in Telegram: /newbot creates a bot and gives its token. "
            "A bot has no phone number; people must start a chat with it first."
        ),
        "fields": {
            "bot_token": "The token @BotFather sends, like 123456:ABC-DEF… (/token shows it "
            "again).",
            "webhook_secret": "Any 16+ letters, digits, _ or -; SkyLight checks Telegram "
            "sends it back with every update.",
        },
    },
    "twilio": {
        "intro": "In the Twilio Console, the Account Info box on the home page.",
        "fields": {
            "account_sid": "Console home › Account Info › Account SID (starts with AC).",
            "auth_token": "Console home › Account Info › Auth Token (click to show).",
            "from_number": "Phone Numbers › Manage › Active numbers, in +country format; "
            "or give a messaging service instead.",
            "messaging_service_sid": "Messaging › Services: the service's SID (starts with MG).",
        },
    },
    "webhook": {
        "intro": (
            "Your own HTTP gateway (for example a WAHA or Evolution API bridge): SkyLight "
            "POSTs each message to it, signed with the secret."
        ),
        "fields": {
            "url": "The gateway's endpoint that accepts SkyLight's POST, e.g. "
            "https://gateway.example.com/send.",
            "secret": "A shared secret of 16+ characters; the gateway checks the "
            "X-Skylight-Signature header (HMAC-SHA256 of the body) with it.",
        },
    },
    "console": {
        "intro": "For trying SkyLight out: messages are written to the server log, not sent.",
        "fields": {},
    },
}


def provider_intro(provider: str) -> str:
    return GUIDANCE.get(provider, {}).get("intro", "")


def field_help(provider: str, name: str) -> str:
    return GUIDANCE.get(provider, {}).get("fields", {}).get(name, "")


def asks_for_phone(channel_types) -> bool:
    """Telegram bots have no sending phone number; every other channel type may."""
    return tuple(channel_types) != ("telegram",)
