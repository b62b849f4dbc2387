"""CSV uploads: the size cap is checked before the file is stored, and files stream."""

import io

import pytest
from django.core.files.uploadhandler import SkipFile
from django.urls import reverse

from contacts.importing import import_contacts_csv
from contacts.models import Contact
from skylight.uploads import UploadSizeLimitHandler
from tests.contacts.helpers import csv_upload
from tests.factories import member_of

URL = "/api/v1/contacts/import"


def rows(count: int, start: int = 0) -> str:
    return "".join(f"Person {n},+9665{n:08d}\n" for n in range(start, start + count))


@pytest.fixture
def small_cap(settings):
    settings.SKYLIGHT_MAX_UPLOAD_BYTES = 2000


def test_the_api_refuses_an_upload_over_the_cap_with_413(api, small_cap):
    upload = csv_upload("name,phone\n" + rows(200))
    response = api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 413
    body = response.json()
    assert body == {"success": False, "message": "The file is larger than 1 KB."}
    assert not Contact.objects.exists()


def test_the_api_still_takes_a_file_under_the_cap(api, small_cap):
    response = api.post(URL, {"file": csv_upload("name,phone\n" + rows(5))}, format="multipart")
    assert response.status_code == 200
    assert Contact.objects.count() == 5


def test_the_dashboard_refuses_an_upload_over_the_cap(client, alice, small_cap):
    client.force_login(member_of(alice, "importer"))
    upload = csv_upload("name,phone\n" + rows(200))
    response = client.post(
        reverse("dashboard:contact_import"), {"file": upload, "type": "whatsapp"}
    )
    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert not Contact.objects.exists()
    assert not response.wsgi_request.FILES  # skipped while streaming, never stored


def test_the_handler_skips_a_file_that_grows_past_the_cap(small_cap, rf):
    handler = UploadSizeLimitHandler(rf.post("/"))
    handler.handle_raw_input(None, {}, content_length=100, boundary=b"x")
    handler.new_file("file", "a.csv", "text/csv", 100)
    assert handler.receive_data_chunk(b"x" * 1500, 0) == b"x" * 1500
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 1500, 1500)
    assert handler.request.upload_too_large


class ChunkedOnly(io.BytesIO):
    """A file that fails the test if anyone reads it whole."""

    def read(self, size=-1):
        assert size is not None and 0 <= size <= 1024 * 1024, f"read({size}) reads it whole"
        return super().read(size)

    def read1(self, size=-1):
        assert size is not None and 0 <= size <= 1024 * 1024, f"read1({size}) reads it whole"
        return super().read1(size)


def test_the_import_streams_the_file(alice):
    data = ("name,phone\n" + rows(3000)).encode()
    result = import_contacts_csv(account=alice, file=ChunkedOnly(data))
    assert result.created == 3000


def test_bad_encoding_deep_in_the_file_writes_nothing(alice):
    data = ("name,phone\n" + rows(4500)).encode() + b"Bad \xff\xfe,+966599999999\n"
    with pytest.raises(Exception) as info:
        import_contacts_csv(account=alice, file=io.BytesIO(data))
    assert "UTF-8" in str(info.value.errors)
    assert not Contact.objects.exists()


def test_a_byte_order_mark_and_nuls_are_ignored(alice):
    data = "\ufeffname,phone\nSa\x00ra,+966501111111\n".encode()
    result = import_contacts_csv(account=alice, file=io.BytesIO(data))
    assert result.created == 1
    assert Contact.objects.get().name == "Sara"
