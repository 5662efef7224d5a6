"""`manage.py seed_demo`: the demo authority, its four sign-ins and the situations each one finds."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.urls import reverse

from actions.models import Action, ChildOfConcern
from allocation.models import MonthPlan
from audits.grading import audit_final_grade_of
from audits.models import AreaGrade, Audit, Grade, Programme
from audits.reaudits import reaudit_comparison
from audits.selectors import ReportScope
from caseload.models import Child, LegalStatus
from moderation.models import Moderation
from people.models import ServiceArea, Team, User
from people.tests.factories import TeamFactory
from reports.presenters import report_context
from reports.selectors import report_figures
from reports.targets import Targets, report_targets

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)
NOON = datetime.datetime(2026, 11, 21, 12, 0, tzinfo=ZoneInfo("Europe/London"))
NOVEMBER = datetime.date(2026, 11, 1)
OCTOBER = datetime.date(2026, 10, 1)
# Tests need not pay for a slow password hash; the demo's behaviour does not depend on the hasher.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**kwargs) -> str:
    out = StringIO()
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS), time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the whole class, inside a transaction that is rolled back afterwards.

    Each test still runs in its own savepoint, so nothing a test does leaks into the next,
    and nothing of the demo leaks into other test modules.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            output = seed()
            yield output
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.usefixtures("demo")
class TestDemoAuthority:
    def test_it_reports_what_it_created(self, demo):
        assert "Demo authority created" in demo
        assert "children: 250" in demo

    @override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    def test_four_demo_sign_ins_use_the_password_demo(self):
        for username in ("quality", "auditor", "moderator", "manager"):
            assert User.objects.get(username=username).check_password("demo"), username
        others = User.objects.exclude(username__in=["quality", "auditor", "moderator", "manager"])
        assert not any(user.has_usable_password() for user in others)

    def test_demo_sign_ins_hold_their_roles(self):
        quality = User.objects.get(username="quality")
        assert quality.is_quality and quality.is_staff and not quality.is_superuser
        assert User.objects.get(username="auditor").is_auditor
        assert User.objects.get(username="moderator").is_moderator
        manager = User.objects.get(username="manager")
        assert manager.is_manager
        assert Team.objects.filter(manager=manager).count() == 2

    def test_signing_in_as_each_demo_user_reaches_home(self, client):
        for username in ("quality", "auditor", "moderator", "manager"):
            client.force_login(User.objects.get(username=username))
            assert client.get("/").status_code == 200, username

    def test_the_authority_has_the_described_size(self):
        assert set(ServiceArea.objects.values_list("name", flat=True)) == {
            "Children's Social Care",
            "Early Help",
            "Youth Support",
        }
        assert Team.objects.count() == 12
        assert all(team.manager_id and team.head_of_service_id for team in Team.objects.all())
        assert User.objects.count() == 40
        assert Child.objects.filter(is_open=True).count() == 250
        statuses = Counter(Child.objects.values_list("legal_status", flat=True))
        assert set(statuses) == set(LegalStatus.values)
        assert User.objects.filter(is_auditor=True).count() >= 15
        assert User.objects.filter(is_moderator=True).count() >= 4
        part_time = User.objects.filter(is_auditor=True, fte=0.5, audit_frequency=User.AuditFrequency.BIMONTHLY)
        assert part_time.count() >= 2
        assert (
            User.objects.filter(is_auditor=False, is_moderator=False, is_quality=False, is_manager=False).count() >= 15
        )

    def test_six_past_months_and_the_current_one_are_confirmed_and_december_is_not_planned(self):
        months = list(MonthPlan.objects.order_by("month").values_list("month", "status"))
        assert months == [(datetime.date(2026, m, 1), MonthPlan.Status.CONFIRMED) for m in range(5, 12)]
        assert not Audit.objects.filter(month__gte=datetime.date(2026, 12, 1)).exists()

    def test_past_months_hold_audits_in_realistic_states(self):
        past = Audit.objects.filter(month__lt=NOVEMBER)
        statuses = Counter(past.values_list("status", flat=True))
        total = sum(statuses.values())
        assert total >= 90
        assert statuses[Audit.Status.SUBMITTED] / total > 0.75
        assert statuses[Audit.Status.EXEMPTED] >= 3
        assert statuses[Audit.Status.NIL_RETURN] >= 2
        assert statuses[Audit.Status.SENT_BACK] >= 1
        assert past.filter(status=Audit.Status.SENT_BACK, send_backs__isnull=False).exists()
        assert past.filter(status=Audit.Status.SUBMITTED, send_backs__resubmitted_at__isnull=False).exists()
        late = past.returned().filter(submitted_on__gt=F("due_on")).count()
        assert 0.08 < late / past.returned().count() < 0.4
        assert past.filter(status=Audit.Status.EXEMPTED, exemption__approved_by__gt="").count() >= 3
        assert past.filter(kind="reaudit").exists()
        per_month = past.values("month").annotate(n=Count("id"))
        assert all(row["n"] >= 12 for row in per_month)

    def test_re_audits_are_linked_and_one_improved_while_another_did_not(self):
        """Issue 14: each allocated re-audit names the Inadequate audit it follows; the demo shows both outcomes."""
        reaudits = Audit.objects.filter(kind="reaudit")
        assert reaudits.exists()
        assert not reaudits.filter(reaudit_of__isnull=True).exists()
        assert not reaudits.exclude(reaudit_of__child=F("child")).exists()
        assert not reaudits.exclude(reaudit_of__final_grade=Grade.INADEQUATE).exists()
        returned = reaudits.returned()
        assert returned.exclude(final_grade=Grade.INADEQUATE).exists()  # improved
        not_improved = returned.filter(final_grade=Grade.INADEQUATE).first()
        assert not_improved is not None
        comparison = reaudit_comparison(audit=not_improved)
        assert comparison.rows and all(row.earlier and row.new for row in comparison.rows)

    def test_grades_are_spread_like_the_seeds(self):
        grades = Counter(Audit.objects.returned().values_list("final_grade", flat=True))
        total = sum(grades.values())
        share = {grade: grades[grade] / total for grade in Grade.values}
        assert 0.04 < share[Grade.OUTSTANDING] < 0.2
        assert 0.25 < share[Grade.GOOD] < 0.45
        assert 0.3 < share[Grade.REQUIRES_IMPROVEMENT] < 0.5
        assert 0.08 < share[Grade.INADEQUATE] < 0.25
        assert Audit.objects.returned().filter(final_grade=Grade.REQUIRES_IMPROVEMENT, at_risk=True).exists()

    def test_every_final_grade_follows_the_one_grading_rule(self):
        audits = Audit.objects.select_related("moderation")
        wrong = [a.pk for a in audits if a.final_grade != audit_final_grade_of(a)]
        assert wrong == []

    def test_returned_audits_have_area_grades_with_evidence_participation_and_feedback(self):
        returned = Audit.objects.returned()
        without_areas = returned.annotate(n=Count("area_grades")).filter(n=0)
        assert not without_areas.exists()
        graded = AreaGrade.objects.filter(audit__in=returned).exclude(grade="na")
        assert not graded.filter(Q(evidence="") | Q(impact="")).exists()
        assert AreaGrade.objects.filter(grade="na").exists()
        assert returned.filter(sw_participated=True).count() > returned.count() * 0.8
        assert returned.filter(child_feedback="positive").exists()
        assert returned.filter(parent_feedback="negative").exists()
        assert not returned.filter(strengths="").exists()

    def test_about_a_quarter_of_returned_audits_are_moderated_some_regraded_and_finalised(self):
        returned = Audit.objects.returned().filter(month__lt=NOVEMBER).count()
        moderated = Moderation.objects.filter(audit__month__lt=NOVEMBER).count()
        assert 0.18 < moderated / returned < 0.38
        outcomes = Counter(Moderation.objects.values_list("outcome", flat=True))
        assert outcomes[Moderation.Outcome.UPGRADED] >= 1 and outcomes[Moderation.Outcome.DOWNGRADED] >= 1
        completed = Moderation.objects.filter(status=Moderation.Status.COMPLETED)
        assert completed.filter(audit__finalised_on__isnull=False).exists()
        assert completed.filter(audit__finalised_on__isnull=True).exists()
        assert not completed.filter(feedback="").exists()
        assert completed.filter(area_grades__isnull=False).exists()
        # Every Inadequate auditor grade was sampled, as the QA team's policy requires.
        assert not Audit.objects.returned().filter(auditor_grade=Grade.INADEQUATE, moderation__isnull=True).exists()

    def test_actions_cover_every_status_on_the_day(self):
        statuses = Counter(action.status_on(TODAY) for action in Action.objects.all())
        assert set(statuses) == set(Action.Status.values)
        assert Action.objects.filter(audit__status=Audit.Status.SUBMITTED).count() == Action.objects.count()

    def test_returned_audits_carry_learning_themes_that_match_their_words(self):
        from audits.models import AuditTheme
        from reports.selectors import report_figures

        returned = Audit.objects.returned()
        assert not returned.exclude(audit_themes__kind="improvement").exists()
        assert AuditTheme.objects.filter(kind="strength").exists()
        for tag in AuditTheme.objects.filter(theme__name="SMART plans").select_related("audit")[:20]:
            assert "SMART" in tag.audit.improvements
        assert AuditTheme.objects.filter(confirmed_by__isnull=False).exists()
        assert Action.objects.filter(theme__name="Chronologies").exists()
        month = returned.order_by("-month").first().month
        improvement = report_figures(month)["themes"]["improvement"]
        assert improvement and improvement[0]["audits"] >= improvement[-1]["audits"]

    def test_a_few_good_audits_carry_good_practice_tagged_with_themes_with_its_history(self, client):
        from audits.models import GoodPractice

        records = list(GoodPractice.objects.select_related("audit", "recorded_by"))
        assert len(records) == 6
        assert {r.audit.month for r in records} == {datetime.date(2026, 9, 1), OCTOBER}
        assert all(r.audit.final_grade in ("good", "outstanding") for r in records)
        assert all(r.recorded_by.username == "quality" and r.themes.exists() for r in records)
        assert all(r.history.exists() for r in records)
        client.force_login(User.objects.get(username="quality"))
        page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10})).content.decode()
        october = [r for r in records if r.audit.month == OCTOBER]
        assert all(r.text in page for r in october)

    def test_every_inadequate_final_grade_has_a_child_of_concern_and_some_are_resolved(self):
        inadequate = Audit.objects.returned().filter(final_grade=Grade.INADEQUATE)
        assert inadequate.count() >= 5
        assert not inadequate.filter(child_of_concern__isnull=True).exists()
        statuses = Counter(ChildOfConcern.objects.values_list("status", flat=True))
        assert statuses[ChildOfConcern.Status.RESOLVED] >= 3
        lifted = ChildOfConcern.objects.exclude(audit__final_grade=Grade.INADEQUATE)
        assert all(concern.grade_lifted_at for concern in lifted)

    def test_nothing_from_the_past_is_left_to_e_mail(self):
        assert mail.outbox == []
        assert not ChildOfConcern.objects.filter(notified_at__isnull=True).exists()
        assert not Audit.objects.filter(allocation_notified_at__isnull=True).exists()
        completed = Moderation.objects.filter(status=Moderation.Status.COMPLETED)
        assert not completed.filter(auditor_notified_at__isnull=True).exists()
        overdue = Action.objects.filter(completed_on__isnull=True, due_on__lt=TODAY - datetime.timedelta(days=1))
        assert not overdue.filter(reminded_overdue_at__isnull=True).exists()

    def test_rows_carry_the_dates_they_happened_not_the_day_of_seeding(self):
        may = Audit.objects.filter(month=datetime.date(2026, 5, 1)).first()
        assert may.created_at.date() < datetime.date(2026, 5, 10)
        concern = ChildOfConcern.objects.order_by("raised_on").first()
        assert concern.raised_at.date() == concern.raised_on

    def test_november_is_confirmed_with_draft_audits_due_on_the_25th(self):
        november = Audit.objects.filter(month=NOVEMBER)
        assert november.count() >= 12
        assert set(november.values_list("due_on", flat=True)) == {datetime.date(2026, 11, 25)}
        assert november.filter(status=Audit.Status.DRAFT).count() > november.count() / 2

    def test_the_auditor_has_a_november_draft_outside_their_team_and_past_returned_audits(self):
        auditor = User.objects.get(username="auditor")
        draft = Audit.objects.get(auditor=auditor, month=NOVEMBER)
        assert draft.status == Audit.Status.DRAFT
        assert draft.team_id not in set(auditor.teams.values_list("id", flat=True))
        past = Audit.objects.filter(auditor=auditor, month__lt=OCTOBER)
        assert past.count() >= 3
        assert all(audit.is_returned for audit in past)

    def test_the_auditors_october_audit_waits_for_the_moderator(self):
        audit = Audit.objects.get(auditor__username="auditor", month=OCTOBER)
        assert audit.is_returned
        assert audit.moderation.status == Moderation.Status.ASSIGNED
        assert audit.moderation.moderator.username == "moderator"
        assert audit.final_grade == audit.auditor_grade

    def test_the_moderator_has_two_or_three_moderations_waiting(self):
        queue = Moderation.objects.filter(moderator__username="moderator", status=Moderation.Status.ASSIGNED)
        assert 2 <= queue.count() <= 3
        assert queue.filter(audit__auditor__username="auditor").exists()
        assert all(moderation.audit.is_returned and moderation.due_on for moderation in queue)
        assert Moderation.objects.filter(moderator__username="moderator", status="completed").exists()

    def test_the_managers_teams_have_an_open_child_of_concern_and_an_overdue_action(self):
        teams = Team.objects.filter(manager__username="manager")
        awaiting = ChildOfConcern.objects.filter(
            audit__team__in=teams, status=ChildOfConcern.Status.AWAITING_RESPONSE, resolved_on__isnull=True
        )
        assert awaiting.exists()
        assert awaiting.first().response_due_on >= TODAY
        actions = Action.objects.filter(audit__team__in=teams)
        assert any(action.status_on(TODAY) == Action.Status.OVERDUE for action in actions)

    def test_the_themed_audit_has_its_cohort_and_the_caseload_its_flags(self, client):
        from allocation.models import Cohort

        programme = Programme.objects.get(kind=Programme.Kind.THEMED)
        cohort = Cohort.objects.get(programme=programme)
        assert cohort.status == Cohort.Status.CONFIRMED and cohort.legal_statuses == [LegalStatus.CIN]
        assert cohort.size_when_drawn > 6
        no_plan = Child.objects.filter(is_open=True, flags__name="no_plan")
        assert 20 <= no_plan.count() <= 80
        client.force_login(User.objects.get(username="quality"))
        page = client.get(f"/audits/programmes/{programme.slug}/cohort/").content.decode()
        assert f"6 of {cohort.size_when_drawn} children" in page

    def test_a_past_practice_review_week_holds_returned_audits_by_many_people(self, client):
        week = Programme.objects.get(kind=Programme.Kind.PRACTICE_WEEK)
        assert week.ends_on < TODAY
        audits = Audit.objects.filter(programme=week)
        assert audits.returned().count() >= 8 and audits.filter(final_grade="not_graded").exists()
        people = User.objects.filter(audits__programme=week).distinct()
        assert people.count() >= 5 and people.filter(is_auditor=False).exists()
        client.force_login(User.objects.get(username="quality"))
        response = client.get(f"/audits/programmes/{week.slug}/week/")
        assert response.status_code == 200
        assert response.context["figures"]["total"]["returned"] == audits.returned().count()

    def test_a_past_themed_audit_sits_beside_the_monthly_audit_with_its_own_questions(self):
        themed = Programme.objects.get(kind=Programme.Kind.THEMED)
        assert themed.ends_on < TODAY and themed.owner.is_quality and themed.findings_summary
        audits = Audit.objects.filter(programme=themed)
        assert audits.count() == 6 and audits.returned().count() == 6
        assert {audit.template.programme_id for audit in audits} == {themed.pk}
        assert not audits.filter(team__in=F("auditor__teams")).exists()
        # The monthly report does not count it; the report over all programmes does.
        october = report_figures(datetime.date(2026, 10, 1))["returns"]
        everything = report_figures(datetime.date(2026, 10, 1), scope=ReportScope())["returns"]
        assert everything[-3]["returned"] == october[-3]["returned"] + 6

    def test_the_qa_team_has_set_targets_the_october_report_measures_against(self):
        assert report_targets() == Targets(Decimal(90), Decimal(10), 2, Decimal(10), Decimal(15), Decimal(80))
        checks = report_context(OCTOBER)["target_checks"]
        assert [check.key for check in checks] == [
            "returns",
            "inadequate",
            "audits_per_team",
            "moderator_effect",
            "actions_on_time",
        ]
        assert all(check.met is not None for check in checks[:3])

    def test_early_help_has_its_own_programme_and_the_report_scoped_to_it_shows_it(self, client):
        """Seed 000: Early Help's own audits (its own questions) reported as the report scoped to its service area."""
        programme = Programme.objects.get(slug="early-help-dip-sample")
        audits = Audit.objects.filter(programme=programme)
        assert audits.count() == 5 and audits.returned().count() == 5
        assert set(audits.values_list("service_area__name", flat=True)) == {"Early Help"}
        assert {audit.template.programme_id for audit in audits} == {programme.pk}
        assert not audits.filter(team__in=F("auditor__teams")).exists()
        early_help = ServiceArea.objects.get(name="Early Help")
        scoped = report_figures(OCTOBER, scope=ReportScope(programme=programme, service_area=early_help))
        assert scoped["ratings_by_month"][-1]["total"] == 5
        everything = report_figures(OCTOBER, scope=ReportScope(service_area=early_help))
        monthly = report_figures(OCTOBER, scope=ReportScope.monthly(service_area=early_help))
        assert everything["ratings_by_month"][-1]["total"] == monthly["ratings_by_month"][-1]["total"] + 5
        client.force_login(User.objects.get(username="quality"))
        page = client.get("/reports/2026/10/", {"programme": "all", "service_area": early_help.pk}).content.decode()
        assert "All programmes, Early Help" in page

    def test_running_again_keeps_the_data_and_says_so(self):
        before = (User.objects.count(), Audit.objects.count(), Action.objects.count())
        output = seed()
        assert "Demo data already present" in output
        assert (User.objects.count(), Audit.objects.count(), Action.objects.count()) == before


def test_refuses_when_debug_is_false():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG is false"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_never_mixes_demo_data_into_a_database_with_other_data():
    TeamFactory(name="A real team")
    output = seed()
    assert "demo data not added" in output
    assert not User.objects.exists()
    assert Team.objects.count() == 1


def test_the_same_seed_builds_the_same_authority():
    def build() -> tuple:
        with transaction.atomic():
            seed()
            children = list(Child.objects.order_by("case_ref").values_list("case_ref", "team__name", "legal_status"))
            # Sorted whole: a child can have two audits in a month now (the monthly audit and a practice week),
            # and PostgreSQL returns ties in any order.
            audits = sorted(
                Audit.objects.values_list(
                    "month", "programme__slug", "auditor__username", "child__case_ref", "status", "final_grade"
                ),
                key=repr,
            )
            transaction.set_rollback(True)
        return children, audits

    assert build() == build()
