"""Migration 0012 puts every audit made before programmes into the monthly audit (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audits.models import Audit, Programme, TemplateVersion

BEFORE_PROGRAMMES = [("audits", "0011_import_run_moved")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.fixture
def before_programmes(transactional_db):
    executor = migrate(BEFORE_PROGRAMMES)
    yield executor.loader.project_state(BEFORE_PROGRAMMES).apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_database_holding_audits_puts_them_all_in_the_monthly_audit(before_programmes):
    apps = before_programmes
    area = apps.get_model("people", "ServiceArea").objects.create(name="Children's Social Care")
    team = apps.get_model("people", "Team").objects.create(name="Safeguarding North", service_area=area)
    auditor = apps.get_model("people", "User").objects.create(username="ann.auditor", is_auditor=True)
    child = apps.get_model("caseload", "Child").objects.create(case_ref="C1", team=team, legal_status="CP")
    OldTemplate = apps.get_model("audits", "TemplateVersion")
    first = OldTemplate.objects.get_or_create(number=1, defaults={"is_current": False})[0]
    OldTemplate.objects.filter(pk=first.pk).update(is_current=False)
    second = OldTemplate.objects.create(number=2, name="Practice areas", is_current=True)
    OldAudit = apps.get_model("audits", "Audit")
    audits = [
        OldAudit.objects.create(
            month=datetime.date(2026, month, 1),
            auditor=auditor,
            child=child,
            team=team,
            service_area=area,
            legal_status="CP",
            template=first if month < 10 else second,
            due_on=datetime.date(2026, month, 25),
            status="submitted",
            submitted_on=datetime.date(2026, month, 20),
            auditor_grade="good",
            final_grade="good",
        )
        for month in (9, 10)
    ]
    apps.get_model("audits", "HistoricalAudit").objects.create(
        id=audits[0].pk,
        month=audits[0].month,
        auditor=auditor,
        child=child,
        team=team,
        service_area=area,
        legal_status="CP",
        template=first,
        due_on=audits[0].due_on,
        created_at=timezone.now(),
        history_date=timezone.now(),
        history_type="+",
    )

    migrate([("audits", "0012_programmes")])

    monthly = Programme.objects.get()
    assert (monthly.kind, monthly.slug, monthly.name) == ("monthly", "monthly", "Monthly audit")
    assert sorted(Audit.objects.values_list("pk", "programme")) == sorted((a.pk, monthly.pk) for a in audits)
    assert list(Audit.history.values_list("programme", flat=True)) == [monthly.pk]
    assert set(TemplateVersion.objects.values_list("programme", flat=True)) == {monthly.pk}
    assert TemplateVersion.objects.get(is_current=True).number == 2
    # A programme of its own can now number its versions from 1 and have a current one beside the monthly audit's.
    themed = Programme.objects.create(name="Children in need over 12 months", slug="cin-12", kind="themed")
    TemplateVersion.objects.create(programme=themed, number=1, is_current=True)
    assert TemplateVersion.objects.filter(is_current=True).count() == 2
