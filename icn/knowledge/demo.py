"""Demo library on the demo network: reports, best practices, a case study, two application
templates (with headings, so they seed project sections) and two collections.

Written through the services, as their cluster managers would add them; the texts are read by
the background worker like any upload. Keyed by title: a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.demo.vocabulary import CLEAN, NORDIC_EDGE, SECRETARIAT_EMAIL, manager_email
from icn.directory.models import Cluster, Topic, TopicKind
from icn.knowledge import services
from icn.knowledge.models import Collection, DocumentKind, KnowledgeDocument

V = Visibility


@dataclass(frozen=True)
class DemoDocument:
    title: str
    kind: str
    cluster: str
    visibility: str
    summary: str
    topics: tuple[str, ...]
    sdgs: tuple[str, ...]
    text: str
    year: int
    name: str = "document.md"


DOCUMENTS = (
    DemoDocument(
        title="Hydrogen valley governance: lessons from three regions",
        kind=DocumentKind.BEST_PRACTICE,
        cluster=CLEAN,
        visibility=V.PUBLIC,
        summary="How three regions organised the owners, users and funders of a shared "
        "hydrogen infrastructure, and what they would do differently.",
        topics=("hydrogen",),
        sdgs=("SDG7", "SDG9"),
        year=2025,
        text="""# Hydrogen valley governance

## Why governance decides

A hydrogen valley links electrolysers, storage, pipelines and users that belong to different
owners. The three regions studied found that the technical design was settled within a year,
while the agreements between owners took three.

## What worked

A neutral coordinator, hosted by the cluster, kept one register of assets and offtake
commitments. Municipal utilities took the first offtake risk for buses and refuse trucks, which
let the electrolyser operator sign its power purchase agreement. A shared data room held every
partner's figures under one confidentiality agreement.

## What we would do differently

Agree the rules for a partner leaving before the first investment decision. Publish the
hydrogen price formula early: industrial users waited for it before committing.
""",
    ),
    DemoDocument(
        title="Financing district heating retrofits in mid-sized cities",
        kind=DocumentKind.REPORT,
        cluster=NORDIC_EDGE,
        visibility=V.PUBLIC,
        summary="Seven financing models for retrofitting district heating networks, compared "
        "on cost of capital, risk sharing and the time they take to close.",
        topics=("energy-efficiency",),
        sdgs=("SDG7", "SDG11", "SDG13"),
        year=2024,
        text="""# Financing district heating retrofits

Mid-sized cities own most of the district heating networks that need lower supply
temperatures to take waste heat from data centres and industry.

## Models compared

Municipal borrowing remains the cheapest capital. Energy performance contracts move the
technical risk to the contractor but take eighteen months to tender. Green bonds pooled by
several cities reached investors that no single city could.

## Recommendation

Cities should prepare the heat source agreements before choosing the financing model; the
lenders priced the risk of the waste heat supplier far above the construction risk.
""",
    ),
    DemoDocument(
        title="Smart harbour pilot: shore power for ferries in Stavanger",
        kind=DocumentKind.CASE_STUDY,
        cluster=NORDIC_EDGE,
        visibility=V.NETWORK,
        summary="A shore power pilot for two ferry routes: the grid connection, the tender "
        "and the first year of operation.",
        topics=("smart-cities",),
        sdgs=("SDG9", "SDG14"),
        year=2025,
        text="""# Shore power for ferries

The harbour authority, the grid operator and two ferry operators connected two berths to
shore power. The grid connection took fourteen months; the charging equipment four.

## Results after one year

Ninety-one per cent of port calls used shore power. Local nitrogen oxide emissions at the
quay fell by a third, measured by the municipality's own stations.
""",
    ),
    DemoDocument(
        title="Horizon Europe Part B outline for cluster-led proposals",
        kind=DocumentKind.TEMPLATE,
        cluster=CLEAN,
        visibility=V.NETWORK,
        summary="The three parts evaluators score, with what clusters have written in "
        "successful proposals. Seed an application's sections with it.",
        topics=(),
        sdgs=(),
        year=2026,
        text="""# Part B outline for cluster-led proposals

Use the headings as they are: each fills the section of the same name in an application.

## 1. Excellence

State the objectives in numbers the evaluators can check. Name the regions and the pilots,
and what is beyond the state of the art in each.

## 2. Impact

Describe who uses the results, how they reach the market through the cluster's members, and
the communication to cities in the network.

## 3. Quality and efficiency of the implementation

Work packages, deliverables and milestones; why each partner is in the consortium; the
resources per partner.

## Ethics and security

Personal data beyond the partners' contacts, dual use, and how they are handled.
""",
    ),
    DemoDocument(
        title="Interreg application outline",
        kind=DocumentKind.TEMPLATE,
        cluster=NORDIC_EDGE,
        visibility=V.NETWORK,
        summary="Relevance, partnership, work plan and budget justification, with guidance "
        "from the programme's manual.",
        topics=(),
        sdgs=(),
        year=2026,
        text="""# Interreg application outline

## Relevance

The shared territorial challenge, the programme priority it answers, and what is new.

## Partnership

Why these partners, what each brings, and how each region benefits.

## Work plan

Work packages, activities, outputs, and the timeline.

## Budget justification

Costs per partner and category, and why each is needed.
""",
    ),
    DemoDocument(
        title="Cluster management benchmarking checklist",
        kind=DocumentKind.BEST_PRACTICE,
        cluster=CLEAN,
        visibility=V.CLUSTER,
        summary="The questions CLEAN's board asks each year about its own cluster management.",
        topics=(),
        sdgs=("SDG17",),
        year=2026,
        text="""# Benchmarking checklist

How many members joined and left, and why. How many projects the cluster started, and with
which partners abroad. Which services members used, and what they said of them.
""",
    ),
)

COLLECTIONS = (
    (
        "Hydrogen and heat playbooks",
        CLEAN,
        V.PUBLIC,
        "What the network has learnt about hydrogen valleys and district heating.",
        (
            "Hydrogen valley governance: lessons from three regions",
            "Financing district heating retrofits in mid-sized cities",
        ),
    ),
    (
        "Writing a winning application",
        None,
        V.NETWORK,
        "Templates to seed an application's sections, from the network's clusters.",
        ("Horizon Europe Part B outline for cluster-led proposals", "Interreg application outline"),
    ),
)


@dataclass
class LibraryDemoSummary:
    documents: int = 0
    collections: int = 0
    titles: list[str] = field(default_factory=list)


def _actor(cluster_slug: str | None) -> User | None:
    email = manager_email(cluster_slug) if cluster_slug else SECRETARIAT_EMAIL
    return User.objects.filter(email=email).first()


def _document(spec: DemoDocument, summary: LibraryDemoSummary) -> None:
    if KnowledgeDocument.objects.filter(title=spec.title).exists():
        return
    cluster = Cluster.objects.get(slug=spec.cluster)
    document = services.document_create(
        actor=_actor(spec.cluster),
        title=spec.title,
        kind=spec.kind,
        cluster=cluster,
        visibility=spec.visibility,
        summary=spec.summary,
        topics=Topic.objects.filter(kind=TopicKind.AREA, slug__in=spec.topics),
        sdgs=Topic.objects.filter(kind=TopicKind.SDG, code__in=spec.sdgs),
        published_on=f"{spec.year}-06-01",
        licence="CC BY 4.0" if spec.visibility == V.PUBLIC else "",
        upload=SimpleUploadedFile(spec.name, spec.text.encode()),
    )
    # Shared in the library when it was published (the impact pages count by that date).
    shared = timezone.make_aware(datetime(spec.year, 6, 1, 10, 0))
    KnowledgeDocument.objects.filter(pk=document.pk).update(created_at=min(shared, timezone.now()))
    summary.documents += 1
    summary.titles.append(spec.title)


def _collection(
    title: str,
    cluster_slug: str | None,
    visibility: str,
    description: str,
    documents: tuple[str, ...],
    summary: LibraryDemoSummary,
) -> None:
    if Collection.objects.filter(title=title).exists():
        return
    actor = _actor(cluster_slug)
    collection = services.collection_create(
        actor=actor,
        title=title,
        cluster=Cluster.objects.get(slug=cluster_slug) if cluster_slug else None,
        visibility=visibility,
        description=description,
    )
    chosen = {d.title: d for d in KnowledgeDocument.objects.filter(title__in=documents)}
    services.collection_set_documents(
        actor=actor, collection=collection, documents=[chosen[t] for t in documents]
    )
    summary.collections += 1


def load(stdout: Any = None) -> LibraryDemoSummary:
    """Create the demo documents and collections that are missing."""
    summary = LibraryDemoSummary()
    if not all(_actor(slug) for slug in (CLEAN, NORDIC_EDGE, None)):
        if stdout is not None:
            stdout.write("The demo network is not loaded: no demo library.")
        return summary
    for spec in DOCUMENTS:
        _document(spec, summary)
    for title, cluster_slug, visibility, description, documents in COLLECTIONS:
        _collection(title, cluster_slug, visibility, description, documents, summary)
    if stdout is not None and (summary.documents or summary.collections):
        stdout.write(
            f"Added {summary.documents} library documents and {summary.collections} collections."
        )
    return summary
