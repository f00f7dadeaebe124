from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from appointments.planning import register_frequency_source
        from reports.selectors.targets import company_frequency

        # Monthly plans (a lower app) suggest the calls the company's frequency targets ask for.
        register_frequency_source(company_frequency)

        from reports import export_jobs, report_jobs
        from subscription.access import POSTS_THAT_ONLY_READ

        export_jobs.register()
        report_jobs.register()
        # A read-only company (a lapsed subscription) may still take its data.
        POSTS_THAT_ONLY_READ.add("export:data-export-start")
