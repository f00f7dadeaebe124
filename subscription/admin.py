from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from subscription.models import Company, Subscription, SubscriptionPlan, TenantSchemaState, UserProfile
from subscription.provisioning import tenant_database_create, tenant_database_exists


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "price_monthly", "max_users", "max_doctors", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 1
    min_num = 1
    fields = ("plan", "status", "starts_on", "ends_on")


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "slug", "is_active", "contact_name", "contact_email", "contact_phone", "address", "tax_id"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.instance._state.adding and tenant_database_exists(slug):
            raise forms.ValidationError(_("A database for this code already exists; choose another code."))
        return slug


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ("name", "slug", "is_active", "created_at", "database_state")
    list_filter = ("is_active", "subscriptions__plan", "subscriptions__status")
    search_fields = ("name", "slug", "contact_name", "contact_email")
    list_select_related = ("schema_state",)
    inlines = [SubscriptionInline]

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()

    @admin.display(description=_("database"))
    def database_state(self, obj: Company) -> str:
        state = getattr(obj, "schema_state", None)
        if state is None:
            return _("missing")
        if state.last_error:
            return _("error")
        return _("ready")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # The admin runs this inside one transaction: a failure undoes the company too.
            tenant_database_create(obj)


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    fields = ("company", "role", "language", "phone")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [UserProfileInline]
    list_display = ("username", "email", "first_name", "last_name", "company", "role", "is_active", "is_superuser")
    list_filter = ("is_superuser", "is_active", "profile__company", "profile__role")
    list_select_related = ("profile__company",)

    @admin.display(description=_("company"), ordering="profile__company__name")
    def company(self, obj: User):
        profile = getattr(obj, "profile", None)
        return profile.company if profile else None

    @admin.display(description=_("role"))
    def role(self, obj: User):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else None


@admin.register(TenantSchemaState)
class TenantSchemaStateAdmin(admin.ModelAdmin):
    list_display = ("company", "migrated_at", "duration_ms", "failed_at")
    readonly_fields = [f.name for f in TenantSchemaState._meta.fields]

    def has_add_permission(self, request):
        return False
