"""Project-wide HTTP policy that no single app owns."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Apps whose every page shows personal data.
NO_STORE_APPS = frozenset({"patients"})


def is_private(request: HttpRequest, response: HttpResponse) -> bool:
    """Patient pages and every download (exports, reports, the company's data) are never to be kept."""
    if response.get("Content-Disposition", "").lower().startswith("attachment"):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.app_name in NO_STORE_APPS


class PrivateResponseMiddleware:
    """`Cache-Control: no-store, private` on private responses, so neither a browser's cache (a shared
    computer's back button) nor a proxy keeps a copy of patient data or of an export."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request, response):
            patch_cache_control(response, no_store=True, private=True)
        return response
