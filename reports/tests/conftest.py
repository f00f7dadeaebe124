import pytest
from django.test import Client

from subscription.models import Subscription


@pytest.fixture
def login(member):
    """A new logged-in client (its own session) for a new user with `role` in `company`."""

    def make(role: str, company, **user_fields) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(member(role, company, **user_fields))
        return client

    return make


@pytest.fixture
def make_read_only():
    """Turn a company read-only: its subscription is past due."""

    def make(company) -> None:
        Subscription.objects.filter(company=company).update(status=Subscription.Status.PAST_DUE)

    return make
