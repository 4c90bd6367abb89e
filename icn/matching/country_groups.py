"""Groups of countries a funding call may name instead of listing every country.

Plain Python (pycountry only). Codes are ISO 3166-1 alpha-2, as organisations store them.

Sources, as of November 2025:
- EU member states: the 27 members of the European Union (europa.eu, "EU countries").
  Greece is GR here (ISO), not EL as the EU's own protocol order writes it.
- Countries associated to Horizon Europe: the European Commission's "List of participating
  countries in Horizon Europe" (EU Funding & Tenders Portal, reference documents), with the
  agreements signed since: Switzerland (signed 10 November 2025, applied from 1 January 2025)
  and Egypt (signed 22 October 2025). Canada, New Zealand and the Republic of Korea are
  associated to Pillar II (Global Challenges and European Industrial Competitiveness), the
  pillar of collaborative projects, which is what calls on this platform fund. Kosovo is
  associated too, but XK is not an ISO 3166 code: the platform cannot record an organisation
  there, so it is left out. Morocco and Japan were still negotiating and are not listed.
Revisit the lists when the Commission updates its list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import pycountry

EU_MEMBER_STATES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)

HORIZON_EUROPE_ASSOCIATED = frozenset(
    {
        "AL",  # Albania
        "AM",  # Armenia
        "BA",  # Bosnia and Herzegovina
        "CA",  # Canada (Pillar II)
        "CH",  # Switzerland (from 2025)
        "EG",  # Egypt (from 2025)
        "FO",  # Faroe Islands
        "GB",  # United Kingdom
        "GE",  # Georgia
        "IL",  # Israel
        "IS",  # Iceland
        "KR",  # Republic of Korea (Pillar II)
        "MD",  # Moldova
        "ME",  # Montenegro
        "MK",  # North Macedonia
        "NO",  # Norway
        "NZ",  # New Zealand (Pillar II)
        "RS",  # Serbia
        "TN",  # Tunisia
        "TR",  # Türkiye
        "UA",  # Ukraine
    }
)

ANY = "any"
# A group's key, the countries it holds (None: every country) and how it reads in a sentence.
GROUPS: Mapping[str, frozenset[str] | None] = {
    "eu": EU_MEMBER_STATES,
    "associated": HORIZON_EUROPE_ASSOCIATED,
    ANY: None,
}
GROUP_NAMES: Mapping[str, str] = {
    "eu": "EU member states",
    "associated": "countries associated to Horizon Europe",
    ANY: "any country",
}
GROUP_CHOICES = [
    ("eu", "EU member states"),
    ("associated", "Countries associated to Horizon Europe"),
    (ANY, "Any country"),
]


@cache
def _names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}


def is_country(code: str) -> bool:
    return (code or "").upper() in _names()


def country_name(code: str) -> str:
    return _names().get((code or "").upper(), code or "")


def countries_of(groups: Iterable[str], countries: Iterable[str] = ()) -> frozenset[str] | None:
    """The countries named by groups and codes together; None when any country is open."""
    result = {str(code).upper() for code in countries}
    for group in groups:
        members = GROUPS.get(str(group), frozenset())
        if members is None:
            return None
        result |= members
    return frozenset(result)
