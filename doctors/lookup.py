"""The derived search and sort columns of a doctor (kept by the model; used by data migrations too).

The search column holds the doctor's code, names and phones (also as bare digits, with and without
+994 or 0), and the names of their specializations and city in every language, all with their
Latin-keyboard spellings (subscription.ui.search). The reference names live in the master database:
they are read once for a whole batch of doctors, and when a name changes the doctors that use it are
refreshed (doctors.services.doctor_search_refresh).
"""

from __future__ import annotations

from collections.abc import Iterable

from subscription.ui.aztext import az_collation_key
from subscription.ui.search import phone_words, search_document

NAME_FIELDS = ("name_az", "name_en", "name_ru")


def reference_words(doctors: Iterable, *, specialization_model=None, city_model=None) -> dict[tuple[str, int], str]:
    """{("specialization" or "city", id): its names in every language} for `doctors`, one query per table.

    The models may be given (a migration's historical ones); by default the regions app's.
    """
    if specialization_model is None or city_model is None:
        from regions.models import City, Specialization

        specialization_model, city_model = Specialization, City
    doctors = list(doctors)
    wanted = {
        "specialization": {
            pk for doctor in doctors for pk in (doctor.specialization_id, doctor.second_specialization_id) if pk
        },
        "city": {doctor.city_id for doctor in doctors if doctor.city_id},
    }
    words = {}
    for kind, model in (("specialization", specialization_model), ("city", city_model)):
        if wanted[kind]:
            for row in model.objects.filter(pk__in=wanted[kind]).values("pk", *NAME_FIELDS):
                words[kind, row["pk"]] = " ".join(row[name] for name in NAME_FIELDS if row[name])
    return words


def doctor_lookup_values(doctor, words: dict[tuple[str, int], str] | None = None) -> tuple[str, str]:
    """(search_text, sort_name) for an object with a doctor's fields; `words` from reference_words()."""
    if words is None:
        words = reference_words([doctor])
    references = [
        words.get(("specialization", doctor.specialization_id), ""),
        words.get(("specialization", doctor.second_specialization_id), ""),
        words.get(("city", doctor.city_id), ""),
    ]
    phones = [phone for phone in (doctor.mobile_phone, doctor.work_phone) if phone]
    search_text = search_document(
        doctor.code, doctor.last_name, doctor.first_name, doctor.patronymic, *phones, *references
    )
    search_text = " ".join([search_text, *phone_words(*phones)])
    return search_text, az_collation_key(doctor.last_name, doctor.first_name, doctor.patronymic)[:400]
