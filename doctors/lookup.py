"""The derived search and sort columns of a doctor (kept by the model; used by a data migration too)."""

from subscription.ui.aztext import az_collation_key, az_fold


def doctor_lookup_values(doctor) -> tuple[str, str]:
    """(search_text, sort_name) for an object with a doctor's code, names and phones."""
    phones = [phone for phone in (doctor.mobile_phone, doctor.work_phone) if phone]
    words = [doctor.code, doctor.last_name, doctor.first_name, doctor.patronymic, *phones]
    words += [phone.replace(" ", "").replace("-", "") for phone in phones]
    search_text = az_fold(" ".join(word for word in words if word))
    return search_text, az_collation_key(doctor.last_name, doctor.first_name, doctor.patronymic)[:400]
