import pytest

from doctors.tests.factories import DoctorFactory
from subscription.tenancy import use_tenant


@pytest.fixture
def twin_doctors(acme, globex):
    """Doctors with the same ids in both companies: acme has ids 1 and 2, globex only id 1."""
    with use_tenant(acme):
        first = DoctorFactory(last_name="Acmeov", first_name="Birinci")
        second = DoctorFactory(last_name="Acmeova", first_name="İkinci")
    with use_tenant(globex):
        theirs = DoctorFactory(last_name="Globexov", first_name="Yad")
    assert first.pk == theirs.pk and second.pk != theirs.pk
    return {"acme": [first, second], "globex": theirs}
