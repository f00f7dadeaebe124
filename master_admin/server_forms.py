from django import forms
from django.utils.translation import gettext_lazy as _

from subscription.models import Company

SELECT = {"class": "form-select form-select-sm"}
CHECKBOX = {"class": "form-check-input"}


class MoveCompanyForm(forms.Form):
    """Where to move a company's database; whether that server may take it is the service's to say."""

    target = forms.CharField(
        label=_("Move to"),
        error_messages={"required": _("Choose the server to move the company to.")},
        widget=forms.Select(attrs=SELECT),
    )
    drop_source = forms.BooleanField(
        label=_("Drop the old database when the move is done"),
        help_text=_(
            "Otherwise it is kept aside, refusing writes, until manage.py move_company --purge drops it "
            "(TENANT_MOVE_KEEP_DAYS)."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the confirmation to move the company.")},
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )

    def __init__(self, *args, company: Company, targets: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["target"].widget.choices = [("", "—"), *targets]
        self.fields["confirm"].label = _(
            "%(company)s is read-only while its database is copied and checked: its users can read, not write."
        ) % {"company": company.name}
