import pytest

from contacts.phones import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+966501234567", "+966501234567"),
        ("+966 50 123 4567", "+966501234567"),
        ("966501234567", "+966501234567"),
        ("00966501234567", "+966501234567"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("  +44 7911 123456 ", "+447911123456"),
    ],
)
def test_it_normalises_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_it_reads_national_numbers_in_the_default_region():
    assert normalize_phone("050 123 4567", default_region="SA") == "+966501234567"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Enter a phone number"),
        ("hello", "is not a phone number"),
        ("+96650", "not a valid phone number"),
        ("+9665012345678901", "not a valid phone number"),
        ("+1" + "2" * 40, "at most 32 characters"),
        (966501234567, "as a string"),
    ],
)
def test_it_refuses_what_is_not_a_valid_number(raw, reason):
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw)
    assert reason in caught.value.message
