from __future__ import annotations

from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "icn.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"
