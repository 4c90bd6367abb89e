"""Alerts that fit: ranking open items by fit to the viewer's organisation, and digests.

The scoring core (`ItemFacts`, `FitProfile`, `score_item`) is plain Python over plain data so
it can be tested and benchmarked alone; `ranked_for` gathers that data in a few queries,
always starting from what the viewer may see, and `build_digest` picks the items new since a
user's last digest.

Weights, per item (higher is a better fit):

- a topic the viewer follows (alert settings)            +4.0 each
- a topic of the viewer's organisations                   +3.0 each
- a parent or sub-topic of one of those                   +1.5 each
  (topic points are capped at 8.0: tagging more topics does not buy a better rank)
- a match of one of the viewer's saved searches           +5.0
- re-shared to one of the viewer's clusters               +2.5
- in a country where the viewer's organisations are       +1.5
- freshness, fading over 14 days                          +1.0 … 0
- like an item the viewer marked "not relevant": −2.5 per shared topic, −1.0 for the same
  kind, from the most similar such item, capped at 6.0; the marked item itself is dropped.

Explicit choices (a saved search, a followed topic) weigh more than what the organisation
profile implies; a cluster manager's re-share is a curated signal but not the viewer's own;
a country match matters for tenders and calls yet alone says little; freshness only breaks
ties between items that fit equally. A "not relevant" is explicit, so an item of the same kind
on the same topic (−3.5) falls below neutral items even when the organisation's profile names
that topic (+3.0), while one of another kind on that topic keeps a little of it (+0.5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from icn.core.countries import country_name
from icn.core.visibility import get_scope
from icn.directory.models import Organisation, Topic
from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import (
    AlertSettings,
    DigestFrequency,
    Feedback,
    Opportunity,
    Reshare,
    SavedSearch,
)
from icn.opportunities.services import alert_settings_for, unsubscribe_url

FOLLOWED_TOPIC = 4.0
ORGANISATION_TOPIC = 3.0
RELATED_TOPIC = 1.5
TOPIC_CAP = 8.0
SAVED_SEARCH = 5.0
RESHARED = 2.5
COUNTRY = 1.5
FRESHNESS = 1.0
FRESHNESS_DAYS = 14
NOT_RELEVANT_TOPIC = 2.5
NOT_RELEVANT_KIND = 1.0
NOT_RELEVANT_CAP = 6.0

DIGEST_SIZE = 20
FIRST_DIGEST_WINDOW = {
    DigestFrequency.DAILY: timedelta(days=1),
    DigestFrequency.WEEKLY: timedelta(days=7),
}
# A little under the period, so a digest sent a few minutes late does not skip a day or week.
DUE_AFTER = {
    DigestFrequency.DAILY: timedelta(hours=23),
    DigestFrequency.WEEKLY: timedelta(days=6, hours=12),
}
NOT_RELEVANT_SALT = "icn.opportunities.not-relevant"


# The scoring core: no database, no Django ------------------------------------------------


@dataclass(frozen=True)
class ItemFacts:
    """What the ranking reads of one item."""

    pk: int
    kind: str
    country: str = ""
    topic_ids: frozenset[int] = frozenset()
    published_at: datetime | None = None
    saved_searches: tuple[str, ...] = ()
    reshared_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkedItem:
    """An item the viewer marked "not relevant": its kind and topics."""

    pk: int
    kind: str
    topic_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class FitProfile:
    """What the ranking knows of the viewer: topics, countries, items it turned down."""

    organisation_topics: frozenset[int] = frozenset()
    followed_topics: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    not_relevant: tuple[MarkedItem, ...] = ()
    topic_names: Mapping[int, str] = field(default_factory=dict)
    topic_parents: Mapping[int, int | None] = field(default_factory=dict)
    country_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def marked_ids(self) -> frozenset[int]:
        return frozenset(item.pk for item in self.not_relevant)


@dataclass(frozen=True)
class Fit:
    """An item's score and the sentences that explain it."""

    score: float
    reasons: list[str]


def _names(ids: Iterable[int], profile: FitProfile) -> str:
    names = sorted(profile.topic_names.get(pk, "") for pk in ids)
    return ", ".join(name for name in names if name)


def _topic_points(item: ItemFacts, profile: FitProfile) -> tuple[float, list[str]]:
    own = profile.organisation_topics | profile.followed_topics
    exact = item.topic_ids & own
    related: set[int] = set()
    for topic in item.topic_ids - exact:
        parent = profile.topic_parents.get(topic)
        children_in_profile = any(profile.topic_parents.get(t) == topic for t in own)
        if (parent is not None and parent in own) or children_in_profile:
            related.add(topic)
    points = sum(
        FOLLOWED_TOPIC if topic in profile.followed_topics else ORGANISATION_TOPIC
        for topic in exact
    )
    points += RELATED_TOPIC * len(related)
    reasons = []
    if exact:
        reasons.append(f"Matches your topics: {_names(exact, profile)}")
    if related:
        reasons.append(f"Close to your topics: {_names(related, profile)}")
    return min(points, TOPIC_CAP), reasons


def _not_relevant_penalty(item: ItemFacts, profile: FitProfile) -> float:
    worst = 0.0
    for marked in profile.not_relevant:
        shared = len(item.topic_ids & marked.topic_ids)
        similarity = NOT_RELEVANT_TOPIC * shared
        if item.kind == marked.kind:
            similarity += NOT_RELEVANT_KIND
        worst = max(worst, similarity)
    return min(worst, NOT_RELEVANT_CAP)


def _freshness(item: ItemFacts, now: datetime) -> float:
    if item.published_at is None:
        return 0.0
    age_days = max((now - item.published_at).total_seconds() / 86400, 0.0)
    return FRESHNESS * max(0.0, 1.0 - age_days / FRESHNESS_DAYS)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def score_item(item: ItemFacts, profile: FitProfile, *, now: datetime) -> Fit | None:
    """The item's fit to the profile, or None for an item the viewer marked not relevant."""
    if item.pk in profile.marked_ids:
        return None
    score, reasons = _topic_points(item, profile)
    if item.saved_searches:
        score += SAVED_SEARCH
        plural = "es" if len(item.saved_searches) > 1 else ""
        reasons.append(f"In your saved search{plural} {_quoted(item.saved_searches)}")
    if item.reshared_by:
        score += RESHARED
        reasons.append(f"Re-shared by {', '.join(item.reshared_by)}")
    if item.country and item.country in profile.countries:
        score += COUNTRY
        name = profile.country_names.get(item.country, item.country)
        reasons.append(f"In your country: {name}")
    score -= _not_relevant_penalty(item, profile)
    score += _freshness(item, now)
    return Fit(score=round(score, 4), reasons=reasons)


def rank(
    items: Iterable[ItemFacts], profile: FitProfile, *, now: datetime
) -> list[tuple[ItemFacts, Fit]]:
    """Best fit first; among equals the newest, then the latest created."""
    scored = [(item, fit) for item in items if (fit := score_item(item, profile, now=now))]
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    scored.sort(
        key=lambda pair: (pair[1].score, pair[0].published_at or oldest, pair[0].pk),
        reverse=True,
    )
    return scored


# Gathering the facts: a few queries per viewer ---------------------------------------------


@dataclass(frozen=True)
class RankedItem:
    """An opportunity with its fit to the viewer and why."""

    opportunity: Opportunity
    score: float
    reasons: list[str]


def _profile_for(viewer: Any) -> FitProfile:
    scope = get_scope(viewer)
    if scope.user_id is None:
        return FitProfile()
    organisation_topics: set[int] = set()
    countries: set[str] = set()
    for country, topic_id in Organisation.objects.filter(pk__in=scope.organisation_ids).values_list(
        "country", "topics"
    ):
        countries.add(country)
        if topic_id is not None:
            organisation_topics.add(topic_id)
    followed = set(
        AlertSettings.topics.through.objects.filter(
            alertsettings__user_id=scope.user_id
        ).values_list("topic_id", flat=True)
    )
    marked: dict[int, tuple[str, set[int]]] = {}
    for pk, kind, topic_id in Feedback.objects.filter(user_id=scope.user_id).values_list(
        "opportunity_id", "opportunity__kind", "opportunity__topics"
    ):
        entry = marked.setdefault(pk, (kind, set()))
        if topic_id is not None:
            entry[1].add(topic_id)
    names: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    if organisation_topics or followed:
        for pk, name, parent_id in Topic.objects.values_list("pk", "name", "parent_id"):
            names[pk] = name
            parents[pk] = parent_id
    return FitProfile(
        organisation_topics=frozenset(organisation_topics),
        followed_topics=frozenset(followed),
        countries=frozenset(countries),
        not_relevant=tuple(
            MarkedItem(pk=pk, kind=kind, topic_ids=frozenset(topics))
            for pk, (kind, topics) in marked.items()
        ),
        topic_names=names,
        topic_parents=parents,
        country_names={code: country_name(code) for code in countries},
    )


def _saved_search_matches(viewer: Any, candidates: QuerySet[Opportunity]) -> dict[int, list[str]]:
    """Item pk → names of the viewer's saved searches that find it."""
    scope = get_scope(viewer)
    matches: dict[int, list[str]] = defaultdict(list)
    if scope.user_id is None:
        return matches
    for saved in SavedSearch.objects.filter(user_id=scope.user_id):
        try:
            filters = OpportunityFilter.model_validate(saved.query)
        except PydanticValidationError:
            continue  # A search saved before a filter changed; the settings page still lists it.
        for pk in filters.apply(candidates).values_list("pk", flat=True):
            matches[pk].append(saved.name)
    return matches


def _reshares(viewer: Any, candidates: QuerySet[Opportunity]) -> dict[int, list[str]]:
    """Item pk → the viewer's clusters it was re-shared to."""
    cluster_ids = get_scope(viewer).cluster_ids
    reshared: dict[int, list[str]] = defaultdict(list)
    if not cluster_ids:
        return reshared
    rows = Reshare.objects.filter(
        cluster_id__in=cluster_ids, opportunity_id__in=candidates.values("pk")
    ).values_list("opportunity_id", "cluster__short_name", "cluster__name")
    for pk, short_name, name in rows:
        reshared[pk].append(short_name or name)
    return reshared


def _candidate_facts(viewer: Any, candidates: QuerySet[Opportunity]) -> list[ItemFacts]:
    rows: dict[int, dict[str, Any]] = {}
    for pk, kind, country, published_at, topic_id in candidates.values_list(
        "pk", "kind", "country", "published_at", "topics"
    ).order_by():
        row = rows.setdefault(
            pk, {"kind": kind, "country": country, "published_at": published_at, "topics": set()}
        )
        if topic_id is not None:
            row["topics"].add(topic_id)
    if not rows:
        return []
    saved = _saved_search_matches(viewer, candidates)
    reshared = _reshares(viewer, candidates)
    return [
        ItemFacts(
            pk=pk,
            kind=row["kind"],
            country=row["country"],
            topic_ids=frozenset(row["topics"]),
            published_at=row["published_at"],
            saved_searches=tuple(sorted(saved.get(pk, []))),
            reshared_by=tuple(sorted(reshared.get(pk, []))),
        )
        for pk, row in rows.items()
    ]


def ranked_for(
    *,
    viewer: Any,
    queryset: QuerySet[Opportunity] | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> list[RankedItem]:
    """Items the viewer may see, best fit first (open items unless a queryset narrows them)."""
    visible = Opportunity.objects.visible_to(viewer)
    # Whatever the caller passes, the viewer's visibility is applied again here.
    candidates = (
        visible.open() if queryset is None else visible.filter(pk__in=queryset.values("pk"))
    )
    profile = _profile_for(viewer)
    ranked = rank(_candidate_facts(viewer, candidates), profile, now=now or timezone.now())
    if limit is not None:
        ranked = ranked[:limit]
    chosen = {item.pk: fit for item, fit in ranked}
    opportunities = (
        Opportunity.objects.filter(pk__in=chosen)
        .select_related("author_organisation", "cluster")
        .prefetch_related("topics")
    )
    by_pk = {opportunity.pk: opportunity for opportunity in opportunities}
    return [
        RankedItem(opportunity=by_pk[pk], score=fit.score, reasons=fit.reasons)
        for pk, fit in chosen.items()
        if pk in by_pk
    ]


# Digests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """One user's digest: the items published since the last one, best fit first."""

    user: Any
    settings: AlertSettings
    items: list[RankedItem]
    total: int
    since: datetime
    until: datetime


def digest_window_start(row: AlertSettings, now: datetime) -> datetime:
    """After the last digest; a first digest looks back one period."""
    if row.last_digest_at is not None:
        return row.last_digest_at
    window = FIRST_DIGEST_WINDOW.get(DigestFrequency(row.frequency), timedelta(days=7))
    return now - window


def build_digest(user: Any, *, now: datetime | None = None) -> Digest | None:
    """The items new to the user since its last digest, visible to it, best fit first."""
    if user is None or not user.is_active:
        return None
    now = now or timezone.now()
    row = alert_settings_for(user)
    since = digest_window_start(row, now)
    new_items = (
        Opportunity.objects.visible_to(user)
        .open()
        .filter(published_at__gt=since, published_at__lte=now)
        # Nobody needs to be told about what they posted themselves.
        .exclude(author_id=user.pk)
    )
    ranked = ranked_for(viewer=user, queryset=new_items, limit=DIGEST_SIZE, now=now)
    if not ranked:
        return None
    marked = Feedback.objects.filter(user_id=user.pk).values("opportunity_id")
    return Digest(
        user=user,
        settings=row,
        items=ranked,
        total=max(len(ranked), new_items.exclude(pk__in=marked).count()),
        since=since,
        until=now,
    )


def is_due(row: AlertSettings, now: datetime) -> bool:
    """Whether the user's next digest is due: its frequency, and enough time since the last."""
    if row.frequency not in DUE_AFTER:
        return False
    if row.last_digest_at is None:
        return True
    return row.last_digest_at <= now - DUE_AFTER[DigestFrequency(row.frequency)]


def due_user_ids(*, frequency: str, now: datetime | None = None) -> list[int]:
    """Active users whose digest of this frequency is due."""
    if frequency not in DUE_AFTER:
        raise ValueError(f"Digests are daily or weekly, not {frequency!r}.")
    now = now or timezone.now()
    cutoff = now - DUE_AFTER[DigestFrequency(frequency)]
    due = Q(alert_settings__frequency=frequency) & (
        Q(alert_settings__last_digest_at__isnull=True)
        | Q(alert_settings__last_digest_at__lte=cutoff)
    )
    if frequency == AlertSettings._meta.get_field("frequency").default:
        # Nobody chose yet: the default applies to them.
        due |= Q(alert_settings__isnull=True)
    users = get_user_model().objects.filter(is_active=True).filter(due)
    return list(users.order_by("pk").values_list("pk", flat=True))


# Links in the e-mail ----------------------------------------------------------------------


def not_relevant_token(user: Any, opportunity: Opportunity) -> str:
    return signing.dumps({"u": user.pk, "o": opportunity.pk}, salt=NOT_RELEVANT_SALT)


def read_not_relevant_token(token: str) -> tuple[int, int] | None:
    """(user id, opportunity id) of a genuine link, None for anything else."""
    try:
        data = signing.loads(token, salt=NOT_RELEVANT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, opportunity_id = data.get("u"), data.get("o")
    if not isinstance(user_id, int) or not isinstance(opportunity_id, int):
        return None
    return user_id, opportunity_id


def not_relevant_url(user: Any, opportunity: Opportunity) -> str:
    token = not_relevant_token(user, opportunity)
    return settings.SITE_URL + reverse("opportunities:not_relevant_link", args=[token])


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The digest as a text and HTML e-mail with one-click unsubscribe headers (RFC 8058)."""
    user = digest.user
    unsubscribe = unsubscribe_url(digest.settings)
    items = [
        {
            "opportunity": ranked.opportunity,
            "reasons": ranked.reasons,
            "url": settings.SITE_URL + ranked.opportunity.get_absolute_url(),
            "not_relevant_url": not_relevant_url(user, ranked.opportunity),
        }
        for ranked in digest.items
    ]
    count = digest.total
    context = {
        "digest": digest,
        "items": items,
        "more": count - len(items),
        "unsubscribe_url": unsubscribe,
        "settings_url": settings.SITE_URL + reverse("opportunities:alerts"),
        "list_url": settings.SITE_URL + reverse("opportunities:list"),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "frequency": digest.settings.get_frequency_display().lower(),
    }
    subject = (
        f"{count} new opportunit{'y' if count == 1 else 'ies'} for you on {settings.SITE_NAME}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("opportunities/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("opportunities/email/digest.html", context), "text/html"
    )
    return message


def saved_searches_of(*, viewer: Any) -> QuerySet[SavedSearch]:
    scope = get_scope(viewer)
    if scope.user_id is None:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user_id=scope.user_id).order_by("name", "pk")
