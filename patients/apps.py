from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from subscription.ui.cards import add_card_section
        from subscription.ui.history import history_section

        add_card_section("patients.Patient", history_section(permission="patient_view", order=90))
