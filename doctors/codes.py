"""Doctor codes the company does not have to type: its prefix and the next number (Company settings).

The next number is kept per prefix in the company's database (DoctorCodeSequence) and taken inside
the transaction that saves the doctor, its row locked, so two doctors added at once get two codes.
Codes typed by hand stay allowed: a number already used is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from doctors.models import Doctor, DoctorCodeSequence

if TYPE_CHECKING:
    from subscription.models import Company


def format_code(company: Company, number: int) -> str:
    return f"{company.doctor_code_prefix}{number:0{company.doctor_code_digits}d}"


def _numbers_in_use(company: Company) -> set[int]:
    """The numbers of the codes made of the prefix and digits only (D0042 → 42)."""
    prefix = company.doctor_code_prefix
    codes = Doctor.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    return {int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()}


def _first_free(company: Company, after: int) -> int:
    number = after + 1
    if not Doctor.objects.filter(code=format_code(company, number)).exists():
        return number
    used = _numbers_in_use(company)  # codes typed by hand, or made before codes were generated
    while number in used or Doctor.objects.filter(code=format_code(company, number)).exists():
        number += 1
    return number


def peek_doctor_code(company: Company) -> str:
    """The code the next doctor would get now (nothing is reserved: a form's hint)."""
    sequence = DoctorCodeSequence.objects.filter(prefix=company.doctor_code_prefix).first()
    return format_code(company, _first_free(company, sequence.last_number if sequence else 0))


def take_doctor_code(company: Company) -> str:
    """The next free code, reserved. Call it inside the transaction that saves the doctor (tenant_atomic)."""
    sequence, _created = DoctorCodeSequence.objects.select_for_update().get_or_create(prefix=company.doctor_code_prefix)
    sequence.last_number = _first_free(company, sequence.last_number)
    sequence.save(update_fields=["last_number"])
    return format_code(company, sequence.last_number)
