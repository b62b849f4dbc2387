"""Repeated failed sign-ins lock out the username and the address (django-axes), on the
dashboard and the admin login, with a clear message; staff unlock in the admin."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast


def sign_in(client, url, username, password, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_the_third_failure_locks_the_username_out_even_with_the_right_password(client, url):
    user = member_of_staff("carol")
    for _ in range(2):
        response = sign_in(client, url, user.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, url, user.username, "wrong")

    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "Too many failed sign-in attempts" in response.content.decode()
    response = sign_in(client, url, user.username, "pw-carol", address="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_from_one_address_lock_that_address_for_every_username(client, alice):
    for name in ("a1", "a2", "a3"):
        sign_in(client, "/login/", name, "wrong", address="10.0.0.7")
    member_of(alice, "dave")

    assert sign_in(client, "/login/", "dave", "pw-dave", address="10.0.0.7").status_code == 429
    assert sign_in(client, "/login/", "dave", "pw-dave", address="10.0.0.8").status_code == 302


def test_staff_unlock_by_deleting_the_attempts_in_the_admin(client, admin_client):
    user = member_of_staff("erin")
    for _ in range(3):
        sign_in(client, "/login/", user.username, "wrong")
    assert sign_in(client, "/login/", user.username, "pw-erin").status_code == 429

    attempts = admin_client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "erin" in attempts.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    assert sign_in(client, "/login/", user.username, "pw-erin").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, alice):
    member_of(alice, "fay")
    for _ in range(2):
        sign_in(client, "/login/", "fay", "wrong")
    assert sign_in(client, "/login/", "fay", "pw-fay").status_code == 302
    client.logout()
    for _ in range(2):
        sign_in(client, "/login/", "fay", "wrong")
    assert sign_in(client, "/login/", "fay", "pw-fay").status_code == 302


@pytest.mark.parametrize("password", ["password123", "12345678901234"])
def test_common_and_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def member_of_staff(username):
    return get_user_model().objects.create_user(
        username=username, password=f"pw-{username}", is_staff=True, is_superuser=True
    )
