"""Route master apps to `default` and tenant apps to the selected company's database.

The wrong-company guard knows an object's company by the alias it was read through
(`tenant_<slug>`, a stamp that stays with the object whether that alias is registered now or not):
an object of company A is never written, read through or related while company B is selected.
"""

from django.db import DEFAULT_DB_ALIAS, connections

from subscription import replicas
from subscription.tenancy import (
    MASTER_APPS,
    NoTenantSelected,
    WrongTenant,
    alias_company,
    current_alias,
    current_tenant,
    is_tenant_alias,
)


def _is_master(model) -> bool:
    return model._meta.app_label in MASTER_APPS


def _instance_db(hints: dict) -> str | None:
    instance = hints.get("instance")
    return getattr(getattr(instance, "_state", None), "db", None)


class TenantRouter:
    """The only place (with tenancy.py) that decides which database a query goes to."""

    def _tenant_db(self, model, hints: dict, *, writing: bool) -> str:
        company = current_tenant()
        if company is None:
            raise NoTenantSelected(model._meta.label)
        selected = current_alias()
        owner = alias_company(_instance_db(hints))
        if owner is not None and owner != company.slug:
            action = "written" if writing else "read through"
            raise WrongTenant(
                f"{model._meta.label} of company {owner!r} cannot be {action} while {company.slug!r} is selected."
            )
        return selected

    def db_for_read(self, model, **hints) -> str:
        if _is_master(model):
            return DEFAULT_DB_ALIAS
        primary = self._tenant_db(model, hints, writing=False)
        # Inside replicas.reading_from_replica(): the company's replica, unless a write pinned the primary.
        return replicas.read_alias(primary, connections) or primary

    def db_for_write(self, model, **hints) -> str:
        if _is_master(model):
            return DEFAULT_DB_ALIAS
        replicas.pin_to_primary()
        return self._tenant_db(model, hints, writing=True)

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        company1, company2 = alias_company(obj1._state.db), alias_company(obj2._state.db)
        if company1 is not None and company2 is not None and company1 != company2:
            # Refused loudly: Django's own refusal would be a ValueError that hides whose objects they were.
            raise WrongTenant(
                f"A {obj1._meta.label} of company {company1!r} cannot be related to "
                f"a {obj2._meta.label} of company {company2!r}."
            )
        # master <-> master, tenant -> master (by id, without a database constraint), one company's objects
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        if app_label in MASTER_APPS:
            return db == DEFAULT_DB_ALIAS
        return is_tenant_alias(db)
