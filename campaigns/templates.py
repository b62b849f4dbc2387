"""WhatsApp template messages: parameters rendered per contact, kept on the delivery.

The delivery's `body` stores the rendered template as JSON (name, language, parameters),
so what was sent can be read back, and a retry sends exactly the same values.
"""

import json

from campaigns.models import CampaignMessage
from campaigns.rendering import Recipient, render
from channels.transports import OutboundMessage


def template_body(message: CampaignMessage, recipient: Recipient, seed: str) -> str:
    """The template with each parameter rendered for `recipient`, as the delivery's body."""
    parameters = [
        render(str(value), recipient, f"{seed}:p{index}")
        for index, value in enumerate(message.parameters or [])
    ]
    rendered = {
        "template": message.template_name,
        "language": message.language,
        "parameters": parameters,
    }
    return json.dumps(rendered, ensure_ascii=False)


def template_outbound(body: str) -> OutboundMessage:
    rendered = json.loads(body)
    return OutboundMessage(
        type="template",
        content="",
        template_name=rendered["template"],
        language=rendered["language"],
        parameters=tuple(rendered["parameters"]),
    )
