import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from regions.tests.factories import CityFactory
from sales.models import Pharmacy, Product, Sale, SampleMovement, SampleStock
from subscription.tests.factories import UserFactory


class ProductFactory(factory.django.DjangoModelFactory):
    """A product of the selected company."""

    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Kardiomaks {n}")
    form = "tablets"
    strength = "10 mg"
    pack = "30 tabs"
    price = Decimal("12.50")


class SaleFactory(factory.django.DjangoModelFactory):
    """A sale line of the selected company; amount = quantity × unit price."""

    class Meta:
        model = Sale

    date = factory.LazyFunction(timezone.localdate)
    product = factory.SubFactory(ProductFactory)
    quantity = 10
    unit_price = factory.SelfAttribute("product.price")
    distributor = "Azərfarm"
    pharmacy = "Zəfəran aptek"
    invoice_number = factory.Sequence(lambda n: f"INV-{n:05d}")


class PharmacyFactory(factory.django.DjangoModelFactory):
    """A pharmacy of the selected company."""

    class Meta:
        model = Pharmacy

    name = factory.Sequence(lambda n: f"Aptek {n}")
    city = factory.SubFactory(CityFactory)
    chain = "Zəfəran"


class SampleStockFactory(factory.django.DjangoModelFactory):
    """A lot held by a representative (no movements: use sales.sample_services.sample_issue for those)."""

    class Meta:
        model = SampleStock

    representative = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)
    lot = factory.Sequence(lambda n: f"LOT{n:04d}")
    expiry = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))
    quantity = 10


class SampleMovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SampleMovement

    stock = factory.SubFactory(SampleStockFactory)
    kind = SampleMovement.Kind.ISSUED
    quantity = 10
