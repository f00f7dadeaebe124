import pytest

from patients.tests.factories import PatientFactory
from subscription.tenancy import use_tenant


@pytest.fixture
def twin_patients(acme, globex):
    """Patients with the same ids in both companies: acme has ids 1 and 2, globex only id 1."""
    with use_tenant(acme):
        first = PatientFactory(last_name="Acmeova", first_name="Birinci")
        second = PatientFactory(last_name="Acmeova", first_name="İkinci")
    with use_tenant(globex):
        theirs = PatientFactory(last_name="Globexova", first_name="Yad")
    assert first.pk == theirs.pk and second.pk != theirs.pk
    return {"acme": [first, second], "globex": theirs}
