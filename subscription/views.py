"""Company settings (the owner's pages): profile, users and subscription (the data export is the reports app's).

The company is always `request.tenant`: no form takes one, and a user of another company is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from subscription import limits
from subscription.forms import CompanyProfileForm, CompanyUserCreateForm, CompanyUserPasswordForm, CompanyUserRoleForm
from subscription.models import Company, UserProfile
from subscription.selectors import user_label
from subscription.services import (
    company_profile_update,
    company_user_create,
    company_user_deactivate,
    company_user_reactivate,
    company_user_set_password,
    company_user_set_role,
)
from subscription.ui.permissions import require


def _member(request: HttpRequest, pk: int) -> UserProfile:
    """A profile of the request's company by user id; another company's user is not found."""
    return get_object_or_404(UserProfile.objects.select_related("user"), company=request.tenant, user_id=pk)


@login_required
@require("settings_view", post="settings_edit")
def company_edit(request: HttpRequest) -> HttpResponse:
    # A fresh copy: a form that fails validation must not rename request.tenant for this page.
    form = CompanyProfileForm(request.POST or None, instance=Company.objects.get(pk=request.tenant.pk))
    if request.method == "POST" and form.is_valid():
        try:
            company_profile_update(company=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The company profile is saved."))
            return redirect("settings:company-edit")
    return render(request, "settings/company_form.html", {"form": form, "section": "company"})


def _user_usage(company: Company) -> dict:
    (users,) = [entry for entry in limits.usage(company) if entry.limit.key == "users"]
    return {"active": users.in_use, "limit": users.cap}


@login_required
@require("settings_view")
def user_list(request: HttpRequest) -> HttpResponse:
    members = list(
        UserProfile.objects.filter(company=request.tenant)
        .select_related("user")
        .order_by("-user__is_active", "user__first_name", "user__last_name", "user__username")
    )
    usage = _user_usage(request.tenant)
    full = usage["limit"] is not None and usage["active"] >= usage["limit"]
    context = {"members": members, "usage": usage, "full": full, "section": "users"}
    return render(request, "settings/user_list.html", context)


@login_required
@require("users_manage")
def user_add(request: HttpRequest) -> HttpResponse:
    form = CompanyUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = company_user_create(company=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(username)s can now log in with the initial password you set.") % {"username": user_label(user)},
            )
            return redirect("settings:user-list")
    usage = _user_usage(request.tenant)
    return render(request, "settings/user_form.html", {"form": form, "usage": usage, "section": "users"})


@login_required
@require("users_manage")
def user_role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = CompanyUserRoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            company_user_set_role(company=request.tenant, user=member.user, role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role of %(username)s is changed.") % {"username": user_label(member.user)})
            if member.user_id == request.user.pk and form.cleaned_data["role"] != UserProfile.Role.OWNER:
                return redirect("dashboard")  # no longer an owner: the settings pages are closed to them
            return redirect("settings:user-list")
    return render(request, "settings/user_role_form.html", {"form": form, "member": member, "section": "users"})


@login_required
@require("users_manage")
def user_password_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner sets a new password for a member (who forgot theirs and has no e-mail, say)."""
    member = _member(request, pk)
    form = CompanyUserPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company_user_set_password(
                company=request.tenant, user=member.user, password=form.cleaned_data["password1"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None if getattr(error, "code", None) == "self" else "password1", error)
        else:
            messages.success(
                request,
                _("%(name)s has a new password; tell it to them in person. Their open sessions have ended.")
                % {"name": user_label(member.user)},
            )
            return redirect("settings:user-list")
    return render(request, "settings/user_password_form.html", {"form": form, "member": member, "section": "users"})


@login_required
@require("users_manage")
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    try:
        company_user_deactivate(company=request.tenant, user=member.user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(username)s is deactivated and can no longer log in.") % {"username": user_label(member.user)}
        )
    return redirect("settings:user-list")


@login_required
@require("users_manage")
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    try:
        company_user_reactivate(company=request.tenant, user=member.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(username)s can log in again.") % {"username": user_label(member.user)})
    return redirect("settings:user-list")


@login_required
@require("settings_view")
def subscription_detail(request: HttpRequest) -> HttpResponse:
    subscription = request.tenant.current_subscription()
    context = {
        "subscription": subscription,
        "plan": subscription.plan if subscription else None,
        "access": request.tenant_access,
        "usage": limits.usage(request.tenant),
        "section": "subscription",
    }
    return render(request, "settings/subscription_detail.html", context)
