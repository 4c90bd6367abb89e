"""Who may see and change a shareable record: the one place that decides it.

Every shareable record has a visibility and belongs to an organisation and to one or more
clusters (through paths each model declares). A viewer's *scope* says which organisations it
acts for and which clusters it belongs to or manages; `visible_to` and `editable_by` turn
the two into a filter, so pages, API and exports apply the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    NETWORK = "network", "Network"
    CLUSTER = "cluster", "Cluster"
    PRIVATE = "private", "Private"


VISIBILITY_HELP = {
    Visibility.PUBLIC: "Anyone, including visitors who are not logged in.",
    Visibility.NETWORK: "Everyone logged in who acts for a member or partner of the network.",
    Visibility.CLUSTER: "Members and managers of the owning cluster(s) only.",
    Visibility.PRIVATE: "The owning organisation only.",
}


@dataclass(frozen=True)
class Scope:
    """What a viewer can reach: organisations it acts for and clusters it belongs to."""

    user_id: int | None = None
    is_secretariat: bool = False
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    admin_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    member_cluster_ids: frozenset[int] = field(default_factory=frozenset)
    managed_cluster_ids: frozenset[int] = field(default_factory=frozenset)
    partner_organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def cluster_ids(self) -> frozenset[int]:
        return self.member_cluster_ids | self.managed_cluster_ids

    @property
    def is_cluster_manager(self) -> bool:
        return bool(self.managed_cluster_ids)

    @property
    def is_partner(self) -> bool:
        return bool(self.partner_organisation_ids)

    @property
    def is_member(self) -> bool:
        return bool(self.organisation_ids - self.partner_organisation_ids)

    @property
    def is_network(self) -> bool:
        """Sees network-wide records: anyone acting for the network or one of its partners."""
        return self.is_secretariat or bool(self.organisation_ids) or self.is_cluster_manager

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_secretariat:
            roles.append("secretariat")
        if self.is_cluster_manager:
            roles.append("cluster_manager")
        if self.is_partner:
            roles.append("partner")
        if self.is_member:
            roles.append("member")
        if not roles:
            roles.append("user" if self.is_authenticated else "anonymous")
        return roles

    @property
    def role_names(self) -> str:
        """The roles in words, for the menu: "cluster manager, member"."""
        return ", ".join(role.replace("_", " ") for role in self.roles)


ANONYMOUS_SCOPE = Scope()
_SCOPE_CACHE_ATTR = "_icn_scope"


def get_scope(user: AbstractBaseUser | AnonymousUser | None) -> Scope:
    """The viewer's scope, computed once per user object (per request)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, _SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    resolver = import_string(settings.ICN_SCOPE_RESOLVER)
    scope: Scope = resolver(user)
    setattr(user, _SCOPE_CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop a cached scope after the user's memberships or managed clusters changed."""
    if hasattr(user, _SCOPE_CACHE_ATTR):
        delattr(user, _SCOPE_CACHE_ATTR)


NOTHING = Q(pk__in=[])


class ShareableQuerySet(models.QuerySet):
    """Queryset of a record that carries a visibility."""

    def _paths(self) -> tuple[str, str]:
        model: Any = self.model
        return model.VISIBILITY_ORGANISATION_PATH, model.VISIBILITY_CLUSTER_PATH

    def _in_clusters(self, cluster_ids: frozenset[int]) -> Q:
        if not cluster_ids:
            return NOTHING
        _, cluster_path = self._paths()
        # A subquery, not a join: a record in two of the viewer's clusters is listed once.
        inner = self.model._default_manager.filter(**{f"{cluster_path}__in": cluster_ids})
        return Q(pk__in=inner.values("pk"))

    def _owned_by(self, organisation_ids: frozenset[int]) -> Q:
        if not organisation_ids:
            return NOTHING
        organisation_path, _ = self._paths()
        return Q(**{f"{organisation_path}__in": organisation_ids})

    def visible_to(self, user: Any) -> Self:
        """Records the user may see: the one rule for pages, API and exports."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        shared = Q(visibility=Visibility.PUBLIC)
        if scope.is_network:
            shared |= Q(visibility=Visibility.NETWORK)
        if scope.cluster_ids:
            shared |= Q(visibility=Visibility.CLUSTER) & self._in_clusters(scope.cluster_ids)
        restricted: Q | None = self.model.visibility_restricted_q()
        if restricted is not None:
            shared &= ~restricted
        return self.filter(shared | self._owned_by(scope.organisation_ids))

    def editable_by(self, user: Any) -> Self:
        """Records the user may change or delete: the one write rule."""
        scope = get_scope(user)
        if scope.is_secretariat:
            return self.all()
        if not scope.is_authenticated:
            return self.none()
        managed = self._in_clusters(scope.managed_cluster_ids) & ~Q(visibility=Visibility.PRIVATE)
        return self.filter(managed | self._owned_by(scope.admin_organisation_ids))


class ShareableModel(models.Model):
    """A record with a visibility, owned by an organisation and through it by clusters."""

    VISIBILITY_ORGANISATION_PATH: ClassVar[str] = "organisation"
    VISIBILITY_CLUSTER_PATH: ClassVar[str] = "organisation__clusters"

    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK, db_index=True
    )

    class Meta:
        abstract = True

    @classmethod
    def visibility_restricted_q(cls) -> Q | None:
        """Records that only their own organisation sees, whatever their visibility."""
        return None


def can_view(user: Any, obj: models.Model) -> bool:
    manager: Any = type(obj)._default_manager
    return bool(manager.visible_to(user).filter(pk=obj.pk).exists())


def can_change(user: Any, obj: models.Model) -> bool:
    manager: Any = type(obj)._default_manager
    return bool(manager.editable_by(user).filter(pk=obj.pk).exists())
