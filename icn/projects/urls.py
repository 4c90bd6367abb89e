from __future__ import annotations

from icn.projects import consortium_views, views

app_name = "projects"

# Applications and their workspace (views.py), and the consortium builder
# (consortium_views.py), under one namespace.
urlpatterns = [*views.urlpatterns, *consortium_views.urlpatterns]
