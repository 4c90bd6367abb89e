"""Reminders of deadlines and tasks; each goes once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from icn.projects import selectors
from icn.projects.models import ProjectApplication, Reminder, Task
from icn.projects.services.applications import submission_problems


def _send_once(key: str, message: EmailMessage, **rows: Any) -> bool:
    """Send a reminder unless one with this key went before; the record and the e-mail go
    together (a failed send leaves no record, so the next run tries again)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key, **rows)
            message.send(fail_silently=False)
    except IntegrityError:
        return False
    return True


def _deadline_message(application: ProjectApplication, days: int, user: Any) -> EmailMessage:
    deadline = application.call.deadline
    assert deadline is not None
    when = "tomorrow" if days == 1 else f"in {days} days"
    body = render_to_string(
        "projects/email/deadline_reminder.txt",
        {
            "application": application,
            "user": user,
            "when": when,
            "deadline": timezone.localtime(deadline),
            "link": settings.SITE_URL + application.get_absolute_url(),
            "problems": submission_problems(application),
            "site_name": settings.SITE_NAME,
        },
    )
    return EmailMessage(
        subject=f"{application.name}: the call closes {when}", body=body, to=[user.email]
    )


def _task_message(task: Task, kind: str) -> EmailMessage:
    application = task.application
    when = "due tomorrow" if kind == "due" else "overdue"
    body = render_to_string(
        "projects/email/task_reminder.txt",
        {
            "task": task,
            "application": application,
            "when": when,
            "link": settings.SITE_URL + application.get_absolute_url() + "#tasks",
            "site_name": settings.SITE_NAME,
        },
    )
    assert task.assignee is not None
    return EmailMessage(
        subject=f"{application.name}: “{task.title}” is {when}"[:200],
        body=body,
        to=[task.assignee.email],
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """E-mail the lead's people when the call closes within 14, 7 or 1 days and the
    application is not submitted, and assignees about tasks due tomorrow or overdue. Each
    reminder goes once; returns how many went."""
    now = now or timezone.now()
    sent = 0
    for application, days in selectors.deadline_reminders_due(now=now):
        for user in selectors.lead_people(application):
            key = f"deadline:{application.pk}:{days}:{user.pk}"
            if Reminder.objects.filter(key=key).exists():
                continue
            message = _deadline_message(application, days, user)
            sent += _send_once(key, message, application=application, recipient=user)
    for task, kind in selectors.task_reminders_due(today=timezone.localdate(now)):
        key = f"task:{task.pk}:{task.due_on}:{kind}"
        if Reminder.objects.filter(key=key).exists():
            continue
        sent += _send_once(
            key,
            _task_message(task, kind),
            application=task.application,
            task=task,
            recipient=task.assignee,
        )
    return sent
