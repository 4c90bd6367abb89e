"""Economic sectors as NACE codes, from the naceconverter package."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import naceconverter
from django.core.exceptions import ValidationError


@cache
def _descriptions() -> dict[str, str]:
    return {
        code: naceconverter.get_description(code) or "" for code in naceconverter.get_all_codes()
    }


def nace_description(code: str) -> str:
    return _descriptions().get(code, "")


def parse_nace_codes(value: Any) -> list[str]:
    """Codes from a list or a text separated by commas, semicolons or spaces."""
    if isinstance(value, str):
        value = value.replace(";", ",").replace(" ", ",").split(",")
    return [str(item).strip().upper() for item in value or [] if str(item).strip()]


def validate_nace_codes(value: Iterable[str] | str) -> list[str]:
    codes = parse_nace_codes(value)
    unknown = [code for code in codes if code not in _descriptions()]
    if unknown:
        raise ValidationError(
            {"nace_codes": f"Unknown NACE code(s): {', '.join(unknown)}. Use codes such as 35.12."}
        )
    return list(dict.fromkeys(codes))
