from subscription.ui.permissions import Abilities, company_role


def tenant(request) -> dict:
    return {
        "tenant": getattr(request, "tenant", None),
        "tenant_read_only": getattr(request, "tenant_read_only", False),
        # Why it is read-only when the platform's work is the reason: "move" or "recover" (subscription.access).
        "tenant_held": getattr(getattr(request, "tenant", None), "lifecycle_pending", "") or "",
        "impersonation": getattr(request, "impersonation", None),
        "company_role": company_role(request),
        "can": Abilities(request),
    }
