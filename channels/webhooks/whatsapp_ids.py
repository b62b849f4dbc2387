"""WhatsApp addresses (JIDs) as the self-hosted gateways write them."""

# A person's chat: the number then @c.us (WAHA) or @s.whatsapp.net (Baileys-based
# gateways). Groups (@g.us), broadcasts and linked-device ids (@lid) are not phones.
PERSON_SUFFIXES = ("@c.us", "@s.whatsapp.net")


def phone_of_jid(jid) -> str:
    """ "+<digits>" for a person's chat id, "" for anything else."""
    if not isinstance(jid, str):
        return ""
    for suffix in PERSON_SUFFIXES:
        if jid.endswith(suffix):
            digits = jid[: -len(suffix)].split(":", 1)[0]  # drop a device suffix (…:12)
            return f"+{digits}" if digits.isdigit() else ""
    return ""
