"""Forms of monthly plans: the doctors and calls, the month to plan, and a manager's decision."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from appointments.models import MonthlyPlan
from appointments.plan_selectors import month_end
from doctors.models import Doctor
from subscription.ui.forms import StyledFormMixin

MONTHS_AHEAD = 3


class PlanMonthForm(StyledFormMixin, forms.Form):
    month = forms.TypedChoiceField(label=_("month"), coerce=datetime.date.fromisoformat)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        month, choices = timezone.localdate().replace(day=1), []
        for _number in range(MONTHS_AHEAD + 1):
            choices.append((month.isoformat(), date_format(month, "F Y")))
            month = month_end(month)
        self.fields["month"].choices = choices
        self.fields["month"].initial = choices[1][0]  # next month: what a representative plans
        self.style_fields()


class PlanItemsForm(forms.Form):
    """One "pick" checkbox and one number of calls per doctor offered."""

    def __init__(self, *args, doctors: list[Doctor], current: dict[int, int], suggested: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for doctor in doctors:
            pick, calls = f"pick_{doctor.pk}", f"calls_{doctor.pk}"
            self.fields[pick] = forms.BooleanField(required=False, initial=doctor.pk in current)
            self.fields[pick].widget.attrs.update({"class": "form-check-input", "aria-label": doctor.full_name})
            self.fields[calls] = forms.IntegerField(
                required=False, min_value=1, max_value=31, initial=current.get(doctor.pk, suggested.get(doctor.pk, 1))
            )
            self.fields[calls].widget.attrs.update(
                {"class": "form-control form-control-sm text-end", "inputmode": "numeric", "style": "max-width:5rem"}
            )
            self.rows.append((doctor, self[pick], self[calls], suggested.get(doctor.pk, 1)))

    def calls(self) -> dict[Doctor, int]:
        """{doctor: calls} for the doctors picked."""
        data = self.cleaned_data
        return {
            doctor: data.get(f"calls_{doctor.pk}") or suggested
            for doctor, _pick, _calls, suggested in self.rows
            if data.get(f"pick_{doctor.pk}")
        }


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def plan_status_choices() -> list:
    return [("", _("All")), *MonthlyPlan.Status.choices]
