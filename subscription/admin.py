from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from subscription.models import Company, Subscription, SubscriptionPlan, TenantSchemaState, TenantServer, UserProfile
from subscription.provisioning import ProvisioningError, database_code_taken, tenant_database_create
from subscription.scaleout.placement import server_states
from subscription.schema import SCHEMA_STATES, schema_state
from subscription.storage import storage_for


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

    database_server = forms.ChoiceField(
        label=_("database server"),
        required=False,
        help_text=_("Where the company's database is made. Empty: the open server with the fewest companies."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "database_server" in self.fields:
            states = server_states()
            self.fields["database_server"].choices = [("", _("Chosen automatically"))] + [
                (name, f"{name} · {TenantServer.State(state).label}")
                for name, state in states.items()
                if state != TenantServer.State.DRAINING
            ]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.instance._state.adding and database_code_taken(slug):
            raise forms.ValidationError(_("A database for this code already exists; choose another code."))
        return slug


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = (
        "name",
        "slug",
        "is_active",
        "lifecycle",
        "plan_name",
        "subscription_status",
        "created_at",
        "server",
        "database",
    )
    list_filter = ("is_active", "lifecycle", "subscriptions__plan", "subscriptions__status")
    search_fields = ("name", "slug", "contact_name", "contact_email", "tax_id")
    list_select_related = ("schema_state",)
    inlines = [SubscriptionInline]

    def get_queryset(self, request):
        current = Subscription.objects.filter(company=OuterRef("pk")).order_by("-starts_on", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_plan=Subquery(current.values("plan__name")[:1]),
                current_status=Subquery(current.values("status")[:1]),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # The lifecycle moves only through its services (master admin, manage.py), which move the database
        # too; a company changes server only by a move (/master-admin/, manage.py move_company).
        return ("slug", "server", "lifecycle", "lifecycle_changed_at", "final_backup") if obj else ()

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name not in ("server", "database_server")]
        return [*fields, "server" if obj else "database_server"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a company is the last lifecycle step, which keeps a final backup of its
        # database; here a company is deactivated instead.
        return False

    @admin.display(description=_("plan"), ordering="current_plan")
    def plan_name(self, obj: Company) -> str:
        return getattr(obj, "current_plan", None) or "—"

    @admin.display(description=_("subscription"), ordering="current_status")
    def subscription_status(self, obj: Company) -> str:
        status = getattr(obj, "current_status", None)
        return Subscription.Status(status).label if status else "—"

    @admin.display(description=_("database"))
    def database(self, obj: Company) -> str:
        files = storage_for(obj).files(obj.slug)
        state = SCHEMA_STATES[schema_state(obj, exists=files.exists)]
        if files.exists is None:  # not on SQLite: no file to look at
            return str(state)
        if not files.exists:
            return gettext("no file · %(state)s") % {"state": state}
        size = filesizeformat((files.size or 0) + (files.wal_size or 0))
        return gettext("%(size)s · %(state)s") % {"size": size, "state": state}

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.lifecycle = Company.Lifecycle.PROVISIONING
        super().save_model(request, obj, form, change)
        if not change:
            # The admin saves the company and its subscriptions in one master transaction; the database
            # is built after it commits, by the same service as everywhere (provisioning.py's steps).
            server = form.cleaned_data.get("database_server") or None
            transaction.on_commit(partial(self.provision, request, obj, server))

    @staticmethod
    def provision(request, company: Company, server: str | None = None) -> None:
        try:
            tenant_database_create(company, server=server)
        except (ProvisioningError, DatabaseError) as error:
            messages.error(
                request,
                gettext(
                    "%(company)s was saved, but its database could not be made (%(error)s). It stays “being set "
                    "up”: run manage.py create_tenant_db %(slug)s to finish it."
                )
                % {"company": company.name, "error": error, "slug": company.slug},
            )


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
