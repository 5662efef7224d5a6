"""Issue 11 moved models out of the audits app without moving their rows: a database made before the move keeps
every row, every foreign key and every content type after migrating forward (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from actions.models import ChildOfConcern
from allocation.models import Exemption, MonthPlan, ProposedAllocation, ReturnReminder
from audits.models import Audit
from caseload.models import Child
from imports.models import ImportRun

# The leaf migrations before the move (main at the start of issue 11). The apps that did not exist yet go back to
# nothing.
BEFORE_THE_MOVE = [
    ("people", "0001_initial"),
    ("audits", "0008_return_reminder"),
    ("moderation", "0003_free_text_length_limits"),
    ("actions", "0007_concern_response_draft"),
    ("reports", "0003_report_document_recovery_and_editions"),
    ("caseload", None),
    ("allocation", None),
    ("imports", None),
]
NOVEMBER = datetime.date(2026, 11, 1)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill_the_old_schema(apps) -> dict[str, int]:
    """Rows in every moved table, made through the models as they were before the move."""
    ServiceArea = apps.get_model("people", "ServiceArea")
    Team = apps.get_model("people", "Team")
    User = apps.get_model("people", "User")
    OldChild = apps.get_model("audits", "Child")
    OldHistoricalChild = apps.get_model("audits", "HistoricalChild")
    OldMonthPlan = apps.get_model("audits", "MonthPlan")
    OldProposedAllocation = apps.get_model("audits", "ProposedAllocation")
    OldExemption = apps.get_model("audits", "Exemption")
    OldHistoricalExemption = apps.get_model("audits", "HistoricalExemption")
    OldReturnReminder = apps.get_model("audits", "ReturnReminder")
    OldImportRun = apps.get_model("audits", "ImportRun")
    TemplateVersion = apps.get_model("audits", "TemplateVersion")
    OldAudit = apps.get_model("audits", "Audit")
    OldChildOfConcern = apps.get_model("actions", "ChildOfConcern")
    OldContentType = apps.get_model("contenttypes", "ContentType")

    now = timezone.now()
    area = ServiceArea.objects.create(name="Children's Social Care")
    team = Team.objects.create(name="Safeguarding North", service_area=area)
    quality = User.objects.create(username="rob.quality", is_quality=True)
    auditor = User.objects.create(username="ann.auditor", is_auditor=True)
    worker = User.objects.create(username="sam.worker")
    child = OldChild.objects.create(case_ref="C000123", team=team, legal_status="CP", social_worker=worker)
    OldHistoricalChild.objects.create(
        id=child.pk,
        case_ref=child.case_ref,
        team=team,
        legal_status="CIN",
        social_worker=worker,
        is_open=True,
        history_date=now,
        history_type="+",
        history_user=quality,
    )
    plan = OldMonthPlan.objects.create(month=NOVEMBER, status="confirmed", seed=7, confirmed_by=quality)
    proposal = OldProposedAllocation.objects.create(
        plan=plan, auditor=auditor, child=child, kind="reaudit", reason="Inadequate in August"
    )
    exemption = OldExemption.objects.create(
        user=auditor, kind="month", month=NOVEMBER, reason="absence", approved_by="Director", created_by=quality
    )
    OldHistoricalExemption.objects.create(
        id=exemption.pk,
        user=auditor,
        kind="month",
        month=NOVEMBER,
        reason="absence",
        approved_by="Director",
        is_active=True,
        created_at=now,
        history_date=now,
        history_type="+",
        history_user=quality,
    )
    reminder = OldReturnReminder.objects.create(
        auditor=auditor, month=NOVEMBER, sent_on=datetime.date(2026, 11, 20), sent_by=quality, outstanding=2
    )
    run = OldImportRun.objects.create(
        by=quality, audits_file="imports/tracker.csv", audits_filename="tracker.csv", status="done", rows_total=12
    )
    audit = OldAudit.objects.create(
        month=NOVEMBER,
        plan=plan,
        auditor=auditor,
        child=child,
        team=team,
        service_area=area,
        legal_status="CP",
        social_worker=worker,
        template=TemplateVersion.objects.get(is_current=True),
        due_on=datetime.date(2026, 11, 25),
        kind="reaudit",
        status="submitted",
        exemption=exemption,
        auditor_grade="inadequate",
        final_grade="inadequate",
    )
    concern = OldChildOfConcern.objects.create(
        audit=audit,
        child=child,
        trigger="auditor",
        raised_on=datetime.date(2026, 11, 20),
        response_due_on=datetime.date(2026, 11, 27),
    )
    # What the admin recorded about the child, and a permission granted on children, point at its content type.
    child_type = OldContentType.objects.get(app_label="audits", model="child")
    LogEntry.objects.create(
        user_id=quality.pk,
        content_type_id=child_type.pk,
        object_id=str(child.pk),
        object_repr="C000123",
        action_flag=CHANGE,
        change_message="Moved to Safeguarding North",
    )
    User.objects.get(pk=quality.pk).user_permissions.add(
        apps.get_model("auth", "Permission").objects.get(content_type=child_type, codename="change_child")
    )
    return {
        "child": child.pk,
        "plan": plan.pk,
        "proposal": proposal.pk,
        "exemption": exemption.pk,
        "reminder": reminder.pk,
        "run": run.pk,
        "audit": audit.pk,
        "concern": concern.pk,
        "quality": quality.pk,
    }


@pytest.fixture
def back_before_the_move(transactional_db):
    """The test database taken back to the schema before the move; forward to the latest again afterwards, whatever
    the test did, so the next test finds the schema it expects."""
    executor = migrate(BEFORE_THE_MOVE)
    yield executor.loader.project_state([node for node in BEFORE_THE_MOVE if node[1] is not None]).apps
    migrate(latest())
    ContentType.objects.clear_cache()


def test_a_database_made_before_the_move_keeps_every_row_after_migrating_forward(back_before_the_move):
    ids = fill_the_old_schema(back_before_the_move)

    migrate(latest())
    ContentType.objects.clear_cache()

    child = Child.objects.select_related("team", "social_worker").get(pk=ids["child"])
    assert (child.case_ref, child.team.name, child.social_worker.username) == (
        "C000123",
        "Safeguarding North",
        "sam.worker",
    )
    assert list(child.history.values_list("legal_status", "history_user__username")) == [("CIN", "rob.quality")]
    plan = MonthPlan.objects.get(pk=ids["plan"])
    assert (plan.month, plan.status, plan.seed, plan.confirmed_by.username) == (NOVEMBER, "confirmed", 7, "rob.quality")
    proposal = ProposedAllocation.objects.get(pk=ids["proposal"])
    assert (proposal.plan, proposal.child, proposal.auditor.username) == (plan, child, "ann.auditor")
    assert proposal.reason == "Inadequate in August"
    exemption = Exemption.objects.get(pk=ids["exemption"])
    assert (exemption.user.username, exemption.month, exemption.approved_by) == ("ann.auditor", NOVEMBER, "Director")
    assert exemption.history.get().history_user.username == "rob.quality"
    reminder = ReturnReminder.objects.get(pk=ids["reminder"])
    assert (reminder.auditor.username, reminder.outstanding) == ("ann.auditor", 2)
    run = ImportRun.objects.get(pk=ids["run"])
    assert (run.by.username, run.audits_filename, run.rows_total) == ("rob.quality", "tracker.csv", 12)
    audit = Audit.objects.get(pk=ids["audit"])
    assert (audit.child, audit.plan, audit.exemption) == (child, plan, exemption)
    assert list(child.audits.all()) == [audit] and list(plan.audits.all()) == [audit]
    concern = ChildOfConcern.objects.get(pk=ids["concern"])
    assert (concern.child, concern.audit) == (child, audit)

    # Content types followed their models: the admin's record and the granted permission still find the child.
    for model, app_label in (
        (Child, "caseload"),
        (MonthPlan, "allocation"),
        (ProposedAllocation, "allocation"),
        (Exemption, "allocation"),
        (ReturnReminder, "allocation"),
        (ImportRun, "imports"),
    ):
        assert ContentType.objects.get_for_model(model).app_label == app_label
    assert not ContentType.objects.filter(app_label="audits", model__in=["child", "exemption", "importrun"]).exists()
    entry = LogEntry.objects.get()
    assert entry.get_edited_object() == child
    assert entry.get_admin_url() == f"/admin/caseload/child/{child.pk}/change/"
    granted = Permission.objects.get(user__pk=ids["quality"])
    assert (granted.content_type.app_label, granted.codename) == ("caseload", "change_child")


def moved_content_types() -> list[tuple[str, str]]:
    return sorted(
        ContentType.objects.filter(model__in=["child", "monthplan", "importrun"]).values_list("model", "app_label")
    )


def test_migrating_back_before_the_move_returns_the_content_types_to_the_audits_app(back_before_the_move):
    assert moved_content_types() == [("child", "audits"), ("importrun", "audits"), ("monthplan", "audits")]

    migrate(latest())

    assert moved_content_types() == [("child", "caseload"), ("importrun", "imports"), ("monthplan", "allocation")]
