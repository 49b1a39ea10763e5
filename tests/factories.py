"""Factories for the organisation; each app adds its own in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from organisation.models import StaffProfile, Unit
from organisation.services import _recompute_paths


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Faker("company", locale="zh_CN")
    level = Unit.Level.GRASSROOTS
    parent = None
    path = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = super()._create(model_class, *args, **kwargs)
        _recompute_paths()
        unit.refresh_from_db()
        return unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass12345")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..staff_no"))
    staff_no = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Faker("name", locale="zh_CN")
    unit = factory.SubFactory(UnitFactory)
    position = "检察官"
