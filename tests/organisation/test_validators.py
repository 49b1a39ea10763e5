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
