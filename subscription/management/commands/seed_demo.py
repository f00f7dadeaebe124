"""Idempotent demo data: plans, a superuser, two companies with staff, doctors and their activity."""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from appointments.demo import seed_plans_and_calls
from appointments.models import Appointment
from doctors.demo import seed_territories
from doctors.models import Doctor
from patients.models import Patient
from payments.models import Payment
from regions.models import City, Clinic, Specialization
from reports.demo import seed_targets
from sales.demo import seed_import, seed_pharmacies, seed_samples
from sales.models import Product, Sale
from subscription.models import Company, Subscription, SubscriptionPlan, UserProfile
from subscription.provisioning import tenant_database_create, tenant_database_exists
from subscription.services import company_create
from subscription.tenancy import tenant_atomic, use_tenant

PLANS = [
    ("starter", "Starter", Decimal("49.00"), 3, 200),
    ("business", "Business", Decimal("199.00"), 15, 2000),
    ("enterprise", "Enterprise", Decimal("599.00"), None, None),
]
COMPANIES = [
    ("acme", "Acme Pharma", "business", 40),
    ("globex", "Globex Medical", "starter", 25),
]
LAST_NAMES = [
    "Məmmədov",
    "Əliyev",
    "Hüseynov",
    "Həsənov",
    "Quliyev",
    "İsmayılov",
    "Rzayev",
    "Cəfərov",
    "Abbasov",
    "Babayev",
    "Səfərov",
    "Nəsirov",
    "Orucov",
    "Şirinov",
    "Vəliyev",
    "Kərimov",
    "Qasımov",
    "Zeynalov",
]
FIRST_NAMES_M = ["Elçin", "Rəşad", "Tural", "Orxan", "Vüqar", "Kamran", "Ramil", "Anar", "Elnur", "Fərid"]
FIRST_NAMES_F = ["Aynur", "Günel", "Leyla", "Nərgiz", "Səbinə", "Ülviyyə", "Könül", "Aygün", "Nigar", "Şəbnəm"]
PRODUCTS = [
    ("CARD-10", "Kardiomaks", "tablet", "10 mq", "30 tablet", "12.50"),
    ("CARD-20", "Kardiomaks", "tablet", "20 mq", "30 tablet", "18.90"),
    ("NEURO-5", "Neyrovit", "kapsul", "5 mq", "20 kapsul", "9.80"),
    ("GASTRO", "Qastrofort", "şərbət", "100 ml", "1 flakon", "7.40"),
    ("DIAB-500", "Diaqlin", "tablet", "500 mq", "60 tablet", "15.20"),
    ("PED-D3", "Uşaq D3", "damcı", "400 BV", "10 ml", "6.30"),
]


# Staff appear by their names on pages, reports and exports (logins only where one logs in).
STAFF_NAMES = {
    "admin": ("Platform", "Admin"),
    "acme_owner": ("Rəşad", "Hüseynov"),
    "acme_manager": ("Leyla", "Məmmədova"),
    "acme_rep": ("Elvin", "Qasımov"),
    "globex_owner": ("Nigar", "Əliyeva"),
    "globex_manager": ("Tural", "İsmayılov"),
    "globex_rep": ("Aysel", "Quliyeva"),
}


class Command(BaseCommand):
    help = (
        "Create demo data: superuser admin, companies acme and globex with an owner, a manager and a "
        "representative each (password DEMO_PASSWORD, default 'demo'), doctors and their activity. "
        "Idempotent: what exists is left as it is."
    )

    def handle(self, *args, **options) -> None:
        password = settings.DEMO_PASSWORD
        call_command("load_reference_data", stdout=self.stdout)
        plans = {}
        for code, name, price, max_users, max_doctors in PLANS:
            plans[code], _created = SubscriptionPlan.objects.get_or_create(
                code=code,
                defaults={"name": name, "price_monthly": price, "max_users": max_users, "max_doctors": max_doctors},
            )
        self.user("admin", password, company=None, role=UserProfile.Role.OWNER, superuser=True)
        logins = [("admin", "superuser: /admin/ and /master-admin/")]
        for slug, name, plan, doctor_count in COMPANIES:
            company = self.company(slug, name, plans[plan])
            staff = {
                role: self.user(f"{slug}_{suffix}", password, company=company, role=role)
                for suffix, role in (
                    ("owner", UserProfile.Role.OWNER),
                    ("manager", UserProfile.Role.MANAGER),
                    ("rep", UserProfile.Role.REPRESENTATIVE),
                )
            }
            logins += [(user.username, f"{role} of {name}") for role, user in staff.items()]
            if not company.has_live_database:
                self.stdout.write(f"{slug}: {company.lifecycle}, left as it is")
                continue
            with use_tenant(company):
                if Doctor.objects.exists():
                    self.stdout.write(f"{slug}: demo data already there")
                else:
                    self.activity(company, staff, doctor_count)
                self.field_force(company, staff)
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password: {password}):"))
        for username, what in logins:
            self.stdout.write(f"  {username:<16} {what}")

    def company(self, slug: str, name: str, plan: SubscriptionPlan) -> Company:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            company = company_create(
                name=name,
                slug=slug,
                plan=plan,
                status=Subscription.Status.ACTIVE,
                contact_email=f"info@{slug}.example",
                contact_phone="+994 12 555 00 00",
            )
            self.stdout.write(f"{slug}: company and database created")
        elif company.has_live_database and not tenant_database_exists(company):
            tenant_database_create(company)
            self.stdout.write(f"{slug}: database created")
        return company

    def user(self, username: str, password: str, *, company: Company | None, role: str, superuser: bool = False):
        first_name, last_name = STAFF_NAMES.get(username, ("", ""))
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "is_staff": superuser,
                "is_superuser": superuser,
                "first_name": first_name,
                "last_name": last_name,
            },
        )
        if created:
            user.set_password(password)
            user.save()
        elif first_name and not user.get_full_name():
            # Demo users made before they had names: staff appear by name on every page.
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])
        UserProfile.objects.get_or_create(user=user, defaults={"company": company, "role": role})
        return user

    def field_force(self, company: Company, staff: dict) -> None:
        """Territories, pharmacies, samples, plans, call reports and targets; each part only if it is missing."""
        rep, manager = staff[UserProfile.Role.REPRESENTATIVE], staff[UserProfile.Role.MANAGER]
        with tenant_atomic():
            made = [
                bool(seed_territories(company=company, rep=rep, manager=manager)),
                bool(seed_pharmacies(company=company, by=manager)),
                bool(seed_samples(company=company, rep=rep, manager=manager)),
                seed_plans_and_calls(rep=rep, manager=manager),
                bool(seed_targets(company=company, rep=rep, manager=manager)),
                bool(seed_import(company=company, manager=manager)),
            ]
        if any(made):
            self.stdout.write(
                f"{company.slug}: territories, pharmacies, samples, plans, call reports, targets and an import"
            )

    def activity(self, company: Company, staff: dict, doctor_count: int) -> None:
        rng = random.Random(company.slug)
        today = timezone.localdate()
        specializations = list(Specialization.objects.active())
        cities = list(City.objects.active().select_related("region"))
        clinics_by_city: dict[int, list[Clinic]] = {}
        for clinic in Clinic.objects.active():
            clinics_by_city.setdefault(clinic.city_id, []).append(clinic)
        cities_with_clinics = [city for city in cities if city.pk in clinics_by_city]
        rep, manager = staff[UserProfile.Role.REPRESENTATIVE], staff[UserProfile.Role.MANAGER]
        with tenant_atomic():
            doctors = []
            for number in range(1, doctor_count + 1):
                city = rng.choice(cities_with_clinics if rng.random() < 0.7 else cities)
                female = rng.random() < 0.5
                last = rng.choice(LAST_NAMES)
                doctors.append(
                    Doctor(
                        code=f"D{number:04d}",
                        last_name=last + ("a" if female else ""),
                        first_name=rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
                        specialization=rng.choice(specializations),
                        category=rng.choice("AABBBCC"),
                        region=city.region,
                        city=city,
                        clinic=rng.choice(clinics_by_city[city.pk]) if city.pk in clinics_by_city else None,
                        mobile_phone=f"+994 50 {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                        representative=rep if rng.random() < 0.6 else manager,
                        is_kol=rng.random() < 0.1,
                        created_by=manager,
                    )
                )
            doctors = Doctor.objects.bulk_create(doctors)
            products = Product.objects.bulk_create(
                Product(code=code, name=name, form=form, strength=strength, pack=pack, price=Decimal(price))
                for code, name, form, strength, pack, price in PRODUCTS
            )
            for doctor in doctors:
                for _visit in range(rng.randint(1, 4)):
                    start = timezone.now() + datetime.timedelta(days=rng.randint(-60, 20), hours=rng.randint(-3, 3))
                    start = start.replace(minute=0, second=0, microsecond=0)
                    past = start < timezone.now()
                    visit = Appointment.objects.create(
                        doctor=doctor,
                        staff=doctor.representative,
                        planned_start=start,
                        channel=rng.choice(list(Appointment.Channel.values)),
                        status=rng.choice(["done", "done", "done", "missed", "cancelled"]) if past else "planned",
                        outcome="Məhsul təqdim olundu." if past else "",
                        created_by=doctor.representative,
                    )
                    visit.products.set(rng.sample(products, 2))
            Patient.objects.bulk_create(
                Patient(
                    last_name=rng.choice(LAST_NAMES),
                    first_name=rng.choice(FIRST_NAMES_M + FIRST_NAMES_F),
                    birth_date=today - datetime.timedelta(days=rng.randint(20 * 365, 80 * 365)),
                    phone=f"+994 55 {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    doctor=rng.choice(doctors),
                    created_by=manager,
                )
                for _patient in range(8)
            )
            sales = []
            for days_ago in range(0, 90, 3):
                product = rng.choice(products)
                doctor = rng.choice(doctors)
                quantity = rng.randint(5, 120)
                sales.append(
                    Sale(
                        date=today - datetime.timedelta(days=days_ago),
                        product=product,
                        quantity=quantity,
                        unit_price=product.price,
                        amount=product.price * quantity,
                        source=rng.choice(list(Sale.Source.values)),
                        distributor=rng.choice(["Azərfarm", "Avromed", "Sonar Pharma"]),
                        pharmacy=rng.choice(["Zəfəran aptek", "Ziko aptek", "Buta aptek", ""]),
                        region=doctor.region,
                        city=doctor.city,
                        representative=doctor.representative,
                        doctor=doctor if rng.random() < 0.5 else None,
                        invoice_number=f"INV-{company.slug.upper()}-{days_ago:04d}",
                        created_by=manager,
                    )
                )
            Sale.objects.bulk_create(sales)
            for number in range(12):
                outgoing = number % 3 != 0
                # Outgoing payments pass a manager's approval before they are paid; incoming ones need none.
                status = rng.choice(["draft", "approved", "paid"]) if outgoing else rng.choice(["draft", "paid"])
                approved = outgoing and status != "draft"
                Payment.objects.create(
                    direction=Payment.Direction.OUTGOING if outgoing else Payment.Direction.INCOMING,
                    kind=rng.choice(["fee", "sponsorship", "congress"]) if outgoing else "invoice",
                    date=today - datetime.timedelta(days=rng.randint(0, 120)),
                    amount=Decimal(rng.randint(50, 3000)),
                    method=Payment.Method.BANK,
                    status=status,
                    doctor=rng.choice(doctors) if outgoing else None,
                    counterparty="" if outgoing else rng.choice(["Azərfarm", "Avromed"]),
                    # Four eyes: the manager enters payments, the owner approves them.
                    approved_by=staff[UserProfile.Role.OWNER] if approved else None,
                    approved_at=timezone.now() if approved else None,
                    created_by=manager,
                    updated_by=manager,
                )
        self.stdout.write(f"{company.slug}: {len(doctors)} doctors with visits, sales and payments")
