from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DoctorsConfig(AppConfig):
    name = "doctors"
    verbose_name = _("Doctors")

    def ready(self) -> None:
        from doctors.models import Doctor
        from doctors.services import doctor_search_refresh_everywhere
        from regions.services import on_reference_renamed
        from subscription.limits import PlanLimit, register_limit
        from subscription.ui.cards import add_card_section
        from subscription.ui.history import history_section

        # Doctors keep their specializations' and city's names in their search column.
        on_reference_renamed(doctor_search_refresh_everywhere)
        # The doctor's changes come last, after the visits, sales and payments other apps add.
        add_card_section("doctors.Doctor", history_section(permission="doctor_view", order=90))

        register_limit(
            PlanLimit(
                key="doctors",
                label=_("Active doctors"),
                plan_field="max_doctors",
                in_use=lambda company: Doctor.objects.filter(is_active=True).count(),
                refusal=_(
                    "The %(plan)s plan allows %(limit)d active doctors and the company has reached it. "
                    "Deactivate doctors you no longer work with, or ask about a larger plan."
                ),
            )
        )
