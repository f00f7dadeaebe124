"""What each role inside a company may do (DOMAIN.md), checked by every view and every button.

A superuser inside a company (impersonation) acts as its owner. A read-only company (lapsed
subscription, or a superuser's read-only visit) may only read.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from subscription.models import UserProfile

OWNER, MANAGER, REP, VIEWER = (
    UserProfile.Role.OWNER,
    UserProfile.Role.MANAGER,
    UserProfile.Role.REPRESENTATIVE,
    UserProfile.Role.VIEWER,
)
EVERYONE = frozenset({OWNER, MANAGER, REP, VIEWER})
MANAGERS = frozenset({OWNER, MANAGER})

# action -> roles allowed. Actions ending in "_view", and exports, only read; the others write.
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard_view": EVERYONE,
    "doctor_view": EVERYONE,
    "doctor_edit": MANAGERS,
    "patient_view": frozenset({OWNER, MANAGER, REP}),
    "patient_edit": MANAGERS,
    "appointment_view": EVERYONE,
    "appointment_edit": frozenset({OWNER, MANAGER, REP}),  # a representative: own visits only
    "appointment_reopen": MANAGERS,
    "product_view": EVERYONE,
    "product_edit": MANAGERS,
    "sale_view": EVERYONE,
    "sale_edit": frozenset({OWNER, MANAGER, REP}),  # a representative: own entries only
    "sale_import": MANAGERS,
    "import_undo": MANAGERS,  # remove an imported file's sales (recorded on the import)
    "payment_view": frozenset({OWNER, MANAGER, VIEWER}),
    "payment_edit": MANAGERS,
    "payment_approve": MANAGERS,
    "report_view": frozenset({OWNER, MANAGER, VIEWER}),
    "report_save": MANAGERS,
    "export": frozenset({OWNER, MANAGER}),
    "settings_view": frozenset({OWNER}),
    "settings_edit": frozenset({OWNER}),
    "users_manage": frozenset({OWNER}),
    # The field force (territories, call reports, samples, monthly plans, targets).
    "all_doctors_view": EVERYONE,  # look beyond one's own territory (doctors.visibility)
    "territory_view": EVERYONE,
    "territory_manage": MANAGERS,
    "pharmacy_view": EVERYONE,
    "pharmacy_edit": MANAGERS,
    "call_report": frozenset({OWNER, MANAGER, REP}),  # a representative: own visits only
    "sample_view": EVERYONE,  # a representative: own stock only
    "sample_issue": MANAGERS,
    "plan_view": EVERYONE,  # a representative: own plans only
    "plan_edit": frozenset({OWNER, MANAGER, REP}),  # one's own plan
    "plan_approve": MANAGERS,
    "target_view": EVERYONE,  # a representative: own figures only
    "target_manage": MANAGERS,
}


def company_role(request: HttpRequest) -> str | None:
    """The role of the request's user inside the selected company."""
    if getattr(request, "tenant", None) is None:
        return None
    if getattr(request, "impersonation", None) is not None:
        return OWNER
    profile = getattr(request.user, "profile", None)
    return profile.role if profile else None


def can(request: HttpRequest, action: str) -> bool:
    """Whether the request may do `action` in its company now."""
    role = company_role(request)
    if role is None or role not in PERMISSIONS[action]:
        return False
    reads_only = action.endswith("_view") or action == "export"
    return reads_only or not getattr(request, "tenant_read_only", False)


def is_representative(request: HttpRequest) -> bool:
    """Representatives see and edit only their own visits and sales entries."""
    return company_role(request) == REP


def require(action: str, *, post: str | None = None):
    """View decorator: 403 unless the request may do `action` (and `post` too for a POST, when given).

    The view declares what it needs (`required_action`, `required_post_action`): the role × URL
    test (config/tests) reads them, so a view without a declared action fails it.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request, action) or (post and request.method == "POST" and not can(request, post)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_action = action
        wrapped.required_post_action = post or action
        return wrapped

    return decorator


class PermissionMixin(AccessMixin):
    """Class-based views: `permission = "doctor_edit"`."""

    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Abilities:
    """`{{ can.doctor_edit }}` in templates."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def __getattr__(self, action: str) -> bool:
        if action not in PERMISSIONS:
            raise AttributeError(action)
        return can(self.request, action)
