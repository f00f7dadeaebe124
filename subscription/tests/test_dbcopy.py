"""Copying a company database between SQLite and PostgreSQL servers, verified by fingerprints.

pg1 and pg2 are the harness's own servers (pgservers.py), never the shared one on port 5432.
"""

import datetime
import json
import shutil
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory, CallDetailFactory, CallSampleFactory, PlanItemFactory
from doctors.models import Doctor, DoctorCodeSequence
from doctors.tests.factories import DoctorAssignmentFactory, DoctorFactory, TerritoryFactory
from patients.models import Patient, PatientAccessLog
from patients.tests.factories import PatientFactory
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from regions.tests.factories import CityFactory
from reports.models import Report
from reports.tests.factories import ReportFactory, SalesTargetFactory, VisitFrequencyFactory
from sales.models import ImportBatch, Product, Sale
from sales.tests.factories import (
    PharmacyFactory,
    ProductFactory,
    SaleFactory,
    SampleMovementFactory,
    SampleStockFactory,
)
from subscription.storage.copies import (
    CopyError,
    FingerprintMismatch,
    copy_postgres_database,
    copy_tenant_data,
    temporary_alias,
    verify_copy,
)
from subscription.storage.sqlite import local_storage
from subscription.storage.tables import fingerprint, tenant_models
from subscription.tenancy import lease_tenant_alias, tenant_connection, use_tenant

pytestmark = [pytest.mark.pgservers, pytest.mark.django_db]


def tenant_fingerprint(alias: str) -> dict:
    return fingerprint(alias, with_migrations=True)


# Text that trips naive copies: COPY's escapes (tab, newline, backslash), quotes, Azerbaijani and other scripts.
AWKWARD_TEXT = [
    "tab\there",
    "two\nlines",
    "back\\slash \\N",
    "'quoted' \"twice\"",
    "Şəki — İsmayıllı ğüöçı",
    "日本 🙂",
    "",
]
MOMENTS = [
    datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(2025, 3, 30, 0, 0, 0, 1, tzinfo=datetime.UTC),
    datetime.datetime(1999, 12, 31, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=4))),
]


def fill_company(size: int = 6) -> None:
    """Rows in every tenant table of the selected company, with gaps in the ids and awkward values."""
    products = [ProductFactory(price=price) for price in (Decimal("12.50"), Decimal("0.01"), Decimal("99999999.99"))]
    for n in range(size):
        doctor = DoctorFactory(
            notes=AWKWARD_TEXT[n % len(AWKWARD_TEXT)],
            is_kol=n % 2 == 0,
            is_active=n % 3 != 0,
            patronymic=AWKWARD_TEXT[(n + 3) % len(AWKWARD_TEXT)],
        )
        patient = PatientFactory(doctor=doctor, birth_date=None if n % 2 else datetime.date(1961, 1, n + 1))
        visit = AppointmentFactory(
            doctor=doctor,
            patient=patient if n % 2 else None,
            planned_start=MOMENTS[n % len(MOMENTS)],
            outcome=AWKWARD_TEXT[(n + 1) % len(AWKWARD_TEXT)],
            next_step_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n) if n % 2 else None,
        )
        visit.products.set(products[: n % 4])
        sale = SaleFactory(product=products[n % 3], doctor=doctor if n % 2 else None, quantity=n + 1)
        PaymentFactory(
            doctor=doctor,
            sale=sale,
            appointment=visit,
            amount=Decimal("1234.56") + n,
            approved_at=MOMENTS[n % len(MOMENTS)] if n % 2 else None,
            notes=AWKWARD_TEXT[(n + 2) % len(AWKWARD_TEXT)],
        )
        PatientAccessLog.objects.create(patient=patient, patient_number=patient.pk, action="view", at=MOMENTS[0])
        ReportFactory(
            parameters={"doctor": doctor.pk, "ratio": 1.5, "whole": 2.0, "text": AWKWARD_TEXT[n % len(AWKWARD_TEXT)]},
            rows=[["2025-01", 10.5, None, True], {"z": 1, "a": [1, 2.25]}],
        )
        fill_field_force(doctor, visit, products[n % 3], n)
    # Gaps: deleted rows leave ids behind that a copy must not reuse.
    Payment.objects.filter(pk=Payment.objects.order_by("pk").first().pk).delete()
    Report.objects.filter(pk=Report.objects.order_by("-pk").first().pk).delete()


def fill_field_force(doctor, visit, product, n: int) -> None:
    """The field force's tables: territories, pharmacies, sample stock, call reports, plans, targets."""
    city = CityFactory()
    TerritoryFactory(cities=[city], members=[visit.staff], manager=visit.staff)
    DoctorAssignmentFactory(doctor=doctor, user=visit.staff)
    PharmacyFactory(city=city)
    stock = SampleStockFactory(product=product, representative=visit.staff, quantity=n + 5)
    SampleMovementFactory(stock=stock)
    CallDetailFactory(appointment=visit, product=product)
    CallSampleFactory(appointment=visit, stock=stock)
    PlanItemFactory(doctor=doctor, plan__representative=visit.staff, plan__month=datetime.date(2026, 1 + n % 12, 1))
    VisitFrequencyFactory(category="ABC"[n % 3], month=datetime.date(2025, 1 + n, 1))
    SalesTargetFactory(product=product, representative=visit.staff, month=datetime.date(2025, 1 + n, 1))
    DoctorCodeSequence.objects.create(prefix=f"P{n}", last_number=n * 1000 + 7)
    ImportBatch.objects.create(file_name=AWKWARD_TEXT[n % len(AWKWARD_TEXT)][:200], sha256=f"{n:064x}", rows=n)


def _ids(alias: str) -> dict[str, list[int]]:
    return {
        model._meta.db_table: list(model._base_manager.using(alias).order_by("pk").values_list("pk", flat=True))
        for model in tenant_models()
    }


def _raw_table(alias: str, model) -> list[list]:
    """The stored values as the driver returns them; JSON parsed (jsonb keeps neither key order nor spacing)."""
    fields = model._meta.concrete_fields
    with connections[alias].cursor() as cursor:
        columns = ", ".join(field.column for field in fields)
        cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} ORDER BY {model._meta.pk.column}")
        return [
            [
                json.loads(value) if field.get_internal_type() == "JSONField" else value
                for field, value in zip(fields, row, strict=True)
            ]
            for row in cursor.fetchall()
        ]


def _insert_after_copy(alias: str) -> None:
    """A new doctor, visit and visit-product link on the copy get ids above every copied one."""
    highest = {
        model: model._base_manager.using(alias).order_by("-pk").values_list("pk", flat=True)[0]
        for model in (Doctor, Appointment)
    }
    through = Appointment.products.through
    highest_link = through._base_manager.using(alias).order_by("-pk").values_list("pk", flat=True)[0]
    template = Doctor._base_manager.using(alias).order_by("pk").first()
    doctor = Doctor(
        code=f"NEW-{uuid.uuid4().hex[:6]}",
        last_name="Əliyev",
        first_name="Rauf",
        specialization_id=template.specialization_id,
        clinic_id=template.clinic_id,
        city_id=template.city_id,
        region_id=template.region_id,
    )
    # Written straight into the copy, with no company selected: no history rows (they would ask for one).
    doctor.skip_history_when_saving = True
    doctor.save(using=alias)
    visit = Appointment(doctor_id=doctor.pk, staff_id=1, planned_start=timezone.now())
    visit.skip_history_when_saving = True
    visit.save(using=alias)
    link = through(appointment_id=visit.pk, product_id=Product._base_manager.using(alias).first().pk)
    link.save(using=alias)
    assert doctor.pk > highest[Doctor] and visit.pk > highest[Appointment] and link.pk > highest_link


def _new_sqlite_database(tmp_path) -> dict:
    path = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.db"
    storage = local_storage()
    with storage.creation_lock():
        shutil.copyfile(storage.template_path(), path)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": settings.SQLITE_OPTIONS}


@pytest.fixture
def filled_company(company_factory):
    company = company_factory()
    with use_tenant(company):
        fill_company()
    with lease_tenant_alias(company.slug) as alias:
        yield alias


def test_sqlite_to_pg1_to_pg2_to_sqlite_keeps_rows_ids_and_sequences(
    filled_company, pg_servers, pg_migrated_database, tmp_path
):
    source = filled_company
    original, original_ids = tenant_fingerprint(source), _ids(source)
    assert all(original[model._meta.db_table]["rows"] > 0 for model in tenant_models(with_migrations=True))
    pg1_settings = pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}")
    pg2_settings = pg_migrated_database(pg_servers.pg2, f"copy_{uuid.uuid4().hex[:8]}")
    seen = []
    with (
        temporary_alias(pg1_settings) as on_pg1,
        temporary_alias(pg2_settings) as on_pg2,
        temporary_alias(_new_sqlite_database(tmp_path)) as back_on_sqlite,
    ):
        counts = {table: table_print["rows"] for table, table_print in original.items()}
        for step_source, step_target in ((source, on_pg1), (on_pg1, on_pg2), (on_pg2, back_on_sqlite)):
            seen.clear()
            copied = copy_tenant_data(step_source, step_target, progress=lambda table, rows: seen.append((table, rows)))
            assert copied == counts and seen == list(counts.items())
            assert verify_copy(step_source, step_target) == original
            assert tenant_fingerprint(step_target) == original
            assert _ids(step_target) == original_ids
        assert connections[on_pg1].vendor == connections[on_pg2].vendor == "postgresql"
        assert connections[back_on_sqlite].vendor == "sqlite"
        # Back on SQLite, every value is stored exactly as Django stored it first (datetimes, decimals, JSON).
        for model in tenant_models():
            assert _raw_table(source, model) == _raw_table(back_on_sqlite, model), model._meta.db_table
        for copy in (on_pg1, on_pg2, back_on_sqlite):
            _insert_after_copy(copy)
        # The copies are separate databases: the insert made in each did not reach the source.
        assert tenant_fingerprint(source) == original


def test_pg_dump_and_restore_copy_a_company_between_servers(filled_company, pg_servers, pg_migrated_database):
    pg1_settings = pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}")
    empty = pg_servers.pg2.create_database(f"restored_{uuid.uuid4().hex[:8]}")
    with temporary_alias(pg1_settings) as on_pg1:
        copy_tenant_data(filled_company, on_pg1)
        copy_postgres_database(pg1_settings, pg_servers.pg2.django_settings(empty))
        with temporary_alias(pg_servers.pg2.django_settings(empty)) as on_pg2:
            assert verify_copy(on_pg1, on_pg2) == tenant_fingerprint(filled_company)
            _insert_after_copy(on_pg2)
        with pytest.raises(CopyError, match="not empty"):
            copy_postgres_database(pg1_settings, pg_servers.pg2.django_settings(empty))


def _update_first(model, **values):
    return lambda alias: model._base_manager.using(alias).filter(pk=_first(model, alias)).update(**values)


def _delete_first(model):
    return lambda alias: model._base_manager.using(alias).filter(pk=_first(model, alias)).delete()


def _rename_first_migration(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "UPDATE django_migrations SET name = name || '_' WHERE id = (SELECT min(id) FROM django_migrations)"
        )


# One change in one table of the copy; the mismatch must name that table and no other.
CHANGES = [
    ("doctors_doctor", _update_first(Doctor, notes="changed")),
    ("doctors_doctor", _update_first(Doctor, is_kol=False)),
    ("sales_product", _update_first(Product, price=Decimal("12.51"))),
    (
        "appointments_appointment",
        _update_first(Appointment, planned_start=MOMENTS[0] + datetime.timedelta(microseconds=1)),
    ),
    ("reports_report", _update_first(Report, parameters={"ratio": 1.5})),
    ("appointments_appointment_products", _delete_first(Appointment.products.through)),
    ("patients_patientaccesslog", lambda alias: PatientAccessLog._base_manager.using(alias).create(action="view")),
    ("sales_sale", _update_first(Sale, quantity=999)),
    ("patients_patient", _update_first(Patient, birth_date=datetime.date(1961, 1, 2))),
    ("django_migrations", _rename_first_migration),
]


def _first(model, alias: str) -> int:
    return model._base_manager.using(alias).order_by("pk").values_list("pk", flat=True)[0]


def test_a_changed_row_in_the_copy_is_caught_and_its_table_named(filled_company, pg_servers, pg_migrated_database):
    with temporary_alias(pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}")) as on_pg1:
        copy_tenant_data(filled_company, on_pg1)
        verify_copy(filled_company, on_pg1)
        for table, change in CHANGES:
            with transaction.atomic(using=on_pg1):
                change(on_pg1)
                with pytest.raises(FingerprintMismatch, match=table) as mismatch:
                    verify_copy(filled_company, on_pg1)
                named = [t for t in tenant_fingerprint(filled_company) if f"{t}:" in str(mismatch.value)]
                assert named == [table], (table, str(mismatch.value))
                transaction.set_rollback(True, using=on_pg1)
        verify_copy(filled_company, on_pg1)


def test_a_copy_refuses_a_target_with_rows_or_other_migrations_and_leaves_it_unchanged(
    filled_company, pg_servers, pg_migrated_database
):
    with temporary_alias(pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}")) as on_pg1:
        copy_tenant_data(filled_company, on_pg1)
        before = tenant_fingerprint(on_pg1)
        with pytest.raises(CopyError, match="already has rows in"):
            copy_tenant_data(filled_company, on_pg1)
        assert tenant_fingerprint(on_pg1) == before
    with temporary_alias(pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}")) as behind:
        with connections[behind].cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE app = 'reports' AND name = '0002_report_rows_blank'")
        before = tenant_fingerprint(behind)
        with pytest.raises(CopyError, match="different migrations \\(reports.0002_report_rows_blank\\)"):
            copy_tenant_data(filled_company, behind)
        assert tenant_fingerprint(behind) == before


def _nul_in_text() -> None:
    # PostgreSQL text cannot hold a NUL character; SQLite can.
    Doctor.objects.filter(pk=Doctor.objects.order_by("-pk").first().pk).update(notes="nul\x00byte")


def _visit_of_a_missing_doctor() -> None:
    # A reference SQLite let through while its foreign keys were off: PostgreSQL's checks refuse it.
    with tenant_connection().cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute(
            "UPDATE appointments_appointment SET doctor_id = 999999 WHERE id = (SELECT max(id) FROM appointments_appointment)"
        )
        cursor.execute("PRAGMA foreign_keys = ON")


@pytest.mark.parametrize(
    ("damage", "named", "engines"),
    [
        (_nul_in_text, "at doctors_doctor", ["postgresql"]),
        (_visit_of_a_missing_doctor, "at the foreign keys", ["postgresql", "sqlite"]),
    ],
)
def test_a_failed_copy_names_where_and_leaves_the_target_empty(
    damage, named, engines, company_factory, pg_servers, pg_migrated_database, tmp_path
):
    broken = company_factory()
    with use_tenant(broken):
        fill_company(size=2)
        damage()
    targets = {
        "postgresql": lambda: pg_migrated_database(pg_servers.pg1, f"copy_{uuid.uuid4().hex[:8]}"),
        "sqlite": lambda: _new_sqlite_database(tmp_path),
    }
    with lease_tenant_alias(broken.slug) as source:
        for engine in engines:
            with temporary_alias(targets[engine]()) as alias:
                empty = tenant_fingerprint(alias)
                with pytest.raises(CopyError, match=named):
                    copy_tenant_data(source, alias)
                assert tenant_fingerprint(alias) == empty
