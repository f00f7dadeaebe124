from decimal import Decimal

import factory
from django.utils import timezone

from sales.models import Product, Sale


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
