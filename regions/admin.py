from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from regions.models import City, Clinic, Region, Specialization
from regions.services import reference_usage


class ReferenceAdmin(admin.ModelAdmin):
    """Deleting a row that any company's data points at is refused; deactivating is always allowed."""

    list_display = ("name_az", "name_en", "name_ru", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_az", "name_en", "name_ru", "code")
    actions = ["deactivate", "activate"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            used_by = reference_usage(obj)
            if used_by:
                protected.append(
                    ngettext(
                        "%(name)s — used by %(count)d company; deactivate it instead",
                        "%(name)s — used by %(count)d companies; deactivate it instead",
                        used_by,
                    )
                    % {"name": obj, "count": used_by}
                )
        return deleted, counts, perms_needed, protected

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
    search_fields = ("name_az", "name_en", "code", "address")
    autocomplete_fields = ("city",)

    @admin.display(description=_("region"), ordering="city__region__sort_order")
    def region_name(self, obj: Clinic) -> str:
        return str(obj.city.region)


@admin.register(Specialization)
class SpecializationAdmin(ReferenceAdmin):
    pass
