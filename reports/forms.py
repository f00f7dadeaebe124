"""Report filters (the period and each report's own parameters) and the save form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doctors.models import Territory
from reports.selectors.periods import PRESETS, Period, preset_period, year_period
from subscription.ui.forms import CleanTextMixin, DateInput, DayField

# A report over more than ten years is a typo, and would draw thousands of weekly buckets.
MAX_PERIOD_DAYS = 3660
DISCLOSURE_YEARS = 10


class PeriodForm(CleanTextMixin, forms.Form):
    """From/to dates, or a preset (this month, last month, this quarter, this year); this month by default."""

    preset = forms.ChoiceField(label=_("Period"), choices=[("", _("Custom"))] + list(PRESETS.items()), required=False)
    date_from = DayField(
        label=_("From"), required=False, widget=DateInput(attrs={"class": "form-control form-control-sm"})
    )
    date_to = DayField(label=_("To"), required=False, widget=DateInput(attrs={"class": "form-control form-control-sm"}))

    # Fields a report adds to the period (shown beside the dates and kept in the saved parameters).
    extra_fields: tuple[str, ...] = ()

    def clean(self) -> dict:
        data = super().clean()
        preset, start, end = data.get("preset"), data.get("date_from"), data.get("date_to")
        if self.errors:
            return data
        if preset:
            data["period"] = preset_period(preset)
        elif start or end:
            if not (start and end):
                raise forms.ValidationError(_("Enter both dates, or choose a preset period."), code="half_period")
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."), code="reversed_period")
            if (end - start).days >= MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most ten years."), code="long_period")
            data["period"] = Period(start, end)
        else:
            data["preset"], data["period"] = "this_month", preset_period("this_month")
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    def report_arguments(self) -> dict:
        """Keyword arguments of the report's selector."""
        return {"period": self.period, **{name: self.cleaned_data[name] for name in self.extra_fields}}

    def parameters(self) -> dict:
        """What is kept with a saved report (JSON), enough to run it again."""
        return {**self.period.as_parameters(), **{name: self.cleaned_data[name] for name in self.extra_fields}}

    def extra_bound_fields(self) -> list:
        return [self[name] for name in self.extra_fields]


class VisitsPlanForm(PeriodForm):
    group = forms.ChoiceField(
        label=_("Group by"),
        choices=[("week", _("Week")), ("month", _("Month"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    extra_fields = ("group",)

    def clean_group(self) -> str:
        return self.cleaned_data.get("group") or "week"


def territory_choices() -> list[tuple]:
    return [("", _("All territories")), *Territory.objects.order_by("name").values_list("pk", "name")]


class TerritoryPeriodForm(PeriodForm):
    """A period and, optionally, one territory (its representatives, or its own targets)."""

    territory = forms.TypedChoiceField(
        label=_("Territory"),
        coerce=int,
        choices=territory_choices,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    extra_fields = ("territory",)


class CoverageForm(TerritoryPeriodForm):
    by_rep = forms.BooleanField(
        label=_("By representative"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    extra_fields = ("by_rep", "territory")


class TargetsForm(TerritoryPeriodForm):
    measure = forms.ChoiceField(
        label=_("Targets"),
        choices=[("sales", _("Sales")), ("visits", _("Visits"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    extra_fields = ("measure", "territory")

    def clean_measure(self) -> str:
        return self.cleaned_data.get("measure") or "sales"


def disclosure_years() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, this_year - DISCLOSURE_YEARS, -1)]


class DisclosureForm(CleanTextMixin, forms.Form):
    """The yearly disclosure report takes a calendar year instead of a period."""

    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=disclosure_years,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    extra_fields = ("year",)

    def clean_year(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year

    @property
    def period(self) -> Period:
        return year_period(self.cleaned_data["year"])

    def report_arguments(self) -> dict:
        return {"year": self.cleaned_data["year"]}

    def parameters(self) -> dict:
        return {**self.period.as_parameters(), "year": self.cleaned_data["year"]}

    def extra_bound_fields(self) -> list:
        return [self["year"]]


class ReportSaveForm(CleanTextMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to name it after the report and its period."),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
