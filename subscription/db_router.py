"""Route master apps to `default` and tenant apps to the selected company's database."""

from django.db import DEFAULT_DB_ALIAS

from subscription.tenancy import (
    MASTER_APPS,
    NoTenantSelected,
    WrongTenant,
    current_alias,
    current_tenant,
    is_tenant_alias,
)


def _is_master(model) -> bool:
    return model._meta.app_label in MASTER_APPS


def _instance_db(hints: dict) -> str | None:
    instance = hints.get("instance")
    db = getattr(getattr(instance, "_state", None), "db", None)
    return db if is_tenant_alias(db) else None


class TenantRouter:
    """The only place (with tenancy.py) that decides which database a query goes to."""

    def _tenant_db(self, model, hints: dict, *, writing: bool) -> str:
        instance_db = _instance_db(hints)
        if current_tenant() is None:
            if instance_db is not None:
                return instance_db
            raise NoTenantSelected(model._meta.label)
        selected = current_alias()
        if instance_db is not None and instance_db != selected:
            action = "written" if writing else "read through"
            raise WrongTenant(
                f"{model._meta.label} loaded from {instance_db} cannot be {action} while {selected} is selected."
            )
        return selected

    def db_for_read(self, model, **hints) -> str:
        if _is_master(model):
            return DEFAULT_DB_ALIAS
        return self._tenant_db(model, hints, writing=False)

    def db_for_write(self, model, **hints) -> str:
        if _is_master(model):
            return DEFAULT_DB_ALIAS
        return self._tenant_db(model, hints, writing=True)

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        db1, db2 = obj1._state.db, obj2._state.db
        if is_tenant_alias(db1) and is_tenant_alias(db2):
            return db1 == db2
        # master <-> master, and tenant -> master (by id, without a database constraint)
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        if app_label in MASTER_APPS:
            return db == DEFAULT_DB_ALIAS
        return is_tenant_alias(db)
