"""Refill every doctor's search column: Latin-keyboard spellings, phones with and without +994 or 0,
and the names of their specializations and city (read from the master database)."""

from django.db import migrations

from doctors.lookup import doctor_lookup_values, reference_words

CHUNK = 500


def refill_search_text(apps, schema_editor):
    Doctor = apps.get_model("doctors", "Doctor")
    Specialization, City = apps.get_model("regions", "Specialization"), apps.get_model("regions", "City")
    doctors = Doctor.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while chunk := list(doctors.filter(pk__gt=last)[:CHUNK]):
        words = reference_words(chunk, specialization_model=Specialization, city_model=City)
        for doctor in chunk:
            doctor.search_text, doctor.sort_name = doctor_lookup_values(doctor, words)
        Doctor.objects.using(schema_editor.connection.alias).bulk_update(chunk, ["search_text", "sort_name"])
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("doctors", "0004_code_sequence_and_history"),
        ("regions", "0001_initial"),
    ]

    operations = [migrations.RunPython(refill_search_text, migrations.RunPython.noop)]
