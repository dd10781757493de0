"""Sign-in lockout: wrong passwords, again and again, get a clear page, not a chance forever."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from workshop.models import User

pytestmark = pytest.mark.django_db

SIGN_INS = ["/f/login/", "/o/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    settings.AXES_FAILURE_LIMIT = 5
    # A fast hasher: each failure checks a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def coach(_limits):
    return User.objects.create_user("coach@example.com", PASSWORD, is_staff=True)


def sign_in(client, path, email, password):
    return client.post(path, {"username": email, "password": password})


def from_address(address):
    return Client(REMOTE_ADDR=address)


@pytest.mark.parametrize("path", SIGN_INS)
def test_five_wrong_passwords_lock_the_account_out_from_that_address(path, coach):
    client = from_address("203.0.113.7")
    for _ in range(4):
        assert sign_in(client, path, coach.email, "wrong").status_code == 200  # the form again
    locked = sign_in(client, path, coach.email, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts, try again in 15 minutes." in page
    assert locked["Retry-After"] == str(15 * 60)
    # The right password is refused too while locked out, without being checked.
    again = sign_in(client, path, coach.email, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_address_only(coach):
    for _ in range(5):
        sign_in(from_address("203.0.113.7"), "/f/login/", coach.email, "wrong")
    elsewhere = sign_in(from_address("198.51.100.2"), "/f/login/", coach.email, PASSWORD)
    assert elsewhere.status_code == 302


def test_the_email_counts_whatever_its_case(coach):
    client = from_address("203.0.113.7")
    for typed in [
        "Coach@example.com",
        "COACH@EXAMPLE.COM",
        " coach@example.com",
        "coach@Example.com",
    ]:
        sign_in(client, "/f/login/", typed, "wrong")
    assert sign_in(client, "/f/login/", coach.email, "wrong").status_code == 429


def test_a_successful_sign_in_resets_the_count(coach):
    client = from_address("203.0.113.7")
    for _ in range(4):
        sign_in(client, "/f/login/", coach.email, "wrong")
    assert sign_in(client, "/f/login/", coach.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "/f/login/", coach.email, "wrong").status_code == 200
    assert sign_in(client, "/f/login/", coach.email, PASSWORD).status_code == 302


def test_trying_many_accounts_from_one_address_locks_that_address_out(coach):
    client = from_address("203.0.113.7")
    for n in range(20):
        response = sign_in(client, "/f/login/", f"guess{n}@example.com", "wrong")
    assert response.status_code == 429
    # Even for an account it never guessed, and the right password.
    assert sign_in(client, "/f/login/", coach.email, PASSWORD).status_code == 429
    # Colleagues elsewhere are not affected.
    assert (
        sign_in(from_address("198.51.100.2"), "/f/login/", coach.email, PASSWORD).status_code == 302
    )


def test_a_colleague_signing_in_does_not_clear_a_guessers_count(coach):
    client = from_address("203.0.113.7")
    for n in range(19):
        sign_in(client, "/f/login/", f"guess{n}@example.com", "wrong")
    assert sign_in(client, "/f/login/", coach.email, PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "/f/login/", "guess99@example.com", "wrong").status_code == 429


def test_the_lockout_ends_after_its_minutes(coach, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    client = from_address("203.0.113.7")
    for _ in range(5):
        sign_in(client, "/f/login/", coach.email, "wrong")
    # As if the last failure was 16 minutes ago.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert sign_in(client, "/f/login/", coach.email, PASSWORD).status_code == 302


def test_signing_in_from_a_test_client_or_the_shell_still_works(client, coach):
    assert client.login(username=coach.email, password=PASSWORD)
    client.force_login(coach)
