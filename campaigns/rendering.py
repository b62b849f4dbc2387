"""Per-contact message rendering: placeholders and spintax.

Placeholders: `{{name}}`, `{{first_name}}`, `{{phone}}`, `{{attributes.KEY}}`, each with an
optional default after a bar (`{{name|there}}`) used when the value is empty. Unknown
placeholders are left as written, so a typo shows instead of vanishing silently.

Spintax: `{Hi|Hello}` picks one option (nesting allowed, a brace group without a bar is
literal text). The choice is seeded by campaign, contact and message position, so a retry
renders exactly the same text.
"""

import random
import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*(?:\|([^{}]*?))?\s*\}\}")
SPIN_GROUP = re.compile(r"\{([^{}]*\|[^{}]*)\}")
_TOKEN = "\x00{}\x00"
_TOKEN_RE = re.compile(r"\x00(\d+)\x00")


@dataclass(frozen=True)
class Recipient:
    """What a template may refer to about one contact."""

    name: str
    phone: str
    attributes: dict


def placeholder_value(recipient: Recipient, key: str) -> str | None:
    """The value a placeholder names, "" when empty, None when the name is unknown."""
    if key == "name":
        return recipient.name or ""
    if key == "first_name":
        parts = (recipient.name or "").split()
        return parts[0] if parts else ""
    if key == "phone":
        return recipient.phone or ""
    if key.startswith("attributes."):
        value = (recipient.attributes or {}).get(key.removeprefix("attributes."))
        return "" if value is None else str(value)
    return None


def spin(text: str, rng: random.Random) -> str:
    """Resolves spintax groups innermost first."""
    while True:
        replaced = SPIN_GROUP.sub(lambda match: rng.choice(match.group(1).split("|")), text)
        if replaced == text:
            return replaced
        text = replaced


def render(template: str, recipient: Recipient, seed: str) -> str:
    """Renders one template for one recipient; `seed` fixes the spintax choices."""
    if not template:
        return ""
    placeholders: list[str] = []

    def protect(match: re.Match) -> str:
        value = placeholder_value(recipient, match.group(1))
        if value is None:
            value = match.group(0)
        elif not value and match.group(2) is not None:
            value = match.group(2).strip()
        placeholders.append(value)
        return _TOKEN.format(len(placeholders) - 1)

    # Placeholder values are user data: hide them from spintax, put them back last.
    protected = PLACEHOLDER.sub(protect, template)
    # Seeding a generator costs more than the rest: only text with spintax needs one.
    spun = spin(protected, random.Random(seed)) if SPIN_GROUP.search(protected) else protected
    return _TOKEN_RE.sub(lambda match: placeholders[int(match.group(1))], spun)


def render_seed(campaign_id: int, contact_id: int, position: int) -> str:
    return f"{campaign_id}:{contact_id}:{position}"
