"""Reads for the dashboard, the reports and the data export, aggregated in the company's database."""

from reports.selectors.common import ReportResult, user_names
from reports.selectors.dashboard import dashboard_figures
from reports.selectors.payments import payments_by_doctor_report, payments_by_kind_report
from reports.selectors.periods import Period, preset_period, year_period
from reports.selectors.sales import (
    sales_by_month_report,
    sales_by_product_report,
    sales_by_region_report,
    sales_by_rep_report,
)
from reports.selectors.saved import saved_report_list
from reports.selectors.visits import coverage_report, visits_per_rep_report, visits_plan_report

__all__ = [
    "Period",
    "ReportResult",
    "coverage_report",
    "dashboard_figures",
    "payments_by_doctor_report",
    "payments_by_kind_report",
    "preset_period",
    "sales_by_month_report",
    "sales_by_product_report",
    "sales_by_region_report",
    "sales_by_rep_report",
    "saved_report_list",
    "user_names",
    "visits_per_rep_report",
    "visits_plan_report",
    "year_period",
]
