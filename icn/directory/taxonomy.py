"""The seed topic taxonomy: cleantech areas (with sub-topics) and the 17 SDGs."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

CLEANTECH_AREAS: list[tuple[str, list[str]]] = [
    ("Energy efficiency", ["Industrial energy efficiency", "Smart grids and demand response"]),
    ("Renewable energy", ["Solar power", "Wind power", "Bioenergy", "Geothermal energy"]),
    ("Hydrogen", ["Green hydrogen production", "Hydrogen storage and distribution"]),
    ("Carbon capture, utilisation and storage", []),
    ("Water and sanitation", ["Wastewater treatment", "Water efficiency"]),
    (
        "Circular economy and industrial symbiosis",
        ["Waste and recycling", "Industrial symbiosis", "Bio-based materials"],
    ),
    (
        "Sustainable mobility",
        ["Electric vehicles and charging", "Maritime and port decarbonisation"],
    ),
    ("Buildings", ["Energy renovation", "Sustainable construction materials"]),
    ("District heating and cooling", []),
    ("Smart cities", ["Urban data platforms"]),
    ("Sustainable tourism", []),
    ("Agri-food", ["Sustainable food production"]),
    ("Climate adaptation", ["Flood and stormwater management"]),
]

SDGS: list[str] = [
    "No poverty",
    "Zero hunger",
    "Good health and well-being",
    "Quality education",
    "Gender equality",
    "Clean water and sanitation",
    "Affordable and clean energy",
    "Decent work and economic growth",
    "Industry, innovation and infrastructure",
    "Reduced inequalities",
    "Sustainable cities and communities",
    "Responsible consumption and production",
    "Climate action",
    "Life below water",
    "Life on land",
    "Peace, justice and strong institutions",
    "Partnerships for the goals",
]


def seed_topics(topic_model: Any) -> None:
    """Create the taxonomy's topics that are missing; existing ones are left as they are."""
    for position, (name, children) in enumerate(CLEANTECH_AREAS):
        parent, _ = topic_model.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": "area", "position": position}
        )
        for child_position, child in enumerate(children):
            topic_model.objects.get_or_create(
                slug=slugify(child),
                defaults={
                    "name": child,
                    "kind": "area",
                    "parent": parent,
                    "position": child_position,
                },
            )
    for number, name in enumerate(SDGS, start=1):
        topic_model.objects.get_or_create(
            slug=f"sdg-{number}",
            defaults={"name": name, "kind": "sdg", "code": f"SDG{number}", "position": number},
        )
