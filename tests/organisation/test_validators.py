import pytest
from django.core.exceptions import ValidationError

from organisation.validators import CODE_MAX_LENGTH, validate_code


@pytest.mark.parametrize("code", ["IND-101", "GD.GZ_1", "U0001", "刑法01", "2026"])
def test_it_accepts_slug_like_codes(code):
    validate_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "a/b", "GD/GZ", "a b", "a\x00b", "a\n", ".", "..", "-x", "_x", "a%2Fb", "a?b"],
)
def test_it_refuses_codes_that_break_urls_or_paths(code):
    with pytest.raises(ValidationError):
        validate_code(code)


def test_it_refuses_overlong_codes():
    validate_code("A" * CODE_MAX_LENGTH)
    with pytest.raises(ValidationError):
        validate_code("A" * (CODE_MAX_LENGTH + 1))


@pytest.mark.django_db
def test_every_code_field_refuses_a_slash_in_model_validation(reference_data):
    from assessments.models import Question
    from learning.campaigns.models import Campaign
    from learning.models import CoursePage
    from organisation.models import Unit

    for model in (Unit, Campaign, CoursePage, Question):
        field = model._meta.get_field("code")
        with pytest.raises(ValidationError):
            field.clean("A/B", None)
        assert field.clean("A-B", None) == "A-B"


@pytest.mark.django_db
def test_a_unit_with_a_slash_in_its_code_fails_full_clean():
    from organisation.models import Unit

    unit = Unit(code="GD/GZ", name="广州", level=Unit.Level.CITY)
    with pytest.raises(ValidationError) as exc:
        unit.full_clean(exclude=["path"])
    assert "code" in exc.value.message_dict
