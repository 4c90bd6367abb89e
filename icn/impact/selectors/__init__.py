"""Reads of the impact indicators that depend on who is asking.

One function, `access_for`, decides who sees what: the secretariat sees the whole network and
every cluster by name; a cluster manager sees its own cluster(s) against the network's
distribution, the other clusters unnamed; a member of an organisation sees its organisation's
own dashboard. Pages, exports, the yearly report, the API and the command all go through it.
"""

from __future__ import annotations

from icn.impact.selectors.access import (
    OPERATOR,
    Access,
    Landing,
    access_for,
    cluster_for_viewer,
    clusters_for,
    landing_for,
    organisation_for_viewer,
    organisations_for,
    require_network,
)
from icn.impact.selectors.dashboards import (
    Cell,
    Dashboard,
    FunnelStage,
    Group,
    Line,
    MapMarker,
    cluster_dashboard,
    cluster_table,
    network_dashboard,
    network_table,
    organisation_dashboard,
    organisation_table,
    viewer_rows,
)
from icn.impact.selectors.periods import (
    EARLIEST_YEAR,
    PERIODS,
    PeriodChoice,
    check_periods,
    default_periods,
    this_year,
)
from icn.impact.selectors.values import (
    ROW_COLUMNS,
    Distribution,
    Position,
    Row,
    distribution,
    format_value,
    position,
    rows_of,
)

__all__ = [
    "EARLIEST_YEAR",
    "OPERATOR",
    "PERIODS",
    "ROW_COLUMNS",
    "Access",
    "Cell",
    "Dashboard",
    "Distribution",
    "FunnelStage",
    "Group",
    "Landing",
    "Line",
    "MapMarker",
    "PeriodChoice",
    "Position",
    "Row",
    "access_for",
    "check_periods",
    "cluster_dashboard",
    "cluster_for_viewer",
    "cluster_table",
    "clusters_for",
    "default_periods",
    "distribution",
    "format_value",
    "landing_for",
    "network_dashboard",
    "network_table",
    "organisation_dashboard",
    "organisation_for_viewer",
    "organisation_table",
    "organisations_for",
    "position",
    "require_network",
    "rows_of",
    "this_year",
    "viewer_rows",
]
