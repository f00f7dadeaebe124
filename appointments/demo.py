"""Demo monthly plans and call reports (called by seed_demo)."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from appointments.call_services import ProductDiscussed, SampleGiven, call_report_submit
from appointments.models import Appointment, CallDetail, MonthlyPlan
from appointments.plan_selectors import next_month, suggested_calls
from appointments.plan_services import plan_approve, plan_create, plan_set_items, plan_submit
from appointments.services import appointment_create
from doctors.models import Doctor
from doctors.territories import own_doctors_q
from sales.models import Pharmacy, Product, SampleStock

KEY_MESSAGES = [
    "Gündə bir dəfə, səhər yeməyindən sonra",
    "Yeni 20 mq doza: daha az yan təsir",
    "Uşaqlar üçün damcı forması",
    "Klinik tədqiqatın nəticələri təqdim olundu",
]


def seed_plans_and_calls(*, rep: AbstractUser, manager: AbstractUser) -> bool:
    """This month's approved plan and next month's plan waiting for approval for the representative,
    call details on past done visits, and today's visits (one reported with samples, two to report).
    Does nothing if the company has monthly plans."""
    if MonthlyPlan.objects.exists():
        return False
    rng = random.Random(f"calls-{rep.pk}")
    today = timezone.localdate()
    doctors = list(Doctor.objects.filter(own_doctors_q(rep.pk), is_active=True).order_by("code"))
    for month, approve in ((today.replace(day=1), True), (next_month(today), False)):
        plan = plan_create(representative=rep, month=month, by=rep)
        suggested = suggested_calls(doctors, month)
        plan_set_items(plan=plan, calls={doctor: suggested[doctor.pk] for doctor in doctors}, by=rep)
        plan_submit(plan=plan, by=rep)
        if approve:
            plan_approve(plan=plan, by=manager, comment="Yaxşı plan.")
    products = list(Product.objects.order_by("code"))
    details = []
    for visit in Appointment.objects.filter(status=Appointment.Status.DONE, reported_at__isnull=True)[:200]:
        for product in visit.products.all():
            details.append(
                CallDetail(
                    appointment=visit,
                    product=product,
                    key_message=rng.choice(KEY_MESSAGES),
                    response=rng.choice(CallDetail.Response.values),
                )
            )
        Appointment.objects.filter(pk=visit.pk).update(
            reported_at=visit.planned_start + datetime.timedelta(hours=1), reported_by=visit.staff_id
        )
    CallDetail.objects.bulk_create(details)
    _today(rep, doctors, products)
    return True


def _today(rep: AbstractUser, doctors: list[Doctor], products: list[Product]) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    if len(doctors) < 3:
        return
    reported = appointment_create(
        created_by=rep,
        staff=rep,
        doctor=doctors[0],
        planned_start=now - datetime.timedelta(hours=2),
        products=products[:1],
    )
    stock = SampleStock.objects.filter(representative=rep).order_by("pk").first()
    call_report_submit(
        appointment=reported,
        by=rep,
        outcome="Həkim yeni dozanı sınamağa razıdır.",
        details=[ProductDiscussed(products[0], KEY_MESSAGES[1], CallDetail.Response.WILL_PRESCRIBE)],
        samples=[SampleGiven(stock, 2)] if stock is not None else [],
        next_step="Nəticələri soruşmaq",
        next_step_date=timezone.localdate() + datetime.timedelta(days=14),
        follow_up=True,
    )
    appointment_create(
        created_by=rep,
        staff=rep,
        doctor=doctors[1],
        planned_start=now - datetime.timedelta(minutes=30),
        products=products[1:3],
    )
    appointment_create(created_by=rep, staff=rep, doctor=doctors[2], planned_start=now + datetime.timedelta(hours=2))
    pharmacy = Pharmacy.objects.order_by("pk").first()
    if pharmacy is not None:
        appointment_create(
            created_by=rep,
            staff=rep,
            kind=Appointment.Kind.PHARMACY,
            pharmacy=pharmacy,
            planned_start=now + datetime.timedelta(hours=3),
        )
