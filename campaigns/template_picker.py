"""The message editor's template picker: the approved templates of a WhatsApp Cloud API
channel (from the cached listing, channels.connection) and one input per `{{n}}` body
variable of the chosen one.

A row's choice travels as `message_template` ("name|language"); its parameters as
`message_param` inputs, with `message_param_count` saying how many belong to the row, so
rows can be reordered in the browser and still be read back in order.
"""

from channels.connection import channel_templates
from channels.transports import TRANSPORTS, TransportError
from skylight.domain import Invalid

APPROVED = "APPROVED"


def approved_templates(channel) -> tuple[list[dict], str]:
    """(approved templates of the channel, a note in words when there are none)."""
    if channel is None:
        return [], "Pick the channel first: templates come from its WhatsApp Business Account."
    transport = TRANSPORTS.get(channel.provider)
    if transport is None or not transport.supports_templates:
        return [], "Templates need a WhatsApp Cloud API channel."
    if not channel.config.get("waba_id"):
        return [], (
            "Set the channel's WhatsApp Business Account ID (waba_id) to choose from its "
            "approved templates."
        )
    try:
        templates = channel_templates(channel=channel)
    except (TransportError, Invalid) as exc:
        return [], f"Meta did not list the templates: {exc}"
    approved = [t for t in templates if str(t.get("status", "")).upper() == APPROVED]
    if not approved:
        return [], "The business has no approved template yet (WhatsApp Manager → Templates)."
    return approved, ""


def value_of(name: str, language: str) -> str:
    return f"{name}|{language}" if name else ""


def split_value(value: str) -> tuple[str, str]:
    name, _, language = (value or "").partition("|")
    return name.strip(), language.strip()


def picker(channel, selected: str = "", parameters=()) -> dict:
    """What the row's picker shows: the choices, the chosen one's body and its inputs."""
    templates, note = approved_templates(channel)
    choices = [
        {
            "value": value_of(t["name"], t["language"]),
            "label": f"{t['name']} ({t['language']})",
            "template": t,
        }
        for t in templates
    ]
    chosen = next((c["template"] for c in choices if c["value"] == selected), None)
    parameters = list(parameters)
    if chosen is not None:
        numbers = chosen.get("variables") or []
    else:
        numbers = list(range(1, len(parameters) + 1))
    params = [
        {"n": n, "value": parameters[index] if index < len(parameters) else ""}
        for index, n in enumerate(numbers)
    ]
    return {
        "channel_id": channel.pk if channel is not None else "",
        "choices": choices,
        "selected": selected,
        "missing": bool(selected) and chosen is None,
        "body": chosen.get("body", "") if chosen else "",
        "params": params,
        "note": note,
    }
