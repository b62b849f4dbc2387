"""Text that a database can store: no NUL characters, no unpaired UTF-16 surrogates.

JSON may carry both (`"\\u0000"`, `"\\ud800"`); PostgreSQL refuses them in text and
JSON columns, and a lone surrogate cannot even be encoded as UTF-8.
"""


def unstorable_text(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return "Must not contain NUL characters."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        return f"Must not contain unpaired surrogate characters (U+{code:04X})."
    return None
