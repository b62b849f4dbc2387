"""`import_contacts_csv`: good and bad rows, updates of existing contacts, tags, lists."""

import pytest

from contacts.importing import MAX_ERRORS_LISTED, import_contacts_csv
from contacts.models import Contact, Tag
from skylight.domain import Invalid
from tests.contacts.helpers import csv_upload
from tests.factories import make_contact, make_list, tagged_contact


def run(account, text, **kwargs):
    return import_contacts_csv(account=account, file=csv_upload(text), **kwargs)


def test_it_creates_contacts_with_tags_and_attributes(alice):
    result = run(
        alice,
        "name,phone,tags,city,plan\n"
        "Sara,+966 50 111 1111,vip;riyadh,Riyadh,gold\n"
        "Omar,966502222222,riyadh|new,,\n",
    )
    assert (result.created, result.updated, result.rejected, result.errors) == (2, 0, 0, [])
    sara = Contact.objects.get(account=alice, phone="+966501111111")
    assert sara.name == "Sara" and sara.type == "whatsapp"
    assert sara.attributes == {"city": "Riyadh", "plan": "gold"}
    assert sorted(sara.tags.values_list("name", flat=True)) == ["riyadh", "vip"]
    omar = Contact.objects.get(account=alice, phone="+966502222222")
    assert omar.attributes == {}
    assert sorted(omar.tags.values_list("name", flat=True)) == ["new", "riyadh"]
    assert Tag.objects.filter(account=alice).count() == 3


def test_bad_rows_are_rejected_with_their_row_number_and_reason(alice):
    result = run(
        alice,
        "name,phone,tags\n"
        "Good,+966501111111,\n"
        "No phone,,\n"
        "Bad phone,12ab,\n"
        f"{'x' * 256},+966502222222,\n"
        f"Long tag,+966503333333,{'t' * 65}\n"
        "Twice,966501111111,\n",
    )
    assert (result.created, result.rejected) == (1, 5)
    assert [(e["row"], e["phone"]) for e in result.errors] == [
        (3, ""),
        (4, "12ab"),
        (5, "+966502222222"),
        (6, "+966503333333"),
        (7, "966501111111"),
    ]
    reasons = [e["reason"] for e in result.errors]
    assert "Enter a phone number" in reasons[0]
    assert "not a phone number" in reasons[1]
    assert "Name is longer" in reasons[2]
    assert "tag is longer" in reasons[3]
    assert "Same phone as row 2" in reasons[4]
    assert Contact.objects.count() == 1


def test_existing_contacts_are_updated_not_duplicated(alice):
    old = tagged_contact(
        alice, "old", name="Old name", phone="+966501111111", attributes={"a": "1", "b": "2"}
    )
    old.opted_out = True
    old.save()
    result = run(alice, "name,phone,tags,b,c\nNew name,+966501111111,new,20,30\n")
    assert (result.created, result.updated) == (0, 1)
    old.refresh_from_db()
    assert old.name == "New name"
    assert old.attributes == {"a": "1", "b": "20", "c": "30"}
    assert sorted(old.tags.values_list("name", flat=True)) == ["new", "old"]
    assert old.opted_out is True


def test_a_blank_name_keeps_the_existing_one(alice):
    contact = make_contact(alice, name="Sara", phone="+966501111111")
    run(alice, "phone,name\n+966501111111,\n")
    contact.refresh_from_db()
    assert contact.name == "Sara"


def test_the_same_phone_of_another_type_or_account_is_a_new_contact(alice, bob):
    make_contact(alice, phone="+966501111111", type="sms")
    make_contact(bob, phone="+966501111111", type="whatsapp")
    result = run(alice, "phone\n+966501111111\n")
    assert (result.created, result.updated) == (1, 0)


def test_it_imports_as_the_given_type_into_the_given_list(alice):
    contact_list = make_list(alice)
    result = run(
        alice, "phone\n+966501111111\n+966502222222\n", type="sms", contact_list=contact_list
    )
    assert result.created == 2
    assert set(contact_list.contacts.values_list("type", flat=True)) == {"sms"}
    assert contact_list.contacts.count() == 2


def test_headers_are_case_insensitive_and_semicolons_delimit(alice):
    result = run(alice, "\ufeffName;PHONE;Tags\nSara;+966501111111;a|b\n")
    assert result.created == 1
    contact = Contact.objects.get()
    assert contact.name == "Sara"
    assert sorted(contact.tags.values_list("name", flat=True)) == ["a", "b"]


def test_blank_lines_and_short_rows_are_tolerated(alice):
    result = run(alice, "phone,name,city\n\n+966501111111\n,,\n")
    assert (result.created, result.rejected) == (1, 0)


def test_the_error_list_is_capped_but_the_count_is_not(alice):
    rows = "".join("nope\n" for _ in range(MAX_ERRORS_LISTED + 5))
    result = run(alice, "phone\n" + rows)
    assert result.rejected == MAX_ERRORS_LISTED + 5
    assert len(result.errors) == MAX_ERRORS_LISTED


def test_it_works_across_batches(alice):
    rows = "".join(f"+9665{n:08d},tag{n % 3}\n" for n in range(1, 4502))
    result = run(alice, "phone,tags\n" + rows)
    assert result.created == 4501
    assert Contact.tags.through.objects.count() == 4501


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("name,city\nSara,Riyadh\n", "'phone' column"),
        ("phone," + ",".join(f"c{i}" for i in range(100)) + "\n", "At most 100 columns"),
        ("phone," + "k" * 65 + "\n", "Column names"),
    ],
)
def test_a_file_that_cannot_be_imported_raises_on_file(alice, text, says):
    with pytest.raises(Invalid) as caught:
        run(alice, text)
    assert says in str(caught.value.errors["file"][0])


def test_a_file_that_is_not_utf8_raises_on_file(alice):
    upload = csv_upload("")
    upload.write("phone,name\n+966501111111,Zoë\n".encode("latin-1"))
    upload.seek(0)
    with pytest.raises(Invalid) as caught:
        import_contacts_csv(account=alice, file=upload)
    assert "UTF-8" in str(caught.value.errors["file"][0])
    assert not Contact.objects.exists()


def test_an_unknown_type_raises_on_type(alice):
    with pytest.raises(Invalid) as caught:
        run(alice, "phone\n+966501111111\n", type="fax")
    assert "type" in caught.value.errors


def test_an_unreadable_row_stops_the_import_and_writes_nothing(alice):
    text = "phone,note\n+966501111111,ok\n+966502222222," + "x" * 200_000 + "\n"
    with pytest.raises(Invalid) as caught:
        run(alice, text)
    assert "Row 3 cannot be read" in str(caught.value.errors["file"][0])
    assert not Contact.objects.exists()


def test_too_many_rows_is_refused_and_writes_nothing(alice, monkeypatch):
    monkeypatch.setattr("contacts.importing.MAX_ROWS", 2)
    with pytest.raises(Invalid) as caught:
        run(alice, "phone\n+966501111111\n+966502222222\n+966503333333\n")
    assert "At most 2 rows" in str(caught.value.errors["file"][0])
    assert not Contact.objects.exists()


def test_a_row_with_too_many_tags_is_rejected(alice):
    tags = ";".join(f"t{n}" for n in range(51))
    result = run(alice, f"phone,tags\n+966501111111,{tags}\n")
    assert result.rejected == 1 and "At most 50 tags" in result.errors[0]["reason"]


def test_a_row_with_more_values_than_columns_is_rejected(alice):
    result = run(
        alice,
        "name,phone,tags,city\n"
        "Sara,+966501111111,vip,Riyadh\n"
        "Omar,+966502222222,vip,Jeddah,oops,more\n"
        "Maha,+966503333333,,Riyadh,,\n",
    )
    assert (result.created, result.rejected) == (2, 1)
    assert result.errors[0]["row"] == 3 and result.errors[0]["phone"] == "+966502222222"
    assert "6 values but the header has 4 columns" in result.errors[0]["reason"]
    assert not Contact.objects.filter(phone="+966502222222").exists()
