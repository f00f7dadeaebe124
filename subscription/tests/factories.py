import factory
from django.contrib.auth import get_user_model

from subscription.models import Company, Subscription, SubscriptionPlan, UserProfile
from subscription.services import company_create


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionPlan
        django_get_or_create = ("code",)

    code = "business"
    name = "Business"
    price_monthly = 199
    max_users = 15
    max_doctors = 2000


class CompanyFactory(factory.django.DjangoModelFactory):
    """A company with its subscription and a real database (through the provisioning service)."""

    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"co-{n:04d}")
    plan = factory.SubFactory(PlanFactory)
    status = Subscription.Status.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return company_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory)
    company = None
    role = UserProfile.Role.VIEWER
    language = "en"
