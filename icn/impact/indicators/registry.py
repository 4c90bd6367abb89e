"""The indicators, in the order shown to people, and how each is derived from its source.

The definitions are the ones in docs/indicators.md, word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from icn.impact.indicators.sources import (
    COUNTRY_DIMENSION,
    SOURCES,
    Dimension,
    Source,
    country_of,
)
from icn.impact.table import Indicator

COUNT, STOCK, SUM, MEAN, RATE = "count", "stock", "sum", "mean", "rate"


@dataclass(frozen=True)
class Measure:
    """How an indicator's value comes out of its source's tallies."""

    source: str
    how: str  # COUNT items, STOCK (items up to the period's end), SUM, MEAN or RATE of a value
    value: str = ""
    # Another breakdown of the source's raw category than the source's own.
    breakdown: Dimension | None = None
    categorise: Callable[[str], str] | None = None

    @property
    def of(self) -> Source:
        return SOURCES[self.source]

    @property
    def dimension(self) -> Dimension | None:
        return self.breakdown or self.of.dimension

    def category(self, raw: str) -> str:
        """The category key of a raw value of the source's category ("" for none)."""
        if self.dimension is None:
            return ""
        categorise = self.categorise or self.of.categorise
        return categorise(raw) if categorise is not None else raw


def _indicator(
    key: str,
    name: str,
    group: str,
    definition: str,
    measure: Measure,
    unit: str = "count",
) -> tuple[Indicator, Measure]:
    dimension = measure.dimension
    indicator = Indicator(
        key=key,
        name=name,
        definition=" ".join(definition.split()),
        group=group,
        unit=unit,
        dimension=dimension.name if dimension is not None else "",
        stock=measure.how == STOCK,
    )
    return indicator, measure


_ALL = [
    _indicator(
        "members",
        "Member organisations",
        "Members",
        """Organisations that belong to the cluster at the end of the period: registered on
        the platform before the period ended and listed among the cluster's members. The
        platform keeps no dates of joining or leaving a cluster, so today's memberships are
        used for every period. Network-wide, every organisation that belongs to at least one
        cluster, counted once. By triple-helix kind: companies (SMEs and large companies),
        public authorities, research, other (funders, NGOs, partners).""",
        Measure("members", STOCK),
    ),
    _indicator(
        "members_by_country",
        "Member organisations by country",
        "Members",
        """The member organisations at the end of the period, as in Member organisations,
        broken down by the country of the organisation.""",
        Measure("members", STOCK, breakdown=COUNTRY_DIMENSION, categorise=country_of),
    ),
    _indicator(
        "members_joined",
        "New member organisations",
        "Members",
        """Member organisations registered on the platform in the period, counted for every
        cluster they belong to (network-wide once), by triple-helix kind.""",
        Measure("members", COUNT),
    ),
    _indicator(
        "opportunities",
        "Opportunities shared",
        "Opportunities",
        """News, tenders, challenges, funding calls and event announcements first published
        in the period by the network's members, clusters and secretariat. Each counts for
        its owning cluster; an item without one counts for every cluster of its author
        organisation. Network-wide each item counts once, including the secretariat's items
        that belong to no cluster. Items imported from outside sources (with no author, no
        organisation and no cluster) are not counted. By kind.""",
        Measure("opportunities", COUNT),
    ),
    _indicator(
        "reshares",
        "Re-shares",
        "Opportunities",
        """Items a cluster passed on to its own members in the period (an item from another
        cluster or from outside, re-shared), counted for the cluster that re-shared it. By
        the kind of item.""",
        Measure("reshares", COUNT),
    ),
    _indicator(
        "matches",
        "Matches by stage reached",
        "Matches",
        """Matches (suggested introductions between two organisations) that reached a stage
        in the period, from each match's recorded history: suggested, introduced, meeting
        held, in discussion, project started, agreement reached. A match counts once in each
        stage it reached in the period; the total counts every match that reached any stage
        in the period once. A match counts for every cluster of either organisation, once
        for a cluster both belong to; network-wide once.""",
        Measure("match_stages", COUNT),
    ),
    _indicator(
        "passport_applications",
        "Passport applications",
        "Passports",
        """Passports (applications to visit a cluster abroad) submitted for the first time
        in the period; a passport returned for changes and submitted again is not counted
        again. Each counts for its home cluster and for its host cluster; network-wide
        once.""",
        Measure("passport_submissions", COUNT),
    ),
    _indicator(
        "passports_accepted",
        "Passports accepted",
        "Passports",
        """Passports accepted in the period, from the passport's history: by the host
        cluster, or by the applicant taking the other dates the host proposed. Counted for
        the home and the host cluster.""",
        Measure("passport_decisions", SUM, "accepted"),
    ),
    _indicator(
        "passport_acceptance_rate",
        "Passport acceptance rate",
        "Passports",
        """Of the passports decided in the period (accepted or declined, from the passport's
        history), the share accepted, in per cent. Proposing other dates is not a decision;
        a withdrawn passport is not decided. Empty where no passport was decided.""",
        Measure("passport_decisions", RATE, "accepted"),
        unit="percent",
    ),
    _indicator(
        "passport_visits",
        "Passport visits",
        "Passports",
        """Passports marked as visited in the period, from the passport's history, counted
        for the home and the host cluster.""",
        Measure("passport_visits", COUNT),
    ),
    _indicator(
        "passport_leads",
        "Business leads from visits",
        "Passports",
        """The business leads (possible customers and partners) visitors reported in the
        closing reports sent in the period, counted for the home and the host cluster.""",
        Measure("passport_reports", SUM, "leads"),
    ),
    _indicator(
        "passport_deals",
        "Deals from visits",
        "Passports",
        """The contracts, sales and agreements that came of visits, as visitors gave them in
        the follow-up feedback sent in the period, counted for the home and the host
        cluster.""",
        Measure("passport_follow_ups", SUM, "deals"),
    ),
    _indicator(
        "passport_rating",
        "Visit rating",
        "Passports",
        """The mean rating (1, nothing came of it, to 5, very valuable) visitors gave in the
        follow-up feedback sent in the period. Empty where no feedback was sent.""",
        Measure("passport_follow_ups", MEAN, "rating"),
        unit="rating",
    ),
    _indicator(
        "events",
        "Events held",
        "Events",
        """Published events (not drafts, not cancelled) that started in the period, counted
        for the host cluster; events of the whole network, with no host cluster, count
        network-wide only. By kind of event.""",
        Measure("events", COUNT),
    ),
    _indicator(
        "event_participants",
        "Event participants",
        "Events",
        """Confirmed registrations (not waiting, not cancelled) for the events held in the
        period, counted like the event: someone at two events counts twice. By kind of
        event.""",
        Measure("participants", COUNT),
    ),
    _indicator(
        "meetings_held",
        "B2B meetings held",
        "Events",
        """One-to-one meetings scheduled at events, whose time slot started in the period,
        that at least one of the two participants confirmed took place when rating it.
        Counted for the event's host cluster.""",
        Measure("meetings_held", COUNT),
    ),
    _indicator(
        "meeting_rating",
        "Meeting rating",
        "Events",
        """The mean rating (1, not useful, to 5, very valuable) participants gave right after
        the meetings held in the period. Empty where no meeting was rated.""",
        Measure("meeting_ratings", MEAN, "rating"),
        unit="rating",
    ),
    _indicator(
        "project_submissions",
        "Project applications submitted",
        "Projects",
        """Applications to funding calls submitted to the funder in the period, from the
        application's history. Each counts for every cluster of its lead and of its other
        consortium partners (partners that declined left out), once per cluster;
        network-wide once. By the call's programme.""",
        Measure("project_submissions", COUNT),
    ),
    _indicator(
        "projects_granted",
        "Projects granted",
        "Projects",
        """Applications the funder granted in the period, from the application's history (an
        application on the reserve list counts when it is granted). Counted like
        submissions, by programme.""",
        Measure("project_results", SUM, "granted"),
    ),
    _indicator(
        "project_success_rate",
        "Project success rate",
        "Projects",
        """Of the funders' final answers in the period (granted or rejected), the share
        granted, in per cent. A place on the reserve list is not a final answer. Empty where
        no answer came. By programme.""",
        Measure("project_results", RATE, "granted"),
        unit="percent",
    ),
    _indicator(
        "grant_amount",
        "Grants won",
        "Projects",
        """The amounts granted to the applications granted in the period, in euro; grants
        in other currencies are left out. A cluster counts the whole grant of every project
        its members take part in; network-wide each grant counts once. By programme.""",
        Measure("project_results", SUM, "amount"),
        unit="EUR",
    ),
    _indicator(
        "library_documents",
        "Library documents added",
        "Library",
        """Documents added to the knowledge library in the period. Each counts for its owning
        cluster; a document without one counts for every cluster of its organisation;
        network-wide once. By kind of document.""",
        Measure("library_documents", COUNT),
    ),
    _indicator(
        "library_downloads",
        "Library downloads",
        "Library",
        """Downloads of library documents in the period (a file downloaded or a link
        opened), counted like the document downloaded. By kind of document.""",
        Measure("library_downloads", COUNT),
    ),
]

# Only for one organisation (organisation_table).
_EVENTS_ATTENDED = _indicator(
    "events_attended",
    "Events attended",
    "Events",
    """Events held in the period (published, not cancelled) at which the organisation had at
    least one confirmed participant. By kind of event.""",
    Measure("events_attended", COUNT),
)

INDICATORS: list[Indicator] = [indicator for indicator, _ in _ALL]

MEASURES: dict[str, Measure] = {
    indicator.key: measure for indicator, measure in [*_ALL, _EVENTS_ATTENDED]
}


def _for_one_organisation() -> list[Indicator]:
    """The indicators a record of one organisation's own counts for; what it attended stands
    where the events held stand in the network's list."""
    chosen = []
    for indicator, measure in _ALL:
        if indicator.key == "events":
            chosen.append(_EVENTS_ATTENDED[0])
        if measure.of.organisations:
            chosen.append(indicator)
    return chosen


ORGANISATION_INDICATORS: list[Indicator] = _for_one_organisation()
