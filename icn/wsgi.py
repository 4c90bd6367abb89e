"""The web application for WSGI servers (gunicorn, and Django's runserver)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icn.settings")
application = get_wsgi_application()

# Only web processes import this module: they load the matching model and indexes while
# they wait for their first request (commands and the worker do not pay for it).
from icn.matching.index import start_warm_up  # noqa: E402

start_warm_up()
