"""What one contact may carry: shared by the API, the CSV import, the services and segments."""

from skylight.domain import Invalid
from skylight.text import unstorable_text

MAX_NAME = 255
MAX_TAG = 64
MAX_TAGS = 50
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_VALUE = 1000
# SQLite cannot look up JSON keys containing these.
FORBIDDEN_KEY_CHARS = frozenset('"\\\x00')


def attribute_problem(key, value) -> str | None:
    """Why one attribute is not allowed, or None."""
    bad_key = not isinstance(key, str) or not key or len(key) > MAX_ATTRIBUTE_KEY
    if bad_key or FORBIDDEN_KEY_CHARS & set(key):
        return (
            f"Attribute names have 1 to {MAX_ATTRIBUTE_KEY} characters, "
            "without quotes or backslashes."
        )
    if unstorable_text(key):
        return f"Attribute names: {unstorable_text(key)}"
    if value is not None and not isinstance(value, str | int | float | bool):
        return f"Attribute {key!r} must be a string, number, boolean or null."
    if isinstance(value, str) and (len(value) > MAX_ATTRIBUTE_VALUE or "\x00" in value):
        return f"Attribute {key!r} has at most {MAX_ATTRIBUTE_VALUE} characters."
    if isinstance(value, str) and unstorable_text(value):
        return f"Attribute {key!r}: {unstorable_text(value)}"
    return None


def attributes_problem(attributes) -> str | None:
    if not isinstance(attributes, dict):
        return "Expected an object of key/value pairs."
    if len(attributes) > MAX_ATTRIBUTES:
        return f"At most {MAX_ATTRIBUTES} attributes are allowed."
    for key, value in attributes.items():
        problem = attribute_problem(key, value)
        if problem:
            return problem
    return None


def tags_problem(tags) -> str | None:
    if len(tags) > MAX_TAGS:
        return f"At most {MAX_TAGS} tags per contact."
    if any(not tag or len(tag) > MAX_TAG for tag in tags):
        return f"Tags have 1 to {MAX_TAG} characters."
    return None


def check_contact_fields(*, name=None, tags=None, attributes=None) -> None:
    """Raises `Invalid` naming each field that breaks a limit."""
    errors = {}
    if name is not None and len(name) > MAX_NAME:
        errors["name"] = [f"At most {MAX_NAME} characters."]
    if tags is not None and (problem := tags_problem(list(tags))):
        errors["tags"] = [problem]
    if attributes is not None and (problem := attributes_problem(attributes)):
        errors["attributes"] = [problem]
    if errors:
        raise Invalid(errors)
