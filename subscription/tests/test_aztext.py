import pytest

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription.ui.aztext import az_fold, az_ordered, az_sort_key

NAMES = [
    "Zeynalov",
    "Şirinov",
    "Əliyev",
    "Abbasov",
    "Cəfərov",
    "Çələbi",
    "Ismayılov",
    "İbrahimov",
    "Qasımov",
    "Hüseynov",
]
AZ_ORDER = [
    "Abbasov",
    "Cəfərov",
    "Çələbi",
    "Əliyev",
    "Hüseynov",
    "Ismayılov",
    "İbrahimov",
    "Qasımov",
    "Şirinov",
    "Zeynalov",
]


def test_folding_follows_azerbaijani_case_rules():
    assert az_fold("İSMAYIL") == "ismayıl"
    assert az_fold("ƏLİYEV") == "əliyev"


def test_python_sort_key_follows_the_alphabet():
    assert sorted(NAMES, key=az_sort_key) == AZ_ORDER


@pytest.mark.django_db
def test_the_database_sorts_in_azerbaijani_order(tenant):
    for name in NAMES:
        DoctorFactory(last_name=name)
    assert list(Doctor.objects.order_by(az_ordered("last_name")).values_list("last_name", flat=True)) == AZ_ORDER
    descending = Doctor.objects.order_by(az_ordered("last_name", descending=True)).values_list("last_name", flat=True)
    assert list(descending) == AZ_ORDER[::-1]
