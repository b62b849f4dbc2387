"""`GET /contacts` filters: search, tag, type, list_id, opted_out."""

import pytest

from tests.factories import make_contact, make_list, tagged_contact

URL = "/api/v1/contacts"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["data"]}


def test_search_matches_a_name_case_insensitively(api, alice):
    sara = make_contact(alice, name="Sara Ahmed")
    make_contact(alice, name="Omar")
    assert ids(api.get(URL, {"search": "sara"})) == {sara.id}


def test_search_matches_part_of_a_phone_written_with_spaces(api, alice):
    sara = make_contact(alice, phone="+966501234567")
    make_contact(alice, phone="+966509999999")
    assert ids(api.get(URL, {"search": "123 45"})) == {sara.id}


def test_tag_keeps_contacts_with_that_tag_once(api, alice):
    vip = tagged_contact(alice, "vip", "gold")
    tagged_contact(alice, "gold")
    assert ids(api.get(URL, {"tag": "vip"})) == {vip.id}
    assert api.get(URL, {"tag": "gold"}).json()["meta"]["total"] == 2


def test_type_keeps_that_channel_type(api, alice):
    sms = make_contact(alice, type="sms")
    make_contact(alice, type="whatsapp")
    assert ids(api.get(URL, {"type": "sms"})) == {sms.id}


def test_an_unknown_type_is_422(api):
    response = api.get(URL, {"type": "fax"})
    assert response.status_code == 422
    assert "type" in response.json()["errors"]


def test_list_id_keeps_members_of_that_list(api, alice, bob):
    member = make_contact(alice)
    make_contact(alice)
    contact_list = make_list(alice, [member])
    assert ids(api.get(URL, {"list_id": contact_list.id})) == {member.id}


def test_another_accounts_list_id_finds_nothing(api, alice, bob):
    foreign = make_list(bob, [make_contact(bob)])
    make_contact(alice)
    assert ids(api.get(URL, {"list_id": foreign.id})) == set()


@pytest.mark.parametrize("bad", ["abc", "0", "99999999999999999999999"])
def test_a_malformed_list_id_is_422(api, bad):
    response = api.get(URL, {"list_id": bad})
    assert response.status_code == 422


def test_opted_out_filters_both_ways(api, alice):
    out = make_contact(alice, opted_out=True)
    stays = make_contact(alice)
    assert ids(api.get(URL, {"opted_out": "true"})) == {out.id}
    assert ids(api.get(URL, {"opted_out": "false"})) == {stays.id}


def test_filters_combine(api, alice):
    target = tagged_contact(alice, "vip", name="Sara", type="sms")
    tagged_contact(alice, "vip", name="Sara", type="whatsapp")
    tagged_contact(alice, "other", name="Sara", type="sms")
    assert ids(api.get(URL, {"tag": "vip", "type": "sms", "search": "sar"})) == {target.id}


def test_search_without_digits_does_not_match_every_phone(api, alice):
    make_contact(alice, name="Omar", phone="+966501234567")
    assert ids(api.get(URL, {"search": "+"})) == set()
