import pytest
from django.utils import translation

from doctors.tests.factories import DoctorFactory
from subscription.tenancy import close_tenant_connections, use_tenant


@pytest.fixture
def doctors(acme, globex):
    """One doctor in each company, so that every test can see the other company untouched."""
    with use_tenant(acme):
        DoctorFactory(last_name="Acmeyev")
    with use_tenant(globex):
        DoctorFactory(last_name="Globexov")
    close_tenant_connections()


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked as written in the code."""
    with translation.override("en"):
        yield


@pytest.fixture
def filled(acme, globex, member):
    """Acme and Globex with a few rows of every kind each (backups and bundles are checked against them)."""
    from subscription.tests.backup_helpers import fill

    fill(acme, "Acme", staff=member("manager", acme))
    fill(globex, "Globex", staff=member("manager", globex))
    return acme, globex
