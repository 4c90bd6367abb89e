"""Demo opportunities and solutions, written from the demo network's organisations.

Deterministic and keyed by slug: a second run creates nothing. Every cluster gets items of
every kind and of every visibility, so each role sees a different slice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from icn.core.visibility import Visibility
from icn.directory.demo.vocabulary import AREAS_BY_SLUG, Area
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind
from icn.opportunities.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Solution,
    SolutionLabel,
)

SEED = 2024
VISIBILITIES = [Visibility.PUBLIC, Visibility.NETWORK, Visibility.CLUSTER, Visibility.PRIVATE]
PROGRAMMES = [
    ("Interreg North Sea", "European Regional Development Fund", 60),
    ("Horizon Europe Cluster 5", "European Commission", 100),
    ("LIFE Clean Energy Transition", "European Commission", 95),
    ("EUREKA Clusters", "EUREKA", 50),
    ("Nordic Energy Research", "Nordic Energy Research", 75),
]


@dataclass
class OpportunityDemoSummary:
    """What a run created."""

    opportunities: int = 0
    solutions: int = 0


def _area(organisation: Organisation, rng: random.Random) -> tuple[Area, list[int]]:
    """The organisation's cleantech area and topic ids, as the directory demo gave them."""
    topics = list(organisation.topics.all())
    roots = [t for t in topics if t.kind == "area" and t.parent_id is None]
    slugs = [t.slug for t in roots if t.slug in AREAS_BY_SLUG]
    area = AREAS_BY_SLUG[slugs[0]] if slugs else rng.choice(list(AREAS_BY_SLUG.values()))
    return area, [t.pk for t in topics]


def _when(now: datetime, rng: random.Random, low: int, high: int) -> datetime:
    day = now + timedelta(days=rng.randint(low, high))
    return day.replace(hour=12, minute=0, second=0, microsecond=0)


def _opportunity(
    slug: str, organisation: Organisation, cluster: Cluster, visibility: str, **fields: Any
) -> Opportunity:
    now = timezone.now()
    return Opportunity(
        slug=slug,
        author_organisation=organisation,
        cluster=cluster,
        visibility=visibility,
        status=OpportunityStatus.PUBLISHED,
        published_at=fields.pop("published_at", now),
        country=organisation.country,
        **fields,
    )


def _cluster_items(
    cluster: Cluster, members: list[Organisation], rng: random.Random, now: datetime
) -> list[tuple[Opportunity, list[int]]]:
    items: list[tuple[Opportunity, list[int]]] = []
    by_kind: dict[str, list[Organisation]] = {}
    for organisation in members:
        by_kind.setdefault(organisation.kind, []).append(organisation)
    companies = by_kind.get(OrganisationKind.SME, []) + by_kind.get(
        OrganisationKind.LARGE_COMPANY, []
    )
    authorities = by_kind.get(OrganisationKind.PUBLIC_AUTHORITY, []) or companies
    funders = by_kind.get(OrganisationKind.FUNDER, []) or authorities
    for n, visibility in enumerate(VISIBILITIES):
        # A city's challenge, at each visibility level.
        city = authorities[n % len(authorities)]
        area, topics = _area(city, rng)
        product, _ = rng.choice(area.products)
        title = f"{city.city or cluster.city} looks for {product}"
        low = Decimal(rng.choice([50, 100, 200, 400])) * 1000
        items.append(
            (
                _opportunity(
                    f"{cluster.slug}-challenge-{n + 1}",
                    city,
                    cluster,
                    visibility,
                    kind=OpportunityKind.CHALLENGE,
                    title=title[:300],
                    summary=f"{city.name} wants to pilot {product} as part of its plan for "
                    f"{area.policy}.",
                    body=(
                        f"{city.name} invites companies of the network to propose {product}. "
                        "The pilot should start within a year and serve "
                        f"{rng.choice(area.customers)} in {city.city or cluster.city}. "
                        "Tell us what you have deployed before, what it costs to run and how "
                        "you measure the savings."
                    ),
                    location=city.city or cluster.city,
                    budget_min=low,
                    budget_max=low * 3,
                    trl_min=rng.choice([5, 6, 7]),
                    trl_max=9,
                    deadline=_when(now, rng, 20, 150),
                    contact_email=f"challenges@{slugify(city.name)}.example",
                ),
                topics,
            )
        )
        # News from a member company.
        author = companies[(n * 3) % len(companies)] if companies else city
        area, topics = _area(author, rng)
        product, _ = rng.choice(area.products)
        items.append(
            (
                _opportunity(
                    f"{cluster.slug}-news-{n + 1}",
                    author,
                    cluster,
                    visibility,
                    kind=OpportunityKind.NEWS,
                    title=f"{author.name} delivers {product} to a new customer"[:300],
                    summary=f"A first deployment of {product} for {rng.choice(area.customers)}.",
                    body=(
                        f"{author.name} has signed its first contract for {product}. The team "
                        "is looking for partners abroad to take the solution to new markets."
                    ),
                    published_at=now - timedelta(days=rng.randint(0, 40)),
                ),
                topics,
            )
        )
    # One funding call, one tender and one event per cluster, shared with the network.
    funder = funders[0]
    programme, funder_name, rate = PROGRAMMES[rng.randrange(len(PROGRAMMES))]
    area, topics = _area(funder, rng)
    items.append(
        (
            _opportunity(
                f"{cluster.slug}-call-1",
                funder,
                cluster,
                Visibility.NETWORK,
                kind=OpportunityKind.FUNDING_CALL,
                title=f"{programme}: call for {area.phrase} projects",
                summary=f"Funding for consortia that demonstrate {area.phrase} solutions.",
                body=(
                    f"The call funds demonstration projects in {area.phrase}. Consortia bring "
                    "together companies, public authorities and research from several countries."
                ),
                funder=funder_name,
                programme=programme,
                budget_max=Decimal(rng.choice([450, 900, 1500, 3000])) * 1000,
                co_funding_rate=Decimal(rate),
                eligibility={
                    "min_partners": 3,
                    "min_countries": rng.choice([2, 3]),
                    "required_kinds": {"research": 1, "public_authority": 1},
                },
                deadline=_when(now, rng, 30, 200),
            ),
            topics,
        )
    )
    buyer = authorities[-1]
    area, topics = _area(buyer, rng)
    product, _ = rng.choice(area.products)
    items.append(
        (
            _opportunity(
                f"{cluster.slug}-tender-1",
                buyer,
                cluster,
                Visibility.PUBLIC,
                kind=OpportunityKind.TENDER,
                title=f"Supply of {product}"[:300],
                summary=f"{buyer.name} tenders {product}.",
                body=f"Open procedure for the supply and installation of {product}.",
                buyer=buyer.name,
                procurement_method="open",
                budget_max=Decimal(rng.choice([120, 250, 800])) * 1000,
                deadline=_when(now, rng, 10, 60),
            ),
            topics,
        )
    )
    items.append(
        (
            _opportunity(
                f"{cluster.slug}-event-1",
                members[0],
                cluster,
                Visibility.NETWORK,
                kind=OpportunityKind.EVENT,
                title=f"{cluster.short_name} matchmaking day",
                summary=f"Meet {cluster.short_name}'s companies, cities and researchers.",
                location=cluster.city,
                starts_at=_when(now, rng, 30, 120),
                deadline=_when(now, rng, 10, 25),
            ),
            [],
        )
    )
    for item, _ in items:
        if item.kind == OpportunityKind.EVENT and item.starts_at:
            item.ends_at = item.starts_at + timedelta(hours=6)
    return items


def _solutions(members: list[Organisation], rng: random.Random) -> list[tuple[Solution, list[int]]]:
    solutions: list[tuple[Solution, list[int]]] = []
    companies = [
        m for m in members if m.kind in (OrganisationKind.SME, OrganisationKind.LARGE_COMPANY)
    ]
    for organisation in companies[::2]:
        area, topics = _area(organisation, rng)
        product, _ = rng.choice(area.products)
        markets = sorted({organisation.country, rng.choice(["DK", "NO", "SE", "NL", "DE", "US"])})
        solutions.append(
            (
                Solution(
                    slug=f"{organisation.slug}-solution",
                    organisation=organisation,
                    title=product[0].upper() + product[1:],
                    description=(
                        f"{organisation.name} offers {product} to {rng.choice(area.customers)}. "
                        f"It is built for {area.policy} and installed in weeks, not months."
                    ),
                    readiness_level=rng.choice([6, 7, 8, 9]),
                    markets=markets,
                    references=f"In use at two sites in {organisation.city or 'its home region'}.",
                    labels=[SolutionLabel.EFFICIENT_SOLUTION] if rng.random() < 0.25 else [],
                    visibility=organisation.visibility
                    if organisation.visibility != Visibility.PRIVATE
                    else Visibility.CLUSTER,
                ),
                topics,
            )
        )
    return solutions


def load_opportunities_demo() -> OpportunityDemoSummary:
    """Create the demo items that are missing; existing ones stay as they are."""
    summary = OpportunityDemoSummary()
    rng = random.Random(SEED)
    now = timezone.now()
    with transaction.atomic():
        existing = set(Opportunity.objects.values_list("slug", flat=True))
        existing_solutions = set(Solution.objects.values_list("slug", flat=True))
        new_items: list[tuple[Opportunity, list[int]]] = []
        new_solutions: list[tuple[Solution, list[int]]] = []
        for cluster in Cluster.objects.filter(status=ClusterStatus.MEMBER).order_by("slug"):
            members = list(
                cluster.organisations.exclude(kind=OrganisationKind.PARTNER)
                .prefetch_related("topics")
                .order_by("slug")
            )
            if not members:
                continue
            for item, topics in _cluster_items(cluster, members, rng, now):
                if item.slug not in existing:
                    new_items.append((item, topics))
            for solution, topics in _solutions(members, rng):
                if solution.slug not in existing_solutions:
                    existing_solutions.add(solution.slug)
                    new_solutions.append((solution, topics))
        for item, _ in new_items:
            item.full_clean(exclude=["slug"])
        for solution, _ in new_solutions:
            solution.full_clean(exclude=["slug"])
        Opportunity.objects.bulk_create([item for item, _ in new_items])
        Solution.objects.bulk_create([solution for solution, _ in new_solutions])
        by_slug = dict(
            Opportunity.objects.filter(slug__in=[i.slug for i, _ in new_items]).values_list(
                "slug", "pk"
            )
        )
        Opportunity.topics.through.objects.bulk_create(
            Opportunity.topics.through(opportunity_id=by_slug[item.slug], topic_id=topic)
            for item, topics in new_items
            for topic in topics
        )
        solution_ids = dict(
            Solution.objects.filter(slug__in=[s.slug for s, _ in new_solutions]).values_list(
                "slug", "pk"
            )
        )
        Solution.topics.through.objects.bulk_create(
            Solution.topics.through(solution_id=solution_ids[solution.slug], topic_id=topic)
            for solution, topics in new_solutions
            for topic in topics
        )
        summary.opportunities = len(new_items)
        summary.solutions = len(new_solutions)
    return summary
