import pytest


@pytest.fixture
def login(client):
    """`login(user)`: the test client, logged in as `user`."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users made by the factories get their password hashed quickly (the real hasher is slow on purpose)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(settings):
    """Pages in English, so that tests can read numbers and Django's own messages as written here."""
    settings.LANGUAGE_CODE = "en"
