from subscription.ui.permissions import Abilities, company_role


def tenant(request) -> dict:
    return {
        "tenant": getattr(request, "tenant", None),
        "tenant_read_only": getattr(request, "tenant_read_only", False),
        "impersonation": getattr(request, "impersonation", None),
        "company_role": company_role(request),
        "can": Abilities(request),
    }
