from __future__ import annotations

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "icn.directory"
    label = "directory"
    verbose_name = "Directory"
