"""The admin login is throttled (django-axes): 10 failures for one username, or from one
address, within 15 minutes, and further attempts get a 429 for 15 minutes, the right password
included; the lockout shows in the admin and `manage.py axes_reset` lifts it."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-password-123"


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser("root", "", PASSWORD)


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_ten_wrong_passwords_lock_the_username_out_even_with_the_right_one(admin_user):
    client = Client()
    wrong = [log_in(client, "root", f"guess-{n}", f"10.0.1.{n}").status_code for n in range(10)]

    locked = log_in(client, "root", PASSWORD, "10.0.2.1")

    # The form again, saying the password was wrong; the tenth failure locks the name out.
    assert wrong == [200] * 9 + [429]
    assert locked.status_code == 429


def test_ten_failures_from_one_address_lock_it_out_for_any_username(admin_user):
    client = Client()
    wrong = [log_in(client, f"user-{n}", "nope").status_code for n in range(10)]

    assert wrong == [200] * 9 + [429]
    assert log_in(client, "root", PASSWORD).status_code == 429
    assert log_in(client, "root", PASSWORD, "10.9.9.9").status_code == 302  # another address


def test_a_lockout_shows_in_the_admin_and_the_command_lifts_it(admin_user):
    client = Client()
    for n in range(10):
        log_in(client, "root", f"guess-{n}")
    assert log_in(client, "root", PASSWORD).status_code == 429
    watcher = Client()
    watcher.force_login(admin_user)
    listed = watcher.get("/admin/axes/accessattempt/").content.decode()

    call_command("axes_reset")

    assert "root" in listed
    assert log_in(client, "root", PASSWORD).status_code == 302
