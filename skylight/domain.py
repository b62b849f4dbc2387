"""Domain errors: what a service says when it refuses, independent of who asked.

Services raise these; each face translates them once: the API's exception handler
(`skylight/api/exceptions.py`) into the envelope and a status code, the dashboard
(`skylight/page_utils.py`) into form errors and messages, the admin into messages.
See docs/architecture.md, "Errors".

`Invalid` is also a Django `ValidationError`, so a domain check called while a
serializer or form validates a field (a phone number, segment rules) reports under
that field without any translation.
"""

from django.core.exceptions import ValidationError as DjangoValidationError

Errors = dict[str, list[str]]


class DomainError(Exception):
    """Base of the errors services raise; `message` is a sentence for a person."""

    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class Conflict(DomainError):
    """The action is not allowed in the object's current state."""

    default_message = "This action is not allowed in the object's current state."


class QuotaExceeded(DomainError):
    """The account's plan allows no more of this in the current period."""

    default_message = "Your plan's quota is used up for this period."


class NotFound(DomainError):
    """The object does not exist, or belongs to another account."""

    default_message = "Not found."


class Invalid(DomainError, DjangoValidationError):
    """Input that breaks a rule; `errors` is `{field: [messages]}` (dotted for nesting).

    Built from a message, a list of messages or a (possibly nested) dict of them.
    """

    default_message = "The given data was invalid."

    def __init__(self, errors: dict | list | str):
        self.errors: Errors = flatten_errors(errors)
        self.message = self.default_message
        if isinstance(errors, dict):
            DjangoValidationError.__init__(self, {k: list(v) for k, v in self.errors.items()})
        else:
            DjangoValidationError.__init__(self, list(_leaves(errors)) or [self.message])
            if isinstance(errors, str):
                self.message = errors

    def __str__(self) -> str:
        return " ".join(error_messages(self.errors))


def flatten_errors(detail) -> Errors:
    """Nested error detail as `{field: [messages]}`; nested fields use dotted paths.

    A bare message or list of messages lands under `non_field_errors`.
    """
    if not isinstance(detail, dict):
        return {"non_field_errors": [str(item) for item in _leaves(detail)]}
    flat: Errors = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in flatten_errors(value).items():
                flat[f"{field}.{sub}"] = messages
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                if isinstance(item, dict) and item:
                    for sub, messages in flatten_errors(item).items():
                        flat[f"{field}.{index}.{sub}"] = messages
                elif item and not isinstance(item, dict):
                    flat.setdefault(field, []).append(str(item))
        else:
            flat[field] = [str(item) for item in _leaves(value)]
    return flat


def error_messages(errors: Errors) -> list[str]:
    """`field: message` lines of flat errors (bare messages for non-field errors)."""
    return [
        message if field in ("non_field_errors", "__all__", "detail") else f"{field}: {message}"
        for field, messages in errors.items()
        for message in messages
    ]


def _leaves(value):
    if isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value
