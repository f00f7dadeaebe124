def tenant(request) -> dict:
    return {
        "tenant": getattr(request, "tenant", None),
        "tenant_read_only": getattr(request, "tenant_read_only", False),
        "impersonation": getattr(request, "impersonation", None),
    }
