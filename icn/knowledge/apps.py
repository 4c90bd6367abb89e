from __future__ import annotations

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "icn.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge library"
