"""Countries by ISO 3166-1 alpha-2 code, from pycountry."""

from __future__ import annotations

from functools import cache

import pycountry
from django.core.exceptions import ValidationError


@cache
def country_choices() -> list[tuple[str, str]]:
    countries = [(c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries]
    return sorted(countries, key=lambda item: item[1])


@cache
def _names() -> dict[str, str]:
    return dict(country_choices())


def country_name(code: str) -> str:
    return _names().get((code or "").upper(), code or "")


def normalise_country(value: str) -> str:
    """An ISO alpha-2 code from a code or a name ("dk", "DNK", "Denmark"); raises if unknown."""
    text = (value or "").strip()
    if not text:
        raise ValidationError("Country is required.")
    if len(text) == 2 and text.upper() in _names():
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        raise ValidationError(f"Unknown country: {text!r}. Use an ISO code such as DK.") from None


def validate_country(value: str) -> None:
    if (value or "").upper() not in _names():
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code.")
