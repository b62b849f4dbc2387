"""Phone numbers: validation and E.164 normalisation in one place (`phonenumbers`)."""

import re

import phonenumbers

from skylight.domain import Invalid

MAX_RAW_LENGTH = 32
# What normalize_phone returns, for the OpenAPI document (JavaScript regex syntax).
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
_INTERNATIONAL_DIGITS = re.compile(r"^(?:00)?([1-9]\d{6,14})$")
_SEPARATORS = re.compile(r"[\s().\-/]")
_E164_SHAPE = re.compile(r"\+([1-9]\d{6,14})")


class InvalidPhone(Invalid):
    """A phone number that cannot be read as a valid international number."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalize_phone(raw, default_region: str | None = None) -> str:
    """Returns `raw` as E.164 (`+966501234567`) or raises `InvalidPhone` saying why.

    Numbers without a leading `+` are read first as local numbers of `default_region`
    (an ISO 3166 alpha-2 code, the account's default country) when one is given, then
    as international numbers written without the `+` (or with a `00` prefix), which is
    how providers' webhooks and most spreadsheets write them.
    """
    if not isinstance(raw, str):
        raise InvalidPhone("Enter the phone number as a string, e.g. +966501234567.")
    text = raw.strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    if len(text) > MAX_RAW_LENGTH:
        raise InvalidPhone(f"A phone number has at most {MAX_RAW_LENGTH} characters.")
    if _is_valid_e164(text):
        return text
    region = (default_region or "").upper() or None
    if region and not text.startswith("+"):
        local = _parsed(text, region)
        if local is not None and phonenumbers.is_valid_number(local):
            return phonenumbers.format_number(local, phonenumbers.PhoneNumberFormat.E164)
    number = _parsed(_with_plus(text), None)
    if number is None:
        raise InvalidPhone(
            f"'{text}' is not a phone number; use the international format, e.g. +966501234567."
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"'{text}' is not a valid phone number for its country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parsed(text: str, region: str | None):
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _with_plus(text: str) -> str:
    if text.startswith("+"):
        return text
    match = _INTERNATIONAL_DIGITS.match(_SEPARATORS.sub("", text))
    return f"+{match.group(1)}" if match else text


def _is_valid_e164(text: str) -> bool:
    """Fast path for input already in E.164 (most imported rows): skips the full parser.

    Only ever answers True for a number `phonenumbers` validates; anything else
    (leading zeros, unknown codes, invalid numbers) goes through the full parser.
    """
    match = _E164_SHAPE.fullmatch(text)
    if match is None:
        return False
    digits = match.group(1)
    for size in (1, 2, 3):
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            if not national or national[0] == "0":
                return False
            number = phonenumbers.PhoneNumber(
                country_code=country_code, national_number=int(national)
            )
            return phonenumbers.is_valid_number(number)
    return False
