import pytest
from django.test import Client
from django.urls import reverse

from subscription.tests.factories import UserFactory


@pytest.fixture
def staff_client(db):
    """Django staff, but not a superuser: must not reach the master admin."""
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=False))
    return client


@pytest.fixture
def enter():
    """Enter `company`'s system as the client's superuser; returns the response."""

    def post(client, company, reason: str = "Support ticket #42: doctors list looks wrong", **extra):
        return client.post(reverse("master_admin:company-enter", args=[company.slug]), {"reason": reason}, **extra)

    return post
