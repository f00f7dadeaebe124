from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from master_admin.selectors import NO_SUBSCRIPTION, SCHEMA_STATES, SORT_KEYS
from subscription.models import Company, Subscription, SubscriptionPlan
from subscription.selectors import user_label

SELECT = {"class": "form-select form-select-sm"}


class EnterCompanyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Recorded in the impersonation log, e.g. the support ticket you are working on."),
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 5:
            raise forms.ValidationError(_("Say in a few words why you are entering this company's system."))
        return reason


class ConfirmCompanyCodeForm(forms.Form):
    """The superuser types the company's code to confirm a step that is hard to undo."""

    code = forms.CharField(
        label=_("Company code"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["code"].help_text = _("Type %(code)s to confirm.") % {"code": company.slug}

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code != self.company.slug:
            raise forms.ValidationError(
                _("That is not this company's code. Type %(code)s exactly to confirm.") % {"code": self.company.slug}
            )
        return code


class CompanyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=SubscriptionPlan.objects.order_by("price_monthly", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any plan"),
        widget=forms.Select(attrs=SELECT),
    )
    status = forms.ChoiceField(
        label=_("Subscription"),
        required=False,
        choices=[("", _("Any status")), *Subscription.Status.choices, (NO_SUBSCRIPTION, _("No subscription"))],
        widget=forms.Select(attrs=SELECT),
    )
    state = forms.ChoiceField(
        label=_("Database"),
        required=False,
        choices=[("", _("Any state")), *SCHEMA_STATES.items()],
        widget=forms.Select(attrs=SELECT),
    )
    active = forms.ChoiceField(
        label=_("Company"),
        required=False,
        choices=[("", _("Active or not")), ("yes", _("Active")), ("no", _("Deactivated"))],
        widget=forms.Select(attrs=SELECT),
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")])

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        plan = data.get("plan")
        return {
            "search": data.get("q", ""),
            "plan": plan.code if plan else "",
            "status": data.get("status", ""),
            "state": data.get("state", ""),
            "active": data.get("active", ""),
            "sort": data.get("sort") or "name",
        }


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_label(obj)


class ImpersonationFilterForm(forms.Form):
    superuser = PersonChoiceField(
        label=_("Superuser"),
        queryset=get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(impersonation_sessions__isnull=False))
        .distinct()
        .order_by("first_name", "last_name", "username"),
        required=False,
        empty_label=_("Any superuser"),
        widget=forms.Select(attrs=SELECT),
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any company"),
        widget=forms.Select(attrs=SELECT),
    )

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {"superuser": self.cleaned_data.get("superuser"), "company": self.cleaned_data.get("company")}
