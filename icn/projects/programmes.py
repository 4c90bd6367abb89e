"""What an application to a programme is made of: its sections and how evaluators score it.

Plain Python. The call's `programme` names the template (Horizon Europe calls are written in
excellence, impact and implementation; Interreg ones in relevance, partnership, work plan and
budget justification); any other programme gets a general outline.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionTemplate:
    """One part of the application text, with what the funder expects in it."""

    key: str
    title: str
    guidance: str


@dataclass(frozen=True)
class ProgrammeTemplate:
    """The outline of an application and the evaluation criteria of one programme."""

    name: str
    sections: tuple[SectionTemplate, ...]
    criteria: tuple[str, ...]
    max_score: int


HORIZON_EUROPE = ProgrammeTemplate(
    name="Horizon Europe",
    sections=(
        SectionTemplate(
            "excellence",
            "1. Excellence",
            "Objectives and ambition; methodology; how the project goes beyond the state of "
            "the art.",
        ),
        SectionTemplate(
            "impact",
            "2. Impact",
            "Pathways to impact; measures to maximise it: dissemination, exploitation and "
            "communication.",
        ),
        SectionTemplate(
            "implementation",
            "3. Quality and efficiency of the implementation",
            "Work plan, work packages and deliverables; the consortium as a whole; resources.",
        ),
    ),
    criteria=("Excellence", "Impact", "Implementation"),
    max_score=5,
)

INTERREG = ProgrammeTemplate(
    name="Interreg",
    sections=(
        SectionTemplate(
            "relevance",
            "Relevance",
            "The shared territorial challenge, the programme priority it answers and what is "
            "new in the approach.",
        ),
        SectionTemplate(
            "partnership",
            "Partnership",
            "Why these partners, what each brings, and how the regions benefit.",
        ),
        SectionTemplate(
            "work_plan",
            "Work plan",
            "Work packages, activities, outputs and the timeline.",
        ),
        SectionTemplate(
            "budget_justification",
            "Budget justification",
            "Costs per partner and category, and why they are needed.",
        ),
    ),
    criteria=("Relevance", "Partnership", "Work plan", "Budget"),
    max_score=5,
)

GENERAL = ProgrammeTemplate(
    name="General",
    sections=(
        SectionTemplate("summary", "Summary", "The project in a few sentences."),
        SectionTemplate("objectives", "Objectives", "What the project will achieve, measurably."),
        SectionTemplate("work_plan", "Work plan", "Activities, responsibilities and timeline."),
        SectionTemplate("impact", "Impact", "Who benefits, how much, and after the project."),
    ),
    criteria=("Quality", "Impact", "Implementation"),
    max_score=5,
)

# Looked up by a word in the call's programme, e.g. "Horizon Europe Cluster 5".
TEMPLATES: tuple[tuple[str, ProgrammeTemplate], ...] = (
    ("horizon", HORIZON_EUROPE),
    ("interreg", INTERREG),
)


def template_for(programme: str) -> ProgrammeTemplate:
    """The template of a programme, by name; the general outline when none fits."""
    text = (programme or "").lower()
    for word, template in TEMPLATES:
        if word in text:
            return template
    return GENERAL
