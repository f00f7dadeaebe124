"""`{{ request.path|nav_section }}`: the entry of the header's menu a page belongs to ("" for none)."""

from django import template

register = template.Library()

# Longer prefixes first: the pharmacies and samples pages live under /sales/ but belong to the field force.
SECTIONS = (
    ("/doctors/", "doctors"),
    ("/patients/", "patients"),
    ("/appointments/today/", "today"),
    ("/appointments/", "visits"),
    ("/sales/pharmacies/", "pharmacies"),
    ("/sales/samples/", "samples"),
    ("/sales/", "sales"),
    ("/payments/", "payments"),
    ("/plans/", "plans"),
    ("/targets/", "targets"),
    ("/territories/", "territories"),
    ("/reports/", "reports"),
    ("/settings/", "settings"),
)
FIELD_FORCE = {"plans", "targets", "territories", "pharmacies", "samples"}


@register.filter
def nav_section(path: str) -> str:
    if path == "/":
        return "dashboard"
    return next((name for prefix, name in SECTIONS if path.startswith(prefix)), "")


@register.filter
def in_field_force(section: str) -> bool:
    """Whether the section is one of the field force's menu (plans, targets, territories, pharmacies, samples)."""
    return section in FIELD_FORCE
