"""A message template Meta paused, disabled or rejected stops the campaigns that use it.

Meta announces template status changes by webhook (`message_template_status_update`,
parsed by channels); a running campaign on that channel whose sequence has a template
message of that name (and language, when Meta names one) would only collect failures,
so it is paused by safety with the reason in words. A person resumes it after choosing
another template (the campaign page shows the reason).
"""

from campaigns.models import CampaignMessage, CampaignStatus, MessageType
from campaigns.services import campaigns_pause_for_safety

# Meta's words for a template that can no longer be sent (the enum grows: compare upper case).
UNUSABLE = {"PAUSED", "DISABLED", "REJECTED", "PENDING_DELETION", "DELETED"}
WORDS = {"PENDING_DELETION": "scheduled for deletion"}


def _language_key(language: str) -> str:
    return (language or "").strip().lower().replace("-", "_")


def campaigns_pause_for_template(
    *, channel, name: str, language: str, status: str, reason: str = ""
) -> list[int]:
    """Pauses by safety the running campaigns on `channel` that send template `name`
    (in `language`, when given) if `status` makes it unusable; returns their ids."""
    if status.upper() not in UNUSABLE:
        return []
    messages = CampaignMessage.objects.filter(
        campaign__channel=channel,
        campaign__status=CampaignStatus.RUNNING,
        type=MessageType.TEMPLATE,
        template_name=name,
    )
    wanted = _language_key(language)
    ids = sorted(
        {
            campaign_id
            for campaign_id, message_language in messages.values_list("campaign_id", "language")
            if not wanted or _language_key(message_language) == wanted
        }
    )
    if not ids:
        return []
    return campaigns_pause_for_safety(
        reason=pause_reason(name, language, status, reason), campaign_ids=ids
    )


def pause_reason(name: str, language: str, status: str, reason: str = "") -> str:
    word = WORDS.get(status.upper(), status.lower())
    which = f"“{name}” ({language})" if language else f"“{name}”"
    because = f": {reason}" if reason else ""
    return (
        f"Meta {word} the WhatsApp template {which}{because}. Messages using it cannot be "
        "sent; choose another approved template, then resume."
    )
