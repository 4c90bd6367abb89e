from __future__ import annotations

from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "icn.impact"
    label = "impact"
    verbose_name = "Impact"
