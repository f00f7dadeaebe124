import pytest


@pytest.fixture
def login(client):
    """`login(user)`: the test client, logged in as `user`."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def english(settings):
    """Pages in English, so that tests can read numbers and Django's own messages as written here."""
    settings.LANGUAGE_CODE = "en"
