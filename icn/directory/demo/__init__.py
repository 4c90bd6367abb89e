"""The demo network (see `loader`)."""

from __future__ import annotations

from icn.directory.demo.loader import CLUSTERS_CSV, DemoSummary, build_plan, load_demo

__all__ = ["CLUSTERS_CSV", "DemoSummary", "build_plan", "load_demo"]
