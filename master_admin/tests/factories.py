import datetime

import factory
from django.conf import settings
from django.utils import timezone

from master_admin.models import ImpersonationSession
from subscription.tests.factories import UserFactory


class SuperuserFactory(UserFactory):
    is_superuser = True
    is_staff = True


class ImpersonationSessionFactory(factory.django.DjangoModelFactory):
    """A session already in the log (the service makes real ones)."""

    class Meta:
        model = ImpersonationSession

    superuser = factory.SubFactory(SuperuserFactory)
    reason = factory.Sequence(lambda n: f"Support ticket #{n}")
    started_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda session: session.started_at + datetime.timedelta(minutes=settings.IMPERSONATION_MINUTES)
    )
    ip_address = "10.0.0.1"
