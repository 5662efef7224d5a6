"""What the demo builder carries from one step to the next."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db.models import Model

from audits.models import Audit, Policy, PracticeArea, SendBack, TemplateVersion
from common.workdays import is_working_day
from demo.data import LONDON
from people.models import Team, User


@dataclass
class ModerationPlan:
    reason: str
    moderator: User
    assigned_on: datetime.date
    grade: str = ""
    moderated_on: datetime.date | None = None
    finalised_on: datetime.date | None = None
    reviewed_on: datetime.date | None = None

    @property
    def completed(self) -> bool:
        return self.moderated_on is not None


@dataclass
class Demo:
    today: datetime.date
    rng: random.Random
    policy: Policy
    template: TemplateVersion
    areas: list[PracticeArea] = field(default_factory=list)
    people: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    profile: dict[int, str] = field(default_factory=dict)
    audits: list[Audit] = field(default_factory=list)
    moderation: dict[int, ModerationPlan] = field(default_factory=dict)
    send_backs: list[SendBack] = field(default_factory=list)
    # Area grades drawn once per audit, so the moderator's area grades start from the same ones.
    area_grades: dict[int, list[tuple[PracticeArea, str]]] = field(default_factory=dict)
    scenario_concern_audit_id: int | None = None
    # Auto-now columns that must show when things happened, not when the demo ran: (model, row, field, value).
    backdates: list[tuple[type[Model], Model, str, datetime.datetime]] = field(default_factory=list)

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)

    def working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        return day
