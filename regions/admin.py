from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from regions.models import City, Clinic, Region, Specialization
from regions.services import reference_names_changed, reference_usage
from subscription.tenancy import close_tenant_connections


class ReferenceAdmin(admin.ModelAdmin):
    """Deleting a row that any company's data points at is refused; deactivating is always allowed."""

    list_display = ("name_az", "name_en", "name_ru", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_az", "name_en", "name_ru", "code")
    actions = ["deactivate", "activate"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        try:
            for obj in objs:
                protected.extend(self.usage_refusal(obj))
        finally:
            # The check opened every company's database in this thread: do not keep them open.
            close_tenant_connections()
        return deleted, counts, perms_needed, protected

    @staticmethod
    def usage_refusal(obj) -> list[str]:
        """Why `obj` cannot be deleted: the companies whose data use it, or a database that could not be read."""
        try:
            used_by = reference_usage(obj)
        except ValidationError as error:  # fail closed: an unreadable database might use the row
            return [f"{obj} — {' '.join(error.messages)}"]
        if not used_by:
            return []
        return [
            ngettext(
                "%(name)s — used by %(count)d company; deactivate it instead",
                "%(name)s — used by %(count)d companies; deactivate it instead",
                used_by,
            )
            % {"name": obj, "count": used_by}
        ]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and {"name_az", "name_en", "name_ru"} & set(form.changed_data):
            self.names_changed(request, type(obj), {obj.pk})

    def names_changed(self, request, model, ids: set[int]) -> None:
        """Bring the companies' copies of the names (doctors' search columns) up to date, and say if one failed."""
        try:
            failures = reference_names_changed(model=model, ids=ids)
        finally:
            close_tenant_connections()
        if failures:
            self.message_user(
                request,
                _(
                    "The new name could not be added to the search of every company: %(failures)s. "
                    "Run manage.py refresh_doctor_search for them."
                )
                % {"failures": "; ".join(failures)},
                level=messages.WARNING,
            )

    @admin.action(description=_("Deactivate selected rows"))
    def deactivate(self, request, queryset):
        self.message_user(request, _("%(count)d rows deactivated.") % {"count": queryset.update(is_active=False)})

    @admin.action(description=_("Activate selected rows"))
    def activate(self, request, queryset):
        self.message_user(request, _("%(count)d rows activated.") % {"count": queryset.update(is_active=True)})


class CityInline(admin.TabularInline):
    model = City
    fk_name = "region"
    fields = ("name_az", "name_en", "name_ru", "code", "parent", "is_active")
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False  # through the city's own page, which checks the companies first


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ("name_az", "name_en", "code", "sort_order", "is_active")
    inlines = [CityInline]


@admin.register(City)
class CityAdmin(ReferenceAdmin):
    list_display = ("name_az", "name_en", "region", "parent", "code", "is_active")
    list_filter = ("is_active", "region")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("region", "parent")


@admin.register(Clinic)
class ClinicAdmin(ReferenceAdmin):
    list_display = ("name_az", "name_en", "city", "region_name", "kind", "is_active")
    list_filter = ("is_active", "kind", "city__region", "city")
    list_select_related = ("city__region",)
    search_fields = ("name_az", "name_en", "name_ru", "code", "address")
    autocomplete_fields = ("city",)

    @admin.display(description=_("region"), ordering="city__region__sort_order")
    def region_name(self, obj: Clinic) -> str:
        return str(obj.city.region)


@admin.register(Specialization)
class SpecializationAdmin(ReferenceAdmin):
    pass
