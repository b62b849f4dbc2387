"""The dashboard in Arabic: from the browser's Accept-Language or the user's choice."""

import pytest
from django.urls import reverse

from skylight.models import UserPreference
from tests.factories import make_contact


@pytest.mark.django_db
def test_an_arabic_browser_gets_the_arabic_right_to_left_dashboard(web):
    page = web.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "الحملات" in page and "تسجيل الخروج" in page
    english = web.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en" dir="ltr">' in english and ">Campaigns</a>" in english


@pytest.mark.django_db
def test_the_users_choice_wins_over_the_browser(web, alice_user):
    response = web.post(reverse("dashboard:account_language"), {"language": "ar"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=alice_user).language == "ar"
    page = web.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    web.post(reverse("dashboard:account_language"), {"language": ""})
    page = web.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en" dir="ltr">' in page


@pytest.mark.django_db
def test_user_content_gets_its_own_direction(web, alice):
    make_contact(alice, name="نورة السالم")
    page = web.get(reverse("dashboard:contacts")).content.decode()
    assert 'dir="auto">نورة السالم</a>' in page


@pytest.mark.django_db
def test_the_api_answers_in_english_whatever_the_browser(api):
    response = api.post("/api/v1/lists", {}, format="json", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 422
    assert response.json()["errors"]["name"] == ["This field is required."]


def _po_entries(path):
    """(flags, msgid, msgstrs) of each entry of a .po file (enough of the format for this)."""
    entries, flags, field, values = [], "", None, {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if values.get("msgid"):
                strs = [v for k, v in values.items() if k.startswith("msgstr")]
                entries.append((flags, values["msgid"], strs))
            flags, field, values = "", None, {}
        elif line.startswith("#,"):
            flags = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            values[field] += line.strip()[1:-1]
        else:
            field, _, text = line.partition(" ")
            values[field] = text.strip()[1:-1]
    return entries


def test_every_dashboard_string_has_its_arabic():
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale/ar/LC_MESSAGES/django.po"
    entries = _po_entries(po)
    assert len(entries) > 250
    untranslated = [msgid for _, msgid, strs in entries if not all(strs)]
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    assert (untranslated, fuzzy) == ([], [])


def test_the_safety_and_follow_up_words_read_in_arabic():
    from django.utils import translation

    with translation.override("ar"):
        assert translation.gettext("Sender safety") == "حماية المُرسِل"
        assert translation.gettext("Wait before this message (hours)").startswith("الانتظار")
