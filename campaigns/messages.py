"""Checks on a message's templates shared by the API, the dashboard and the admin."""

from campaigns.models import MessageType
from campaigns.rendering import template_problems


def template_errors(message_type: str, content: str, caption: str = "") -> dict[str, list[str]]:
    """{field: problems} for the parts of a message that are rendered as templates."""
    errors = {}
    if message_type == MessageType.TEXT and (problems := template_problems(content)):
        errors["content"] = problems
    if caption and (problems := template_problems(caption)):
        errors["caption"] = problems
    return errors
