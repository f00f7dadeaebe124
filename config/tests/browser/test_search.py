"""Searching the doctor list with Azerbaijani letters typed into the search box: İ/i and I/ı are two
pairs of letters, so "AĞASIOĞLU" finds Ağasıoğlu and not Ağasioğlu, and the other way round."""

import pytest

from config.tests.browser.actions import list_codes, search

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("AĞASIOĞLU", ["E2E-AZ1"]),
        ("ağasıoğlu", ["E2E-AZ1"]),
        ("AĞASİOĞLU", ["E2E-AZ2"]),
        ("ŞƏHLA", ["E2E-AZ1"]),
        ("İSMAYILZADƏ ülvi", ["E2E-AZ3"]),
        ("ağas", ["E2E-AZ1", "E2E-AZ2"]),
    ],
)
def test_it_finds_doctors_by_azerbaijani_letters(open_page, own_doctors, typed, found):
    page = open_page("acme_manager")
    search(page, "/doctors/", typed)
    assert sorted(list_codes(page)) == found
    assert page.input_value("#id_q") == typed  # the box keeps what was typed, letters intact
