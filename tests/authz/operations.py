"""Every page and API operation that reads or writes one record, with the ability of the
matrix it needs, how to call it and how to tell that a write took effect.

What a refusal looks like is decided once, in `expected`: an operation the role may not do on
a record it does not see answers as if the record were absent (404); an anonymous caller of
an operation that needs a user is asked to log in first (401 from the API, the login page for
a page); a role that sees the record but may not do the operation is refused (403), or, on
pages that report refusals as a message on the record's page, sent back there unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from icn.accounts.models import ApiToken, Membership
from icn.directory.models import Cluster, ClusterApplication, Organisation, Partnership, Person
from icn.events.models import Event, Registration, ScheduleRun, Session
from icn.knowledge.models import Collection, DocumentVersion, KnowledgeDocument
from icn.matching.models import MatchFeedback, MatchRecord
from icn.opportunities.models import (
    Attachment,
    Comment,
    Feedback,
    Follow,
    Interest,
    Opportunity,
    Solution,
)
from icn.passports.models import DeskOffer, Passport
from icn.projects.models import (
    ConsortiumMember,
    PartnerInvitation,
    ProjectApplication,
    Section,
    Task,
)
from icn.projects.models import Document as WorkspaceDocument
from tests.authz.matrix import may
from tests.authz.records import Case

EDITED = "Changed by the authorisation matrix."

# Outcomes: what happened to one role's request.
ALLOWED = "allowed"
LOGIN = "asked to log in"
HIDDEN = "not found"
FORBIDDEN = "forbidden"
SENT_BACK = "sent back with a message"

# An ability no cell grants: what nobody may do.
NOBODY = "none"
PUBLIC = ("public",)
NOT_PUBLIC = ("network", "cluster", "private")

Body = Callable[[Case], Any]
Check = Callable[[Case, Any], bool]


@dataclass(frozen=True)
class Operation:
    """One page or API operation on one kind of record."""

    kind: str
    ability: str
    method: str
    path: str
    ok: int = 200
    # The JSON body (API) or form data (pages); for a page form, the fields the page itself
    # offers are sent along (see `form`).
    body: Body | None = None
    # Whether the write took effect (for the user who asked).
    done: Check | None = None
    # Where an allowed page sends the user.
    to: Callable[[Case], str] | None = None
    # A page whose form is read first (as the secretariat) so every field it offers is sent.
    form: str | None = None
    # An anonymous caller is asked to log in before anything else.
    login_first: bool = True
    # How the operation refuses a role that sees the record: FORBIDDEN or SENT_BACK, or
    # HIDDEN where the page is only ever shown to those who may use it.
    refused: str = FORBIDDEN
    # The ability that decides whether the record is seen at all, when it is not reading
    # (a draft is seen by those who may change it only).
    seen: str = "r"
    # A state the record must be in for the operation, set before each role's request.
    prepare: Callable[[Case, Any], None] | None = None
    variants: tuple[str, ...] | None = None
    files: Callable[[], dict[str, Any]] = field(default=dict)
    # An API operation that takes a multipart form rather than JSON.
    multipart: bool = False

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/v1/")

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, case: Case) -> str:
        return self.path.format(**case.params)


def expected(operation: Operation, variant: str, role: str) -> str:
    """What the table says happens when `role` runs the operation on the record."""
    if role == "anonymous" and operation.login_first:
        return LOGIN
    if may(operation.kind, variant, role, operation.ability):
        return ALLOWED
    if not may(operation.kind, variant, role, operation.seen):
        return HIDDEN
    return operation.refused


def api(kind: str, ability: str, method: str, path: str, **options: Any) -> Operation:
    options.setdefault("login_first", method != "GET")
    return Operation(kind, ability, method, "/api/v1" + path, **options)


def page(kind: str, ability: str, method: str, path: str, **options: Any) -> Operation:
    if method == "POST" and "to" in options:
        options.setdefault("ok", 302)
    return Operation(kind, ability, method, path, **options)


def _gone(model: Any) -> Check:
    return lambda case, user: not model.objects.filter(pk=case.record.pk).exists()


# Who owns a record and who sees it: an edit of something else must leave them as they were.
OWNERSHIP = (
    "visibility",
    "organisation_id",
    "author_organisation_id",
    "cluster_id",
    "host_cluster_id",
    "partner_id",
    "lead_id",
)


def _edited(model: Any, name: str) -> Check:
    def check(case: Case, user: Any) -> bool:
        record = model.objects.get(pk=case.record.pk)
        for owned in OWNERSHIP:
            if hasattr(record, owned):
                before, after = getattr(case.record, owned), getattr(record, owned)
                assert before == after, f"{user} changing {name} changed {owned}: {after!r}"
        return bool(getattr(record, name) == EDITED)

    return check


def _status(model: Any, status: str) -> Check:
    return lambda case, user: model.objects.get(pk=case.record.pk).status == status


def _edit(name: str) -> Body:
    return lambda case: {name: EDITED}


def _own(case: Case) -> str:
    return str(case.record.get_absolute_url())


# Set-ups ------------------------------------------------------------------------------------


def _closed(case: Case, user: Any) -> None:
    Opportunity.objects.filter(pk=case.record.pk).update(status="closed")


def _tender(case: Case, user: Any) -> None:
    Opportunity.objects.filter(pk=case.record.pk).update(kind="tender")


def _funding_call(case: Case, user: Any) -> None:
    Opportunity.objects.filter(pk=case.record.pk).update(kind="funding_call")


def _following(case: Case, user: Any) -> None:
    if user.is_authenticated:
        Follow.objects.create(user=user, opportunity=case.record)


def _attachment(case: Case, user: Any) -> None:
    attachment = Attachment(
        opportunity=case.record, name="notes.txt", content_type="text/plain", size=5
    )
    attachment.file.save("notes.txt", SimpleUploadedFile("notes.txt", b"notes"), save=False)
    attachment.save()
    case.params["attachment"] = attachment.pk


def _task(case: Case, user: Any) -> None:
    case.params["task"] = Task.objects.create(application=case.record, title="Letters").pk


def _workspace_file(case: Case, user: Any) -> None:
    """A file nobody of the matrix uploaded: removing it is for the lead's side."""
    document = WorkspaceDocument(
        application=case.record, name="letter.txt", content_type="text/plain", size=6
    )
    document.file.save("letter.txt", SimpleUploadedFile("letter.txt", b"letter"), save=False)
    document.save()
    case.params["document"] = document.pk


def _draft(case: Case, user: Any) -> None:
    Event.objects.filter(pk=case.record.pk).update(status="draft")


def _run(case: Case, user: Any) -> None:
    run = ScheduleRun.objects.create(event=case.record, status="done")
    case.params["run"] = run.pk


def _introduced(case: Case, user: Any) -> None:
    MatchRecord.objects.filter(pk=case.record.pk).update(
        status="introduced", introduced_at=timezone.now()
    )


def _in_collection(case: Case, user: Any) -> None:
    from icn.knowledge import services

    document = services.document_create(
        actor=case.extra["curator"],
        title="Shore power handbook",
        kind="report",
        cluster=case.record.cluster,
        visibility="public",
        url="https://example.org/handbook.pdf",
    )
    services.collection_add_document(
        actor=case.extra["curator"], collection=case.record, document=document
    )
    case.params["document"] = document.slug


# Effects for the user who asked --------------------------------------------------------------


def _followed(case: Case, user: Any) -> bool:
    return Follow.objects.filter(user_id=user.pk, opportunity=case.record).exists()


def _unfollowed(case: Case, user: Any) -> bool:
    return user.is_authenticated and not _followed(case, user)


def _interested(case: Case, user: Any) -> bool:
    return Interest.objects.filter(user_id=user.pk, opportunity=case.record).exists()


def _commented(case: Case, user: Any) -> bool:
    return Comment.objects.filter(user_id=user.pk, opportunity=case.record).exists()


def _not_relevant(case: Case, user: Any) -> bool:
    return Feedback.objects.filter(user_id=user.pk, opportunity=case.record).exists()


def _registered(case: Case, user: Any) -> bool:
    return Registration.objects.filter(user_id=user.pk, event=case.record).exists()


def _attached(case: Case, user: Any) -> bool:
    return Attachment.objects.filter(opportunity=case.record).exists()


def _attachment_gone(case: Case, user: Any) -> bool:
    return not Attachment.objects.filter(pk=case.params["attachment"]).exists()


def _sessions(count: int) -> Check:
    return lambda case, user: Session.objects.filter(event=case.record).count() == count


def _versions(case: Case, user: Any) -> bool:
    return DocumentVersion.objects.filter(document=case.record).count() == 2


def _emptied(case: Case, user: Any) -> bool:
    return not Collection.objects.get(pk=case.record.pk).items.exists()


def _rated(case: Case, user: Any) -> bool:
    return MatchFeedback.objects.filter(match=case.record).exists()


def _tasks(case: Case, user: Any) -> bool:
    return Task.objects.filter(application=case.record, title=EDITED).exists()


def _section_written(case: Case, user: Any) -> bool:
    section = case.record.sections.get(key=case.params["key"])
    return EDITED in section.text


def _partner_added(case: Case, user: Any) -> bool:
    return ConsortiumMember.objects.filter(application=case.record, external_name=EDITED).exists()


def _partner_edited(case: Case, user: Any) -> bool:
    return ConsortiumMember.objects.get(pk=case.params["member"]).role == EDITED


def _partner_gone(case: Case, user: Any) -> bool:
    return not ConsortiumMember.objects.filter(pk=case.params["member"]).exists()


def _invited(case: Case, user: Any) -> bool:
    return PartnerInvitation.objects.filter(member_id=case.params["member"]).exists()


def _in_review(case: Case, user: Any) -> bool:
    return Section.objects.get(application=case.record, key=case.params["key"]).status == "review"


def _ticked(case: Case, user: Any) -> bool:
    return Task.objects.get(pk=case.params["task"]).done


def _uploaded(case: Case, user: Any) -> bool:
    return WorkspaceDocument.objects.filter(application=case.record).exists()


def _file_gone(case: Case, user: Any) -> bool:
    return not WorkspaceDocument.objects.filter(pk=case.params["document"]).exists()


def _person_added(case: Case, user: Any) -> bool:
    return Person.objects.filter(organisation=case.record, name=EDITED).exists()


def _admin(case: Case, user: Any) -> bool:
    return Membership.objects.get(pk=case.record.pk).role == "admin"


def _revoked(case: Case, user: Any) -> bool:
    return ApiToken.objects.get(pk=case.record.pk).revoked_at is not None


def _decided(case: Case, user: Any) -> bool:
    return ClusterApplication.objects.get(pk=case.record.pk).status == "approved"


def _scheduled(case: Case, user: Any) -> bool:
    return ScheduleRun.objects.filter(event=case.record).exists()


def _later(days: int, hours: int = 0) -> str:
    moment = timezone.now() + timedelta(days=days, hours=hours)
    return moment.replace(minute=0, second=0, microsecond=0).isoformat()


def _text_file() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("notes.txt", b"Notes of the meeting.", "text/plain")}


OPERATIONS: list[Operation] = [
    # Organisations
    api("organisation", "r", "GET", "/organisations/{slug}"),
    api(
        "organisation",
        "w",
        "PATCH",
        "/organisations/{slug}",
        body=_edit("description"),
        done=_edited(Organisation, "description"),
    ),
    api("organisation", "w", "DELETE", "/organisations/{slug}", ok=204, done=_gone(Organisation)),
    page("organisation", "r", "GET", "/organisations/{slug}/", login_first=False),
    page("organisation", "w", "GET", "/organisations/{slug}/edit/"),
    page(
        "organisation",
        "w",
        "POST",
        "/organisations/{slug}/edit/",
        form="/organisations/{slug}/edit/",
        body=_edit("description"),
        to=_own,
        done=_edited(Organisation, "description"),
    ),
    page(
        "organisation",
        "w",
        "POST",
        "/organisations/{slug}/delete/",
        to=lambda case: "/organisations/",
        done=_gone(Organisation),
    ),
    page("organisation", "w", "GET", "/organisations/{slug}/people/new/"),
    page(
        "organisation",
        "w",
        "POST",
        "/organisations/{slug}/people/new/",
        form="/organisations/{slug}/people/new/",
        body=_edit("name"),
        to=_own,
        done=_person_added,
    ),
    # Who belongs to an organisation: changed by those who change the organisation.
    page(
        "membership",
        "w",
        "POST",
        "/accounts/memberships/{pk}/",
        body=lambda case: {"role": "admin"},
        to=lambda case: str(case.owning.get_absolute_url()) if case.owning else "",
        done=_admin,
    ),
    # People
    api("person", "r", "GET", "/people/{pk}"),
    api(
        "person",
        "w",
        "PATCH",
        "/people/{pk}",
        body=_edit("job_title"),
        done=_edited(Person, "job_title"),
    ),
    api("person", "w", "DELETE", "/people/{pk}", ok=204, done=_gone(Person)),
    page("person", "r", "GET", "/people/{pk}/", login_first=False),
    page("person", "w", "GET", "/people/{pk}/edit/"),
    page(
        "person",
        "w",
        "POST",
        "/people/{pk}/edit/",
        form="/people/{pk}/edit/",
        body=_edit("job_title"),
        to=_own,
        done=_edited(Person, "job_title"),
    ),
    page(
        "person",
        "w",
        "POST",
        "/people/{pk}/delete/",
        to=lambda case: str(case.owning.get_absolute_url()) if case.owning else "",
        done=_gone(Person),
    ),
    # Opportunities (a published challenge)
    api("opportunity", "r", "GET", "/opportunities/{slug}"),
    # Open data: a public tender is released to everyone; other items are not open data,
    # whoever asks.
    api("opportunity", "r", "GET", "/opportunities/{slug}/ocds", prepare=_tender, variants=PUBLIC),
    api(
        "opportunity",
        NOBODY,
        "GET",
        "/opportunities/{slug}/ocds",
        prepare=_tender,
        seen=NOBODY,
        variants=NOT_PUBLIC,
    ),
    api("opportunity", "r", "GET", "/opportunities/{slug}/comments"),
    api("opportunity", "r", "GET", "/matching/challenges/{slug}/solutions"),
    api(
        "opportunity",
        "r",
        "GET",
        "/matching/calls/{slug}/organisations",
        prepare=_funding_call,
    ),
    api(
        "opportunity",
        "w",
        "PATCH",
        "/opportunities/{slug}",
        body=_edit("summary"),
        done=_edited(Opportunity, "summary"),
    ),
    api("opportunity", "w", "DELETE", "/opportunities/{slug}", ok=204, done=_gone(Opportunity)),
    api(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/publish",
        prepare=_closed,
        done=_status(Opportunity, "published"),
    ),
    api(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/close",
        done=_status(Opportunity, "closed"),
    ),
    api(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/archive",
        done=_status(Opportunity, "archived"),
    ),
    api("opportunity", "p", "POST", "/opportunities/{slug}/follow", done=_followed),
    api(
        "opportunity",
        "p",
        "DELETE",
        "/opportunities/{slug}/follow",
        prepare=_following,
        done=_unfollowed,
    ),
    api(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/interest",
        ok=201,
        body=lambda case: {"message": "We make shore power units."},
        done=_interested,
    ),
    api(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/comments",
        ok=201,
        body=lambda case: {"body": "Which voltage?"},
        done=_commented,
    ),
    api(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/not-relevant",
        ok=204,
        done=_not_relevant,
    ),
    page("opportunity", "r", "GET", "/opportunities/{slug}/", login_first=False),
    page("opportunity", "w", "GET", "/opportunities/{slug}/edit/"),
    page(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/edit/",
        form="/opportunities/{slug}/edit/",
        body=_edit("summary"),
        to=_own,
        done=_edited(Opportunity, "summary"),
    ),
    page(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/status/",
        body=lambda case: {"action": "close"},
        to=_own,
        done=_status(Opportunity, "closed"),
    ),
    page(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/follow/",
        body=lambda case: {"follow": "1"},
        to=_own,
        done=_followed,
    ),
    page(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/interest/",
        body=lambda case: {"message": "We make shore power units."},
        to=_own,
        done=_interested,
    ),
    page(
        "opportunity",
        "p",
        "POST",
        "/opportunities/{slug}/comments/",
        body=lambda case: {"body": "Which voltage?"},
        to=_own,
        done=_commented,
    ),
    page(
        "opportunity",
        "p",
        "POST",
        "/alerts/not-relevant/{slug}/",
        ok=302,
        done=_not_relevant,
    ),
    page(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/attachments/",
        files=_text_file,
        to=_own,
        done=_attached,
    ),
    page(
        "opportunity",
        "r",
        "GET",
        "/opportunities/{slug}/attachments/{attachment}/",
        login_first=False,
        prepare=_attachment,
    ),
    page(
        "opportunity",
        "w",
        "POST",
        "/opportunities/{slug}/attachments/{attachment}/delete/",
        prepare=_attachment,
        to=_own,
        done=_attachment_gone,
    ),
    page("opportunity", "r", "GET", "/projects/calls/{slug}/consortium/", prepare=_funding_call),
    # Solutions
    api("solution", "r", "GET", "/solutions/{slug}"),
    api(
        "solution",
        "w",
        "PATCH",
        "/solutions/{slug}",
        body=_edit("description"),
        done=_edited(Solution, "description"),
    ),
    api("solution", "w", "DELETE", "/solutions/{slug}", ok=204, done=_gone(Solution)),
    page("solution", "r", "GET", "/solutions/{slug}/", login_first=False),
    page("solution", "w", "GET", "/solutions/{slug}/edit/"),
    page(
        "solution",
        "w",
        "POST",
        "/solutions/{slug}/edit/",
        form="/solutions/{slug}/edit/",
        body=_edit("description"),
        to=_own,
        done=_edited(Solution, "description"),
    ),
    # Events (published, with one session)
    api("event", "r", "GET", "/events/{slug}"),
    api(
        "event",
        "w",
        "PATCH",
        "/events/{slug}",
        body=_edit("summary"),
        done=_edited(Event, "summary"),
    ),
    # A draft is seen only by those who may change it.
    api(
        "event",
        "w",
        "POST",
        "/events/{slug}/publish",
        prepare=_draft,
        seen="w",
        done=_status(Event, "published"),
    ),
    api("event", "w", "POST", "/events/{slug}/cancel", done=_status(Event, "cancelled")),
    api(
        "event",
        "w",
        "POST",
        "/events/{slug}/sessions",
        ok=201,
        body=lambda case: {
            "title": "Site visit",
            "starts_at": _later(20, 2),
            "ends_at": _later(20, 3),
            "for_meetings": False,
        },
        done=_sessions(2),
    ),
    api(
        "event",
        "w",
        "DELETE",
        "/events/{slug}/sessions/{session}",
        ok=204,
        done=_sessions(0),
    ),
    api("event", "w", "GET", "/events/{slug}/registrations", login_first=True),
    api("event", "p", "GET", "/events/{slug}/participants", login_first=True),
    api(
        "event",
        "p",
        "POST",
        "/events/{slug}/registration",
        ok=201,
        body=lambda case: {},
        done=_registered,
    ),
    api(
        "event",
        "w",
        "POST",
        "/events/{slug}/schedule",
        ok=202,
        body=lambda case: {"time_limit": 1},
        done=_scheduled,
    ),
    api("event", "w", "GET", "/events/{slug}/schedule", login_first=True),
    api("event", "w", "GET", "/events/{slug}/schedule/runs/{run}", login_first=True, prepare=_run),
    page("event", "r", "GET", "/events/{slug}/", login_first=False),
    page("event", "r", "GET", "/events/{slug}/calendar.ics", login_first=False),
    page("event", "p", "GET", "/events/{slug}/register/"),
    page(
        "event",
        "p",
        "POST",
        "/events/{slug}/register/",
        form="/events/{slug}/register/",
        to=_own,
        done=_registered,
    ),
    page("event", "w", "GET", "/events/{slug}/edit/"),
    page(
        "event",
        "w",
        "POST",
        "/events/{slug}/edit/",
        form="/events/{slug}/edit/",
        body=_edit("summary"),
        to=_own,
        done=_edited(Event, "summary"),
    ),
    page(
        "event",
        "w",
        "POST",
        "/events/{slug}/status/",
        body=lambda case: {"action": "cancel"},
        to=lambda case: f"/events/{case.record.slug}/manage/",
        done=_status(Event, "cancelled"),
    ),
    page("event", "w", "GET", "/events/{slug}/manage/"),
    page("event", "w", "GET", "/events/{slug}/manage/sessions/"),
    page(
        "event",
        "w",
        "POST",
        "/events/{slug}/manage/sessions/{session}/delete/",
        to=lambda case: f"/events/{case.record.slug}/manage/sessions/",
        done=_sessions(0),
    ),
    page("event", "w", "GET", "/events/{slug}/manage/requests/"),
    page("event", "w", "GET", "/events/{slug}/manage/schedule/"),
    # Library documents (a link, so no file is stored)
    api("document", "r", "GET", "/library/documents/{slug}"),
    api("document", "r", "GET", "/library/documents/{slug}/similar"),
    api("document", "p", "GET", "/library/documents/{slug}/suggestions", login_first=True),
    api(
        "document",
        "w",
        "PATCH",
        "/library/documents/{slug}",
        body=_edit("summary"),
        done=_edited(KnowledgeDocument, "summary"),
    ),
    api(
        "document",
        "w",
        "DELETE",
        "/library/documents/{slug}",
        ok=204,
        done=_gone(KnowledgeDocument),
    ),
    api(
        "document",
        "w",
        "POST",
        "/library/documents/{slug}/versions",
        ok=201,
        body=lambda case: {"url": "https://example.org/port-electrification-2.pdf"},
        multipart=True,
        done=_versions,
    ),
    page("document", "r", "GET", "/library/{slug}/", login_first=False),
    page(
        "document",
        "r",
        "GET",
        "/library/{slug}/versions/{number}/",
        ok=302,
        to=lambda case: "https://example.org/port-electrification.pdf",
        login_first=False,
    ),
    page("document", "w", "GET", "/library/{slug}/edit/"),
    page(
        "document",
        "w",
        "POST",
        "/library/{slug}/edit/",
        form="/library/{slug}/edit/",
        body=_edit("summary"),
        to=_own,
        done=_edited(KnowledgeDocument, "summary"),
    ),
    page("document", "w", "GET", "/library/{slug}/delete/"),
    page(
        "document",
        "w",
        "POST",
        "/library/{slug}/delete/",
        to=lambda case: "/library/",
        done=_gone(KnowledgeDocument),
    ),
    page(
        "document",
        "w",
        "POST",
        "/library/{slug}/versions/",
        body=lambda case: {"url": "https://example.org/port-electrification-2.pdf"},
        to=_own,
        done=_versions,
    ),
    # Collections
    api("collection", "r", "GET", "/library/collections/{slug}"),
    api(
        "collection",
        "w",
        "PUT",
        "/library/collections/{slug}/documents",
        body=lambda case: [],
        prepare=_in_collection,
        done=_emptied,
    ),
    api(
        "collection",
        "w",
        "DELETE",
        "/library/collections/{slug}",
        ok=204,
        done=_gone(Collection),
    ),
    page("collection", "r", "GET", "/library/collections/{slug}/", login_first=False),
    page("collection", "w", "GET", "/library/collections/{slug}/edit/"),
    page(
        "collection",
        "w",
        "POST",
        "/library/collections/{slug}/edit/",
        form="/library/collections/{slug}/edit/",
        body=_edit("description"),
        to=_own,
        done=_edited(Collection, "description"),
    ),
    page("collection", "w", "GET", "/library/collections/{slug}/delete/"),
    page(
        "collection",
        "w",
        "POST",
        "/library/collections/{slug}/delete/",
        to=lambda case: "/library/collections/",
        done=_gone(Collection),
    ),
    page(
        "collection",
        "w",
        "POST",
        "/library/collections/{slug}/items/",
        body=lambda case: {"document": case.params["document"], "action": "remove"},
        prepare=_in_collection,
        to=_own,
        done=_emptied,
    ),
    # Partnerships
    api("partnership", "r", "GET", "/partnerships/{pk}"),
    api(
        "partnership",
        "w",
        "PATCH",
        "/partnerships/{pk}",
        body=_edit("scope"),
        done=_edited(Partnership, "scope"),
    ),
    api("partnership", "d", "DELETE", "/partnerships/{pk}", ok=204, done=_gone(Partnership)),
    page("partnership", "w", "GET", "/partnerships/{pk}/edit/"),
    page(
        "partnership",
        "w",
        "POST",
        "/partnerships/{pk}/edit/",
        form="/partnerships/{pk}/edit/",
        body=_edit("scope"),
        to=lambda case: "/partnerships/",
        done=_edited(Partnership, "scope"),
    ),
    # Matches (suggested, between one of CLEAN's organisations and a Nordic Edge company)
    api("match", "r", "GET", "/matching/matches/{pk}", login_first=True),
    api(
        "match",
        "w",
        "POST",
        "/matching/matches/{pk}/transition",
        body=lambda case: {"to": "introduced"},
        done=_status(MatchRecord, "introduced"),
    ),
    api(
        "match",
        "f",
        "POST",
        "/matching/matches/{pk}/feedback",
        ok=201,
        body=lambda case: {"rating": 4},
        prepare=_introduced,
        done=_rated,
    ),
    page("match", "r", "GET", "/matching/matches/{pk}/"),
    page(
        "match",
        "w",
        "POST",
        "/matching/matches/{pk}/transition/",
        body=lambda case: {"to": "introduced"},
        to=_own,
        refused=SENT_BACK,
        done=_status(MatchRecord, "introduced"),
    ),
    page(
        "match",
        "f",
        "POST",
        "/matching/matches/{pk}/feedback/",
        body=lambda case: {"rating": "4"},
        prepare=_introduced,
        to=_own,
        refused=SENT_BACK,
        done=_rated,
    ),
    # Passports: a draft, and a submitted one
    api("passport_draft", "r", "GET", "/passports/{pk}", login_first=True),
    api(
        "passport_draft",
        "a",
        "PATCH",
        "/passports/{pk}",
        body=_edit("purpose"),
        done=_edited(Passport, "purpose"),
    ),
    api(
        "passport_draft",
        "a",
        "POST",
        "/passports/{pk}/transition",
        body=lambda case: {"to": "withdrawn"},
        done=_status(Passport, "withdrawn"),
    ),
    page("passport_draft", "r", "GET", "/passports/{pk}/"),
    page("passport_draft", "a", "GET", "/passports/{pk}/edit/"),
    page(
        "passport_draft",
        "a",
        "POST",
        "/passports/{pk}/edit/",
        form="/passports/{pk}/edit/",
        body=_edit("purpose"),
        to=_own,
        done=_edited(Passport, "purpose"),
    ),
    page(
        "passport_draft",
        "a",
        "POST",
        "/passports/{pk}/transition/",
        body=lambda case: {"to": "withdrawn"},
        to=_own,
        refused=SENT_BACK,
        done=_status(Passport, "withdrawn"),
    ),
    api("passport_submitted", "r", "GET", "/passports/{pk}", login_first=True),
    api(
        "passport_submitted",
        "h",
        "POST",
        "/passports/{pk}/transition",
        body=lambda case: {"to": "endorsed"},
        done=_status(Passport, "endorsed"),
    ),
    api(
        "passport_submitted",
        "a",
        "POST",
        "/passports/{pk}/transition",
        body=lambda case: {"to": "withdrawn"},
        done=_status(Passport, "withdrawn"),
    ),
    api("passport_submitted", "o", "GET", "/passports/{pk}/suggestions", login_first=True),
    page("passport_submitted", "r", "GET", "/passports/{pk}/"),
    page(
        "passport_submitted",
        "h",
        "POST",
        "/passports/{pk}/transition/",
        body=lambda case: {"to": "endorsed"},
        to=_own,
        refused=SENT_BACK,
        done=_status(Passport, "endorsed"),
    ),
    # Applications (an idea, led by one of CLEAN's organisations, a Nordic Edge partner asked)
    api("application", "r", "GET", "/projects/applications/{pk}"),
    api("application", "r", "GET", "/projects/applications/{pk}/members"),
    api("application", "r", "GET", "/projects/applications/{pk}/sections"),
    api("application", "r", "GET", "/projects/applications/{pk}/sections/{key}"),
    api("application", "r", "GET", "/projects/applications/{pk}/sections/{key}/revisions"),
    api("application", "r", "GET", "/projects/applications/{pk}/tasks"),
    api("application", "r", "GET", "/projects/applications/{pk}/documents"),
    api(
        "application",
        "m",
        "PATCH",
        "/projects/applications/{pk}",
        body=_edit("summary"),
        done=_edited(ProjectApplication, "summary"),
    ),
    api(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/transition",
        body=lambda case: {"to": "withdrawn", "note": "The partners went elsewhere."},
        done=_status(ProjectApplication, "withdrawn"),
    ),
    api(
        "application",
        "e",
        "PUT",
        "/projects/applications/{pk}/sections/{key}",
        body=lambda case: {"text": EDITED, "base_version": 0},
        done=_section_written,
    ),
    api(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/tasks",
        ok=201,
        body=_edit("title"),
        done=_tasks,
    ),
    page("application", "r", "GET", "/projects/applications/{pk}/"),
    page("application", "r", "GET", "/projects/applications/{pk}/export.docx"),
    page("application", "m", "GET", "/projects/applications/{pk}/edit/"),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/edit/",
        form="/projects/applications/{pk}/edit/",
        body=_edit("summary"),
        to=_own,
        done=_edited(ProjectApplication, "summary"),
    ),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/transition/",
        body=lambda case: {"to": "withdrawn", "note": "The partners went elsewhere."},
        to=_own,
        refused=SENT_BACK,
        done=_status(ProjectApplication, "withdrawn"),
    ),
    page(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/tasks/",
        body=_edit("title"),
        to=_own,
        refused=SENT_BACK,
        done=_tasks,
    ),
    page("application", "r", "GET", "/projects/applications/{pk}/sections/{key}/"),
    page(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/sections/{key}/",
        body=lambda case: {"text": EDITED, "base_version": "0"},
        to=lambda case: f"/projects/applications/{case.record.pk}/#sections",
        done=_section_written,
    ),
    # The consortium and the workspace's files
    api("application", "r", "GET", "/projects/applications/{pk}/invitations"),
    api(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/members",
        ok=201,
        body=lambda case: {"name": EDITED, "kind": "sme", "country": "FR"},
        done=_partner_added,
    ),
    api(
        "application",
        "m",
        "PATCH",
        "/projects/applications/{pk}/members/{member}",
        body=_edit("role"),
        done=_partner_edited,
    ),
    api(
        "application",
        "m",
        "DELETE",
        "/projects/applications/{pk}/members/{member}",
        ok=204,
        done=_partner_gone,
    ),
    api(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/invitations",
        ok=201,
        body=lambda case: {"member": case.params["member"], "email": "partner@example.org"},
        done=_invited,
    ),
    api(
        "application",
        "e",
        "PATCH",
        "/projects/applications/{pk}/sections/{key}",
        body=lambda case: {"status": "review"},
        done=_in_review,
    ),
    api(
        "application",
        "e",
        "PATCH",
        "/projects/applications/{pk}/tasks/{task}",
        prepare=_task,
        body=lambda case: {"done": True},
        done=_ticked,
    ),
    api(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/documents",
        ok=201,
        body=lambda case: {"file": SimpleUploadedFile("letter.txt", b"letter", "text/plain")},
        multipart=True,
        done=_uploaded,
    ),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/members/",
        body=lambda case: {"name": EDITED, "kind": "sme", "country": "FR"},
        to=_own,
        refused=SENT_BACK,
        done=_partner_added,
    ),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/members/{member}/",
        body=lambda case: {"role": EDITED, "status": "invited"},
        to=_own,
        refused=SENT_BACK,
        done=_partner_edited,
    ),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/invitations/",
        body=lambda case: {"member": case.params["member"], "email": "partner@example.org"},
        to=_own,
        refused=SENT_BACK,
        done=_invited,
    ),
    page(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/tasks/{task}/done/",
        prepare=_task,
        body=lambda case: {"done": "1"},
        to=lambda case: f"/projects/applications/{case.record.pk}/#tasks",
        refused=SENT_BACK,
        done=_ticked,
    ),
    page(
        "application",
        "e",
        "POST",
        "/projects/applications/{pk}/documents/",
        files=lambda: {"file": SimpleUploadedFile("letter.txt", b"letter", "text/plain")},
        body=lambda case: {"kind": "other"},
        to=_own,
        refused=SENT_BACK,
        done=_uploaded,
    ),
    page(
        "application",
        "r",
        "GET",
        "/projects/applications/{pk}/documents/{document}/",
        prepare=_workspace_file,
    ),
    page(
        "application",
        "m",
        "POST",
        "/projects/applications/{pk}/documents/{document}/delete/",
        prepare=_workspace_file,
        to=_own,
        refused=SENT_BACK,
        done=_file_gone,
    ),
    # Clusters
    api("cluster", "r", "GET", "/clusters/{slug}"),
    api(
        "cluster",
        "w",
        "PATCH",
        "/clusters/{slug}",
        body=_edit("description"),
        done=_edited(Cluster, "description"),
    ),
    page("cluster", "r", "GET", "/clusters/{slug}/", login_first=False),
    page("cluster", "w", "GET", "/clusters/{slug}/edit/"),
    page(
        "cluster",
        "w",
        "POST",
        "/clusters/{slug}/edit/",
        form="/clusters/{slug}/edit/",
        body=_edit("description"),
        to=_own,
        done=_edited(Cluster, "description"),
    ),
    page("cluster_application", "r", "GET", "/clusters/applications/{pk}/"),
    page(
        "cluster_application",
        "w",
        "POST",
        "/clusters/applications/{pk}/",
        body=lambda case: {"decision": "approve", "reason": "Meets every criterion."},
        to=lambda case: f"/clusters/applications/{case.record.pk}/",
        done=_decided,
    ),
    # Personal API tokens
    api("token", "w", "DELETE", "/me/tokens/{pk}", done=_revoked),
    page(
        "token",
        "w",
        "POST",
        "/accounts/me/tokens/{pk}/revoke/",
        to=lambda case: "/accounts/me/",
        done=_revoked,
    ),
    # Desk offers: the managers' own pages answer others as if the offer were not there.
    api("desk_offer", "r", "GET", "/passports/desks/{pk}/days", login_first=True),
    page("desk_offer", "w", "GET", "/passports/desks/{pk}/", refused=HIDDEN),
    page(
        "desk_offer",
        "w",
        "POST",
        "/passports/desks/{pk}/delete/",
        to=lambda case: "/passports/desks/",
        refused=HIDDEN,
        done=_gone(DeskOffer),
    ),
]
