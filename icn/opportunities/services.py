"""Writes about opportunities and solutions: pages, API, commands and tasks all come here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from icn.core.files import check_upload
from icn.core.models import assign, delete_or_explain
from icn.core.visibility import Visibility, can_change, can_view, get_scope
from icn.directory.models import Cluster, Organisation, Topic
from icn.directory.services import unique_slug
from icn.opportunities.models import (
    AlertSettings,
    Attachment,
    Comment,
    Feedback,
    Follow,
    Interest,
    Opportunity,
    OpportunityStatus,
    Reshare,
    SavedSearch,
    Solution,
    SolutionLabel,
)

AWARDED_LABELS = {SolutionLabel.EFFICIENT_SOLUTION, SolutionLabel.AWARD}


def _matching_changed(kind: str, pk: int) -> None:
    """Tell the matching index that a record it keeps changed (its vector is refreshed)."""
    from icn.matching.services import record_changed

    record_changed(kind, pk)


def may_post_for(actor: Any, organisation: Organisation | None, cluster: Cluster | None) -> bool:
    """Members post for their organisations, managers for their clusters, the secretariat all."""
    scope = get_scope(actor)
    if scope.is_secretariat:
        return True
    if organisation is not None and organisation.pk in scope.organisation_ids:
        return True
    return organisation is None and cluster is not None and cluster.pk in scope.managed_cluster_ids


def _check_owner(
    actor: Any,
    organisation: Organisation | None,
    cluster: Cluster | None,
    visibility: str,
    *,
    moved: bool = True,
) -> None:
    """`moved`: the item gets a new owner, which the actor must be allowed to post for."""
    if moved and not may_post_for(actor, organisation, cluster):
        raise PermissionDenied("Post for an organisation you act for, or for a cluster you manage.")
    if visibility == Visibility.CLUSTER and cluster is None:
        raise ValidationError({"cluster": "A cluster-only item needs its cluster."})
    if visibility == Visibility.PRIVATE and organisation is None:
        raise ValidationError({"visibility": "A private item belongs to an organisation."})
    if cluster is not None and organisation is not None:
        scope = get_scope(actor)
        in_cluster = organisation.clusters.filter(pk=cluster.pk).exists()
        if not (in_cluster or scope.is_secretariat or cluster.pk in scope.managed_cluster_ids):
            raise ValidationError({"cluster": "The organisation is not a member of this cluster."})


def _default_cluster(organisation: Organisation | None) -> Cluster | None:
    if organisation is None:
        return None
    return organisation.clusters.order_by("name").first()


@transaction.atomic
def opportunity_create(
    *,
    actor: Any,
    author_organisation: Organisation | None = None,
    cluster: Cluster | None = None,
    topics: Iterable[Topic] = (),
    publish: bool = False,
    **fields: Any,
) -> Opportunity:
    """A new item, a draft unless published at once."""
    if cluster is None:
        cluster = _default_cluster(author_organisation)
    visibility = fields.get("visibility", Visibility.NETWORK)
    _check_owner(actor, author_organisation, cluster, visibility)
    if not fields.get("country") and author_organisation is not None:
        fields["country"] = author_organisation.country  # where it happens, unless said otherwise
    opportunity = Opportunity(
        author_organisation=author_organisation,
        cluster=cluster,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    opportunity.slug = unique_slug(Opportunity, opportunity.title, max_length=300)
    if publish:
        if opportunity.deadline and opportunity.deadline < timezone.now():
            raise ValidationError({"deadline": "The deadline has passed: move it to publish."})
        opportunity.status = OpportunityStatus.PUBLISHED
        opportunity.published_at = timezone.now()
    opportunity.full_clean()
    opportunity.save()
    opportunity.topics.set(topics)
    _matching_changed("opportunities", opportunity.pk)
    return opportunity


def _require_change(actor: Any, opportunity: Opportunity) -> None:
    if not can_change(actor, opportunity):
        raise PermissionDenied("You may not change this item.")


@transaction.atomic
def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    topics: Iterable[Topic] | None = None,
    **fields: Any,
) -> Opportunity:
    _require_change(actor, opportunity)
    owner = (opportunity.author_organisation_id, opportunity.cluster_id)
    assign(opportunity, fields)
    if {"cluster", "visibility", "author_organisation"} & fields.keys():
        # Whoever may change the item keeps its owner (a manager editing a member's item);
        # giving it to another organisation or cluster needs the right to post for that one.
        _check_owner(
            actor,
            opportunity.author_organisation,
            opportunity.cluster,
            opportunity.visibility,
            moved=(opportunity.author_organisation_id, opportunity.cluster_id) != owner,
        )
    opportunity.full_clean()
    opportunity.save()
    if topics is not None:
        opportunity.topics.set(topics)
    _matching_changed("opportunities", opportunity.pk)
    return opportunity


_TRANSITIONS = {
    "publish": ({OpportunityStatus.DRAFT, OpportunityStatus.CLOSED}, OpportunityStatus.PUBLISHED),
    "close": ({OpportunityStatus.PUBLISHED}, OpportunityStatus.CLOSED),
    "archive": (
        {OpportunityStatus.DRAFT, OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED},
        OpportunityStatus.ARCHIVED,
    ),
}


@transaction.atomic
def opportunity_transition(*, actor: Any, opportunity: Opportunity, action: str) -> Opportunity:
    """Publish, close or archive an item; a step that does not apply is refused."""
    _require_change(actor, opportunity)
    if action not in _TRANSITIONS:
        raise ValidationError(f"Unknown action: {action}.")
    allowed_from, target = _TRANSITIONS[action]
    if opportunity.status not in allowed_from:
        raise ValidationError(
            f"A {opportunity.get_status_display().lower()} item cannot be {target.label.lower()}."
        )
    if action == "publish" and opportunity.deadline and opportunity.deadline < timezone.now():
        raise ValidationError({"deadline": "The deadline has passed: move it before publishing."})
    opportunity.status = target
    if target == OpportunityStatus.PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = timezone.now()
    opportunity.save(update_fields=["status", "published_at", "updated_at"])
    return opportunity


@transaction.atomic
def opportunity_delete(*, actor: Any, opportunity: Opportunity) -> None:
    _require_change(actor, opportunity)
    delete_or_explain(opportunity)


def opportunities_close_expired(*, now: Any = None) -> int:
    """Close every published item whose deadline has passed; returns how many."""
    now = now or timezone.now()
    return Opportunity.objects.filter(status=OpportunityStatus.PUBLISHED, deadline__lt=now).update(
        status=OpportunityStatus.CLOSED, updated_at=now
    )


# Attachments: a known type, checked by content, under the size limit ----------------------


@transaction.atomic
def attachment_add(*, actor: Any, opportunity: Opportunity, upload: Any) -> Attachment:
    """Attach a file to an item; its type is checked by content, not only by name."""
    _require_change(actor, opportunity)
    checked = check_upload(upload, default_name="attachment")
    attachment = Attachment(
        opportunity=opportunity,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    _require_change(actor, attachment.opportunity)
    attachment.file.delete(save=False)
    attachment.delete()


# Taking part --------------------------------------------------------------------------------


def _require_view(actor: Any, opportunity: Opportunity) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")
    if not can_view(actor, opportunity):
        raise PermissionDenied("You may not see this item.")


def follow_set(*, actor: Any, opportunity: Opportunity, following: bool) -> bool:
    _require_view(actor, opportunity)
    if following:
        Follow.objects.get_or_create(user=actor, opportunity=opportunity)
    else:
        Follow.objects.filter(user=actor, opportunity=opportunity).delete()
    return following


def _acting_organisation(actor: Any, organisation: Organisation | None) -> Organisation | None:
    scope = get_scope(actor)
    if organisation is not None:
        if organisation.pk not in scope.organisation_ids:
            raise PermissionDenied("You do not act for this organisation.")
        return organisation
    first = min(scope.organisation_ids, default=None)
    return Organisation.objects.filter(pk=first).first() if first else None


@transaction.atomic
def interest_express(
    *, actor: Any, opportunity: Opportunity, message: str, organisation: Organisation | None = None
) -> Interest:
    """Tell the item's contact that the actor's organisation is interested."""
    _require_view(actor, opportunity)
    if not opportunity.is_open():
        raise ValidationError("This item is closed.")
    message = message.strip()
    if not message:
        raise ValidationError({"message": "Say a few words about your interest."})
    interest = Interest(
        user=actor,
        organisation=_acting_organisation(actor, organisation),
        opportunity=opportunity,
        message=message,
    )
    interest.full_clean()
    interest.save()
    recipient = opportunity.contact_email or (
        opportunity.author.email if opportunity.author else ""
    )
    if recipient:
        who = f"{actor} ({interest.organisation})" if interest.organisation else str(actor)
        link = settings.SITE_URL + opportunity.get_absolute_url()
        body = (
            f"{who} is interested in “{opportunity.title}”:\n\n{message}\n\n"
            f"Reply to {actor.email}.\n{link}\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                f"Interest in {opportunity.title}", body, None, [recipient], fail_silently=False
            )
        )
    return interest


@transaction.atomic
def comment_add(*, actor: Any, opportunity: Opportunity, body: str) -> Comment:
    _require_view(actor, opportunity)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "The comment is empty."})
    comment = Comment(
        opportunity=opportunity,
        user=actor,
        organisation=_acting_organisation(actor, None),
        body=body,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def reshare_create(
    *, actor: Any, opportunity: Opportunity, cluster: Cluster, note: str = ""
) -> Reshare:
    """A cluster manager passes an item from another cluster on to its own members."""
    scope = get_scope(actor)
    if not (scope.is_secretariat or cluster.pk in scope.managed_cluster_ids):
        raise PermissionDenied("Only the cluster's managers re-share items to it.")
    if not can_view(actor, opportunity):
        raise PermissionDenied("You may not see this item.")
    if opportunity.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        raise ValidationError("Only items shared with the whole network can be re-shared.")
    if opportunity.cluster_id == cluster.pk:
        raise ValidationError("This item already belongs to that cluster.")
    reshare, _ = Reshare.objects.get_or_create(
        opportunity=opportunity,
        cluster=cluster,
        defaults={"shared_by": actor, "note": note.strip()[:500]},
    )
    return reshare


# Solutions ----------------------------------------------------------------------------------


def _check_labels(actor: Any, old: list[str], new: list[str]) -> None:
    """Labels such as "Efficient Solution" are awarded by the network, not given to oneself."""
    changed = (set(old) ^ set(new)) & AWARDED_LABELS
    if changed and not get_scope(actor).is_secretariat:
        raise PermissionDenied("Only the secretariat awards labels such as Efficient Solution.")


@transaction.atomic
def solution_create(
    *, actor: Any, organisation: Organisation, topics: Iterable[Topic] = (), **fields: Any
) -> Solution:
    if not (
        organisation.pk in get_scope(actor).organisation_ids or can_change(actor, organisation)
    ):
        raise PermissionDenied("Solutions are posted by their own organisation.")
    _check_labels(actor, [], fields.get("labels") or [])
    solution = Solution(organisation=organisation, **fields)
    solution.slug = unique_slug(Solution, solution.title, max_length=300)
    solution.full_clean()
    solution.save()
    solution.topics.set(topics)
    _matching_changed("solutions", solution.pk)
    return solution


def may_change_solution(actor: Any, solution: Solution) -> bool:
    """Its organisation's people, and whoever may change it as a shareable record."""
    return solution.organisation_id in get_scope(actor).organisation_ids or can_change(
        actor, solution
    )


@transaction.atomic
def solution_update(
    *, actor: Any, solution: Solution, topics: Iterable[Topic] | None = None, **fields: Any
) -> Solution:
    if not may_change_solution(actor, solution):
        raise PermissionDenied("You may not change this solution.")
    if "labels" in fields:
        _check_labels(actor, solution.labels or [], fields["labels"] or [])
    assign(solution, fields)
    solution.full_clean()
    solution.save()
    if topics is not None:
        solution.topics.set(topics)
    _matching_changed("solutions", solution.pk)
    return solution


@transaction.atomic
def solution_delete(*, actor: Any, solution: Solution) -> None:
    if not may_change_solution(actor, solution):
        raise PermissionDenied("You may not delete this solution.")
    solution.delete()


# Alerts -------------------------------------------------------------------------------------


def alert_settings_for(user: Any) -> AlertSettings:
    settings_row, _ = AlertSettings.objects.get_or_create(user=user)
    return settings_row


@transaction.atomic
def alert_settings_update(
    *, actor: Any, frequency: str | None = None, topics: Iterable[Topic] | None = None
) -> AlertSettings:
    row = alert_settings_for(actor)
    if frequency is not None:
        row.frequency = frequency
        row.full_clean()
        row.save(update_fields=["frequency"])
    if topics is not None:
        row.topics.set(topics)
    return row


@transaction.atomic
def saved_search_create(*, actor: Any, name: str, query: dict[str, Any]) -> SavedSearch:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")
    kept = {k: str(v) for k, v in query.items() if k in SavedSearch.FILTER_KEYS and v}
    if not kept:
        raise ValidationError("Choose at least one filter or search words to save.")
    saved = SavedSearch(user=actor, name=name.strip() or "My search", query=kept)
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_search_delete(*, actor: Any, saved_search: SavedSearch) -> None:
    if saved_search.user_id != actor.pk:
        raise PermissionDenied("You may delete only your own searches.")
    saved_search.delete()


def feedback_not_relevant(*, actor: Any, opportunity: Opportunity) -> Feedback:
    _require_view(actor, opportunity)
    feedback, _ = Feedback.objects.get_or_create(user=actor, opportunity=opportunity)
    return feedback


def unsubscribe(*, token: str) -> AlertSettings | None:
    """One click from the e-mail: no log-in, the token is the proof."""
    row = AlertSettings.objects.filter(unsubscribe_token=token).first()
    if row is not None and row.frequency != "never":
        row.frequency = "never"
        row.save(update_fields=["frequency"])
    return row


def unsubscribe_url(row: AlertSettings) -> str:
    return settings.SITE_URL + reverse("opportunities:unsubscribe", args=[row.unsubscribe_token])
