"""The admin login is throttled (django-axes): 10 failures for one username, or from one
address, within 15 minutes, and further attempts get a 429 for 15 minutes, the right password
included; the lockout shows in the admin and `manage.py axes_reset` lifts it."""

import re

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from common.local_servers import GunicornSite
from tests.fixtures.sites import backend_env

PASSWORD = "a-long-password-123"


@pytest.fixture
def admin_user(transactional_db, settings):
    # A fast hasher in process: the lockout is what is tested, not PBKDF2's 1,000,000 rounds
    # (the served test below keeps the production hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


def test_the_served_admin_locks_a_guessed_name_out(redis_url, make_database_url, tmp_path):
    env = backend_env(
        redis_url,
        make_database_url(tmp_path),
        WEB_CONCURRENCY="2",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    collected = site.manage("collectstatic", "--no-input", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    made = site.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser('root', '', {PASSWORD!r})",
    )
    assert made.returncode == 0, made.stderr
    site.start()
    try:

        def attempt(password: str) -> int:
            session = requests.Session()  # a new connection each: both workers answer
            form = session.get(f"{site.url}/admin/login/", timeout=5).text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            return session.post(
                f"{site.url}/admin/login/?next=/admin/",
                data={"username": "root", "password": password, "csrfmiddlewaretoken": token},
                allow_redirects=False,
                timeout=5,
            ).status_code

        wrong = [attempt(f"guess-{n}") for n in range(10)]
        right = attempt(PASSWORD)
    finally:
        site.stop()

    assert wrong == [200] * 9 + [429]
    assert right == 429  # the right password too, for the next 15 minutes
