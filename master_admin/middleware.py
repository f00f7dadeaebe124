"""Finds the superuser's open impersonation session, for the tenant middleware that runs next."""

from django.http import HttpRequest, HttpResponse

from master_admin.models import ImpersonationSession
from master_admin.services import IMPERSONATION_SESSION_KEY, impersonation_expire
from subscription.access import impersonation_is_open


class ImpersonationMiddleware:
    """Sets `request.impersonation`: the superuser's open session inside a company, or None.

    An expired session is closed (and recorded as expired) when it is next seen.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.impersonation = self.open_session(request)
        return self.get_response(request)

    @staticmethod
    def open_session(request: HttpRequest) -> ImpersonationSession | None:
        if not (request.user.is_authenticated and request.user.is_superuser):
            return None
        session_id = request.session.get(IMPERSONATION_SESSION_KEY)
        if session_id is None:
            return None
        session = (
            ImpersonationSession.objects.select_related("company__schema_state")
            .filter(pk=session_id, superuser=request.user, ended_at__isnull=True)
            .first()
        )
        if session is not None and not impersonation_is_open(session):
            impersonation_expire(session)
            session = None
        if session is None:
            request.session.pop(IMPERSONATION_SESSION_KEY, None)
        return session
