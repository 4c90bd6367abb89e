"""The demo network: the network's clusters, generated members and people, partners, logins.

`build_plan()` turns the cluster list and a fixed random seed into the same rows every time,
without touching the database; `load_demo()` creates the rows that are missing, keyed by slug
and e-mail, and never changes a row that exists. A second run therefore writes nothing, and a
record someone edited or removed in the demo stays as they left it (except that a removed
record comes back).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import math
import random
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from icn.accounts.models import Membership, OrganisationRole, User
from icn.core.countries import country_name
from icn.core.visibility import Visibility
from icn.directory.demo.rows import (
    ApplicationRow,
    ClusterRow,
    DemoLogin,
    DemoPlan,
    DemoSummary,
    OrganisationRow,
    PartnershipRow,
    PersonRow,
)
from icn.directory.demo.vocabulary import (
    APPLICANT,
    AREAS,
    AREAS_BY_SLUG,
    BLURBS,
    C40,
    CLEAN,
    COMPANY_WORDS,
    FOCUS_HINTS,
    JOB_TITLES,
    KIND_NACE,
    KIND_SHARES,
    KIND_SIZES,
    LARGE_WORDS,
    LEGAL_FORMS,
    MANAGER_NAMES,
    MEMBER_NAMES,
    NAMES,
    NORDIC_EDGE,
    PARTNER_EMAIL,
    PARTNERS,
    REGION_CITIES,
    SECRETARIAT_EMAIL,
    STEM_ENDS,
    STEM_STARTS,
    THE_COUNTRY,
    VISIBILITY_WEIGHTS,
    Area,
    manager_email,
    member_email,
)
from icn.directory.models import (
    Cluster,
    ClusterStatus,
    Organisation,
    OrganisationKind,
    OrganisationSize,
    Partnership,
    Person,
    Topic,
)
from icn.directory.services import cluster_application_submit

CLUSTERS_CSV = Path(__file__).resolve().parent.parent / "data" / "icn_clusters.csv"
SEED = 2011
MEMBER_ORGANISATIONS = 600
NETWORK_FOUNDED = date(2011, 6, 1)

Kind = OrganisationKind
V = Visibility


def demo_logins(member_organisations: dict[str, OrganisationRow]) -> list[DemoLogin]:
    """The demo users; members act for the given organisation of their cluster."""
    logins = [
        DemoLogin(
            SECRETARIAT_EMAIL,
            "Camilla Holm",
            "Secretariat (staff, superuser)",
            is_secretariat=True,
        )
    ]
    for slug, short in ((CLEAN, "CLEAN"), (NORDIC_EDGE, "Nordic Edge")):
        logins.append(
            DemoLogin(
                manager_email(slug),
                MANAGER_NAMES[slug],
                f"Cluster manager of {short}",
                manages=slug,
            )
        )
    for slug, short in ((CLEAN, "CLEAN"), (NORDIC_EDGE, "Nordic Edge")):
        org = member_organisations[slug]
        logins.append(
            DemoLogin(
                member_email(slug),
                MEMBER_NAMES[slug],
                f"Member, admin of {org.name} ({short})",
                admin_of=org.slug,
            )
        )
    logins.append(
        DemoLogin(PARTNER_EMAIL, "Olivia Bennett", "Partner, admin of C40 Cities", admin_of=C40)
    )
    return logins


# Building the plan --------------------------------------------------------------------------

_ASCII = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d"})


def ascii_name(text: str) -> str:
    """The text without accents, for e-mail addresses and slugs (Søren → Soren)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return decomposed.encode("ascii", "ignore").decode()


def read_clusters(path: Path = CLUSTERS_CSV) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights)[0]


def _in_country(code: str) -> str:
    return THE_COUNTRY.get(code, country_name(code))


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split a total into parts of varying size that add up exactly."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _cluster_row(rng: random.Random, row: dict[str, str]) -> ClusterRow:
    slug = Cluster.slug_for(row["short_name"])
    focus = list(FOCUS_HINTS.get(slug, ()))
    others = [a.slug for a in AREAS if a.slug not in focus]
    focus += rng.sample(others, max(0, 3 - len(focus)))
    phrases = [AREAS_BY_SLUG[s].phrase for s in focus]
    note = row.get("note", "").lower()
    founding = "founding" in note or "secretariat" in note
    joined_on = (
        NETWORK_FOUNDED
        if founding
        else date(rng.randint(2012, 2021), rng.randint(1, 12), rng.choice((1, 15)))
    )
    country = country_name(row["country"])
    place = row["city"] if row["city"] == country else f"{row['city']}, {country}"
    description = (
        f"{row['name']} brings together cleantech companies, public authorities and research "
        f"institutions in {place}. Its members work on {phrases[0]}, {phrases[1]} and "
        f"{phrases[2]}."
    )
    return ClusterRow(
        slug=slug,
        name=row["name"],
        short_name=row["short_name"],
        country=row["country"],
        city=row["city"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        joined_on=joined_on,
        description=description,
        focus_topics=tuple(focus),
    )


class _Registry:
    """Slugs and e-mail addresses handed out so far, so that every key is unique."""

    def __init__(self) -> None:
        self.slugs: set[str] = set()
        self.emails: set[str] = set()

    def claim_slug(self, slug: str) -> bool:
        if not slug or slug in self.slugs:
            return False
        self.slugs.add(slug)
        return True

    def email(self, name: str, domain: str) -> str:
        parts = [slugify(ascii_name(part)) for part in name.split(" ", 1)]
        local = ".".join(part for part in parts if part) or "contact"
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(email)
        return email


def _person_name(rng: random.Random, country: str) -> str:
    traditions = NAMES.get(country) or NAMES["GB"]
    given, family = rng.choice(traditions)
    return f"{rng.choice(given)} {rng.choice(family)}"


def _stem(rng: random.Random) -> str:
    return rng.choice(STEM_STARTS) + rng.choice(STEM_ENDS)


def _organisation_name(
    rng: random.Random, kind: str, area: Area, city: str, country: str
) -> tuple[str, str]:
    """A made-up name and the part of it the slug comes from (without the legal form)."""
    small_form, large_form = LEGAL_FORMS.get(country, ("Ltd", "Ltd"))
    if kind == Kind.SME:
        base = f"{_stem(rng)} {rng.choice(area.name_words + COMPANY_WORDS)}"
        return f"{base} {small_form}", base
    if kind == Kind.LARGE_COMPANY:
        base = f"{_stem(rng)} {rng.choice(LARGE_WORDS)}"
        return f"{base} {large_form}", base
    if kind == Kind.RESEARCH:
        base = rng.choice(
            (
                f"{city} Centre for {area.research_label} Research",
                f"{_stem(rng)} Institute for {area.research_label}",
                f"{area.research_label} Lab {city}",
            )
        )
        return base, base
    if kind == Kind.PUBLIC_AUTHORITY:
        base = f"{city} {rng.choice((area.public_unit, 'Climate Office', 'Business Agency'))}"
        return base, base
    if kind == Kind.FUNDER:
        base = rng.choice(
            (
                f"{_stem(rng)} Ventures",
                f"{_stem(rng)} Climate Capital",
                f"{city} Green Investment Fund",
            )
        )
        return base, base
    base = rng.choice((f"{city} Climate Alliance", f"{_stem(rng)} Foundation"))
    return base, base


def _organisation(
    rng: random.Random,
    registry: _Registry,
    cluster: ClusterRow,
    kind: str,
    visibility: str,
) -> OrganisationRow:
    area_slug = rng.choice(cluster.focus_topics) if rng.random() < 0.6 else rng.choice(AREAS).slug
    area = AREAS_BY_SLUG[area_slug]
    cities = REGION_CITIES.get(cluster.slug, (cluster.city,))
    city = cities[0] if rng.random() < 0.45 else rng.choice(cities)
    for _ in range(50):
        name, base = _organisation_name(rng, kind, area, city, cluster.country)
        slug = slugify(ascii_name(base))
        if registry.claim_slug(slug):
            break
    else:  # pragma: no cover - 50 collisions in a row do not happen with these pools
        raise RuntimeError(f"No free organisation name for {cluster.slug}")
    product, subtopic = rng.choice(area.products)
    template = rng.choice(BLURBS[kind])
    description = template.format(
        name=name,
        product=product,
        customer=rng.choice(area.customers),
        city=city,
        country=_in_country(cluster.country),
        year=rng.randint(1998, 2022),
        staff=rng.choice(("five", "eight", "twelve", "twenty", "thirty")),
        research=area.research,
        policy=area.policy,
        phrase=area.phrase,
    )
    topics = [area.slug] + ([subtopic] if subtopic else [])
    if rng.random() < 0.3:
        topics.append(rng.choice([a.slug for a in AREAS if a.slug != area.slug]))
    topics += [f"sdg-{n}" for n in rng.sample(area.sdgs, min(2, len(area.sdgs)))]
    if kind in (Kind.SME, Kind.LARGE_COMPANY):
        nace = rng.sample(area.nace_codes, rng.choice((1, 1, 2)))
    else:
        nace = [rng.choice(KIND_NACE[kind])]
    return OrganisationRow(
        slug=slug,
        name=name,
        kind=kind,
        country=cluster.country,
        city=city,
        clusters=(cluster.slug,),
        visibility=visibility,
        description=description,
        topics=tuple(dict.fromkeys(topics)),
        nace_codes=tuple(nace),
        website=f"https://{slug}.example",
        size=_weighted(rng, KIND_SIZES[kind]),
    )


def _member_organisations(
    rng: random.Random, registry: _Registry, cluster: ClusterRow, count: int
) -> list[OrganisationRow]:
    """The cluster's members: every kind and every visibility at least once.

    The first is an SME that the network sees, the organisation the demo member acts for.
    """
    kinds: list[str] = []
    for kind, share in KIND_SHARES.items():
        kinds += [kind] * max(1, round(share * count))
    kinds += [Kind.SME] * (count - 1 - len(kinds))
    rng.shuffle(kinds)
    kinds.insert(0, Kind.SME)
    visibilities = [V.NETWORK, V.PUBLIC, V.CLUSTER, V.PRIVATE]
    visibilities += [_weighted(rng, VISIBILITY_WEIGHTS) for _ in range(count - 4)]
    return [
        _organisation(rng, registry, cluster, kind, visibility)
        for kind, visibility in zip(kinds, visibilities, strict=True)
    ]


def _people_of(
    rng: random.Random, registry: _Registry, org: OrganisationRow, forced: list[str]
) -> list[PersonRow]:
    """One to three people; `forced` hands out visibilities the cluster still lacks."""
    people = []
    titles = list(JOB_TITLES[org.kind])
    rng.shuffle(titles)
    domain = f"{org.slug}.example"
    for i in range(_weighted(rng, ((1, 55), (2, 32), (3, 13)))):
        name = _person_name(rng, org.country)
        if forced:
            visibility, listed = forced.pop(0), True
        else:
            visibility, listed = _weighted(rng, VISIBILITY_WEIGHTS), rng.random() < 0.85
        area_topics = [t for t in org.topics if not t.startswith("sdg-")]
        people.append(
            PersonRow(
                email=registry.email(name, domain),
                name=name,
                organisation=org.slug,
                job_title=titles[i % len(titles)],
                listed=listed,
                visibility=visibility,
                topics=tuple(rng.sample(area_topics, min(len(area_topics), rng.randint(1, 2)))),
            )
        )
    return people


def _cluster_office(
    rng: random.Random, registry: _Registry, cluster: ClusterRow
) -> tuple[OrganisationRow, list[PersonRow]]:
    """The cluster organisation itself, with its two key contacts (and the secretariat)."""
    registry.claim_slug(cluster.slug)
    office = OrganisationRow(
        slug=cluster.slug,
        name=cluster.name,
        kind=Kind.NGO,
        country=cluster.country,
        city=cluster.city,
        clusters=(cluster.slug,),
        visibility=V.PUBLIC,
        description=(
            f"The cluster organisation of {cluster.short_name}: it runs the cluster in "
            f"{cluster.city}, connects its members with each other and with the network, and "
            "brings international projects and delegations to the region."
        ),
        topics=cluster.focus_topics,
        nace_codes=("94.11",),
        website=f"https://{cluster.slug}.example",
        size=OrganisationSize.SMALL,
    )
    domain = f"{cluster.slug}.example"
    staff = []
    for title in ("Cluster Manager", "International Project Manager"):
        if title == "Cluster Manager" and cluster.slug in MANAGER_NAMES:
            name, email = MANAGER_NAMES[cluster.slug], manager_email(cluster.slug)
        else:
            name = _person_name(rng, cluster.country)
            email = registry.email(name, domain)
        staff.append(
            PersonRow(
                email=email,
                name=name,
                organisation=cluster.slug,
                job_title=title,
                listed=True,
                visibility=V.PUBLIC,
                topics=cluster.focus_topics[:2],
                key_contact_for=(cluster.slug,),
            )
        )
    if cluster.slug == CLEAN:
        staff.append(
            PersonRow(
                email=SECRETARIAT_EMAIL,
                name="Camilla Holm",
                organisation=CLEAN,
                job_title="Head of the Network Secretariat",
                listed=True,
                visibility=V.PUBLIC,
                topics=(),
            )
        )
    return office, staff


def _partners(
    registry: _Registry,
) -> tuple[list[OrganisationRow], list[PersonRow], list[PartnershipRow]]:
    organisations, people, partnerships = [], [], []
    for p in PARTNERS:
        registry.claim_slug(p.slug)
        organisations.append(
            OrganisationRow(
                slug=p.slug,
                name=p.name,
                kind=Kind.PARTNER,
                country=p.country,
                city=p.city,
                clusters=(),
                visibility=V.PUBLIC,
                description=p.description,
                topics=p.topics,
                nace_codes=p.nace_codes,
                website=f"https://{p.slug}.example",
                size=OrganisationSize.MEDIUM,
            )
        )
        for name, email, title in p.people:
            registry.emails.add(email)
            people.append(
                PersonRow(
                    email=email,
                    name=name,
                    organisation=p.slug,
                    job_title=title,
                    listed=True,
                    visibility=V.PUBLIC,
                    topics=p.topics[:1],
                )
            )
        title, scope, starts_on, ends_on, clusters, visibility = p.partnership
        partnerships.append(
            PartnershipRow(
                partner=p.slug,
                title=title,
                scope=scope,
                starts_on=starts_on,
                ends_on=ends_on,
                contact_email=p.people[0][1],
                clusters=clusters,
                visibility=visibility,
            )
        )
    return organisations, people, partnerships


def _join_sister_clusters(
    rng: random.Random, organisations: list[OrganisationRow], clusters: list[ClusterRow]
) -> list[OrganisationRow]:
    """Some large companies are members of a second cluster in their country too."""
    by_country: dict[str, list[str]] = {}
    for cluster in clusters:
        by_country.setdefault(cluster.country, []).append(cluster.slug)
    joined = []
    for org in organisations:
        sisters = [s for s in by_country.get(org.country, []) if s not in org.clusters]
        if org.kind == Kind.LARGE_COMPANY and sisters and rng.random() < 0.3:
            org = dataclasses.replace(org, clusters=(*org.clusters, rng.choice(sisters)))
        joined.append(org)
    return joined


def build_plan(path: Path = CLUSTERS_CSV) -> DemoPlan:
    """Every row of the demo network, the same on every call; reads no database."""
    rng = random.Random(SEED)
    registry = _Registry()
    clusters = [_cluster_row(rng, row) for row in read_clusters(path)]
    registry.emails.update({SECRETARIAT_EMAIL, PARTNER_EMAIL})
    registry.emails.update(manager_email(s) for s in MANAGER_NAMES)
    registry.emails.update(member_email(s) for s in MEMBER_NAMES)
    organisations: list[OrganisationRow] = []
    people: list[PersonRow] = []
    member_organisations: dict[str, OrganisationRow] = {}
    counts = _spread(MEMBER_ORGANISATIONS, len(clusters), rng)
    for cluster, count in zip(clusters, counts, strict=True):
        office, staff = _cluster_office(rng, registry, cluster)
        organisations.append(office)
        people += staff
        members = _member_organisations(rng, registry, cluster, count)
        member_organisations[cluster.slug] = members[0]
        forced: list[str] = [V.PUBLIC, V.NETWORK, V.CLUSTER, V.PRIVATE]
        for org in members:
            people += _people_of(rng, registry, org, forced)
        organisations += members
    organisations = _join_sister_clusters(rng, organisations, clusters)
    partner_orgs, partner_people, partnerships = _partners(registry)
    organisations += partner_orgs
    people += partner_people
    logins = demo_logins(member_organisations)
    people += [
        PersonRow(
            email=member_email(slug),
            name=MEMBER_NAMES[slug],
            organisation=org.slug,
            job_title="Founder and CEO",
            listed=True,
            visibility=V.NETWORK,
            topics=org.topics[:1],
        )
        for slug, org in member_organisations.items()
        if slug in MEMBER_NAMES
    ]
    return DemoPlan(
        clusters=clusters,
        organisations=organisations,
        people=people,
        logins=logins,
        partnerships=partnerships,
        applications=[APPLICANT],
    )


# Loading: create what is missing, change nothing that exists ---------------------------------


def load_demo(*, password: str) -> DemoSummary:
    """Create the demo network's missing rows; a second run creates and changes nothing."""
    plan = build_plan()
    summary = DemoSummary(logins=plan.logins)
    with transaction.atomic():
        topics = dict(Topic.objects.values_list("slug", "pk"))
        clusters = _load_clusters(plan.clusters, topics, summary)
        organisations = _load_organisations(plan.organisations, clusters, topics, summary)
        users = _load_users(plan.logins, password, clusters, organisations, summary)
        _load_people(plan.people, organisations, clusters, topics, users, summary)
        _load_partnerships(plan.partnerships, organisations, clusters, summary)
        _load_applications(plan.applications, summary)
    return summary


def _topic_ids(slugs: Iterable[str], topics: dict[str, int]) -> list[int]:
    """Topics by slug; one renamed away by the secretariat is left out, not an error."""
    return [topics[slug] for slug in slugs if slug in topics]


def _load_clusters(
    rows: list[ClusterRow], topics: dict[str, int], summary: DemoSummary
) -> dict[str, Cluster]:
    existing = {c.slug: c for c in Cluster.objects.filter(slug__in=[r.slug for r in rows])}
    new = [
        Cluster(
            slug=row.slug,
            name=row.name,
            short_name=row.short_name,
            country=row.country,
            city=row.city,
            latitude=row.latitude,
            longitude=row.longitude,
            description=row.description,
            status=ClusterStatus.MEMBER,
            joined_on=row.joined_on,
        )
        for row in rows
        if row.slug not in existing
    ]
    for cluster in new:
        cluster.full_clean(validate_unique=False, validate_constraints=False)
    Cluster.objects.bulk_create(new)
    rows_by_slug = {row.slug: row for row in rows}
    through = Cluster.focus_topics.through
    through.objects.bulk_create(
        through(cluster_id=cluster.pk, topic_id=topic_id)
        for cluster in new
        for topic_id in _topic_ids(rows_by_slug[cluster.slug].focus_topics, topics)
    )
    summary.clusters = len(new)
    return existing | {c.slug: c for c in new}


def _load_organisations(
    rows: list[OrganisationRow],
    clusters: dict[str, Cluster],
    topics: dict[str, int],
    summary: DemoSummary,
) -> dict[str, Organisation]:
    slugs = [row.slug for row in rows]
    existing = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    wanted = {row.slug: row for row in rows if row.slug not in existing}
    new = [
        Organisation(
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            country=row.country,
            city=row.city,
            visibility=row.visibility,
            description=row.description,
            nace_codes=list(row.nace_codes),
            website=row.website,
            size=row.size,
        )
        for row in wanted.values()
    ]
    for organisation in new:
        # clean() derives website_domain and checks the NACE codes, as the services do.
        organisation.full_clean(validate_unique=False, validate_constraints=False)
    Organisation.objects.bulk_create(new)
    _backdate_registrations(new)
    in_cluster = Organisation.clusters.through
    in_cluster.objects.bulk_create(
        in_cluster(organisation_id=org.pk, cluster_id=clusters[slug].pk)
        for org in new
        for slug in wanted[org.slug].clusters
        if slug in clusters
    )
    on_topic = Organisation.topics.through
    on_topic.objects.bulk_create(
        on_topic(organisation_id=org.pk, topic_id=topic_id)
        for org in new
        for topic_id in _topic_ids(wanted[org.slug].topics, topics)
    )
    summary.organisations = len(new)
    return existing | {o.slug: o for o in new}


REGISTRATION_YEARS = 5


def _backdate_registrations(organisations: list[Organisation]) -> None:
    """Members joined the platform over the last five years, more of them lately (a growing
    network), so that the impact pages show the network's history. The date follows from the
    slug: the same on every machine and every run."""
    today = timezone.localdate()
    for organisation in organisations:
        share = int(hashlib.sha256(organisation.slug.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        days_ago = int(REGISTRATION_YEARS * 365 * (1 - math.sqrt(share))) + 1
        registered = timezone.make_aware(
            datetime.combine(today - timedelta(days=days_ago), time(10, 0))
        )
        Organisation.objects.filter(pk=organisation.pk).update(created_at=registered)


def _load_users(
    logins: list[DemoLogin],
    password: str,
    clusters: dict[str, Cluster],
    organisations: dict[str, Organisation],
    summary: DemoSummary,
) -> dict[str, User]:
    """Demo users by e-mail; roles are given only to users this run creates."""
    users = {}
    for login in logins:
        user = User.objects.filter(email__iexact=login.email).first()
        if user is None:
            user = _create_user(login, password, clusters, organisations)
            summary.users += 1
        users[login.email] = user
    return users


def _create_user(
    login: DemoLogin,
    password: str,
    clusters: dict[str, Cluster],
    organisations: dict[str, Organisation],
) -> User:
    if login.is_secretariat:
        user = User.objects.create_superuser(login.email, password, full_name=login.full_name)
    else:
        user = User.objects.create_user(login.email, password, full_name=login.full_name)
    if login.manages:
        clusters[login.manages].managers.add(user)
    if login.admin_of:
        Membership.objects.create(
            user=user, organisation=organisations[login.admin_of], role=OrganisationRole.ADMIN
        )
    return user


def _load_people(
    rows: list[PersonRow],
    organisations: dict[str, Organisation],
    clusters: dict[str, Cluster],
    topics: dict[str, int],
    users: dict[str, User],
    summary: DemoSummary,
) -> None:
    existing = set(
        Person.objects.filter(email__in=[row.email for row in rows]).values_list("email", flat=True)
    )
    linked = set(Person.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    wanted = {row.email: row for row in rows if row.email not in existing}
    new = []
    for row in wanted.values():
        user = users.get(row.email)
        person = Person(
            email=row.email,
            name=row.name,
            organisation=organisations[row.organisation],
            job_title=row.job_title,
            listed=row.listed,
            visibility=row.visibility,
            user=user if user is not None and user.pk not in linked else None,
        )
        person.full_clean(
            exclude=["organisation", "user"], validate_unique=False, validate_constraints=False
        )
        new.append(person)
    Person.objects.bulk_create(new)
    on_topic = Person.topics.through
    on_topic.objects.bulk_create(
        on_topic(person_id=person.pk, topic_id=topic_id)
        for person in new
        for topic_id in _topic_ids(wanted[person.email].topics, topics)
    )
    key_contact = Person.key_contact_for.through
    key_contact.objects.bulk_create(
        key_contact(person_id=person.pk, cluster_id=clusters[slug].pk)
        for person in new
        for slug in wanted[person.email].key_contact_for
        if slug in clusters
    )
    summary.people = len(new)


def _load_partnerships(
    rows: list[PartnershipRow],
    organisations: dict[str, Organisation],
    clusters: dict[str, Cluster],
    summary: DemoSummary,
) -> None:
    for row in rows:
        partner = organisations[row.partner]
        if Partnership.objects.filter(partner=partner, title=row.title).exists():
            continue
        partnership = Partnership(
            partner=partner,
            title=row.title,
            scope=row.scope,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            contact=Person.objects.filter(organisation=partner, email=row.contact_email).first(),
            visibility=row.visibility,
        )
        partnership.full_clean(exclude=["partner", "contact"], validate_constraints=False)
        partnership.save()
        partnership.clusters.set([clusters[s] for s in row.clusters if s in clusters])
        summary.partnerships += 1


def _load_applications(rows: list[ApplicationRow], summary: DemoSummary) -> None:
    """Candidate clusters apply through the same service as the application form."""
    for row in rows:
        if Cluster.objects.filter(slug=row.slug).exists():
            continue
        cluster_application_submit(
            submitted_by=None,
            name=row.name,
            short_name=row.short_name,
            country=row.country,
            city=row.city,
            description=row.description,
            contact_name=row.contact_name,
            contact_email=row.contact_email,
            member_count=row.member_count,
            **dict(row.criteria),
        )
        summary.clusters += 1
        summary.applications += 1
