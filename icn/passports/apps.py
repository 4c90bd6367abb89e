from __future__ import annotations

from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "icn.passports"
    label = "passports"
    verbose_name = "Passports"
