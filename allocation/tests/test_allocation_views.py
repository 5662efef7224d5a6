"""The QA team's allocation pages through the test client: roles, the journey, bad input and query budgets."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from allocation.models import Exemption, MonthPlan, ProposedAllocation
from allocation.services import month_plan_confirm, month_plan_propose
from allocation.tests.factories import ExemptionFactory, MonthPlanFactory, ProposedAllocationFactory
from audits.models import Audit
from caseload.tests.factories import ChildFactory
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocation_today")]

DEC = datetime.date(2026, 12, 1)


@pytest.fixture
def quality():
    return QualityFactory(username="quality")


@pytest.fixture
def qa_client(client, quality):
    client.force_login(quality)
    return client


def url(name, **kwargs):
    return reverse(f"allocation:{name}", kwargs=kwargs)


def make_authority(teams=3, children_per_team=4, auditors=4):
    team_list = [TeamFactory() for _ in range(teams)]
    for team in team_list:
        for _ in range(children_per_team):
            ChildFactory(team=team)
    return team_list, AuditorFactory.create_batch(auditors)


# --- Who may open what ----------------------------------------------------------------------------

ROLE_FACTORIES = {
    "auditor": AuditorFactory,
    "moderator": ModeratorFactory,
    "manager": ManagerFactory,
    "no role": UserFactory,
}


def _quality_urls(line):
    return [
        ("get", url("index")),
        ("get", url("month", month=DEC)),
        ("post", url("propose", month=DEC)),
        ("post", url("add", month=DEC)),
        ("get", url("line", month=DEC, pk=line.pk)),
        ("post", url("line", month=DEC, pk=line.pk)),
        ("post", url("line_remove", month=DEC, pk=line.pk)),
        ("get", url("confirm", month=DEC)),
        ("post", url("confirm", month=DEC)),
        ("get", url("exemption_list")),
        ("get", url("exemption_grant")),
        ("post", url("exemption_grant")),
        ("post", url("exemption_withdraw", pk=ExemptionFactory().pk)),
    ]


@pytest.mark.parametrize("role", list(ROLE_FACTORIES))
def test_allocation_pages_refuse_every_role_but_the_qa_team(client, role):
    line = ProposedAllocationFactory()
    client.force_login(ROLE_FACTORIES[role]())
    for method, target in _quality_urls(line):
        assert getattr(client, method)(target).status_code == 403, (method, target)
    assert ProposedAllocation.objects.filter(pk=line.pk).exists()
    assert Exemption.objects.filter(is_active=True).count() == 1


def test_allocation_pages_send_anonymous_visitors_to_sign_in(client):
    line = ProposedAllocationFactory()
    for method, target in [*_quality_urls(line), ("get", reverse("audits:my_audits"))]:
        response = getattr(client, method)(target)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (method, target)


def test_the_qa_team_can_open_every_allocation_page(qa_client):
    line = ProposedAllocationFactory()
    for target in [
        url("month", month=DEC),
        url("line", month=DEC, pk=line.pk),
        url("confirm", month=DEC),
        url("exemption_list"),
        url("exemption_grant"),
    ]:
        assert qa_client.get(target).status_code == 200, target


def test_the_index_opens_next_month(qa_client):
    assert qa_client.get(url("index")).url == "/audits/allocation/2026-12/"


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "0000-01", "9999-12", "26-12", "2026-1"])
def test_a_month_that_is_not_a_month_is_not_found(qa_client, bad):
    assert qa_client.get(f"/audits/allocation/{bad}/").status_code == 404


def test_a_line_of_another_month_is_not_found_under_this_month(qa_client):
    line = ProposedAllocationFactory(plan=MonthPlanFactory(month=datetime.date(2027, 1, 1)))
    assert qa_client.get(url("line", month=DEC, pk=line.pk)).status_code == 404
    assert qa_client.post(url("line_remove", month=DEC, pk=line.pk)).status_code == 404
    assert ProposedAllocation.objects.filter(pk=line.pk).exists()


# --- The journey ----------------------------------------------------------------------------------


def test_propose_review_edit_and_confirm_a_month(qa_client, django_capture_on_commit_callbacks, mailoutbox):
    teams, auditors = make_authority()
    response = qa_client.post(url("propose", month=DEC), {"propose-seed": "77"}, follow=True)
    content = response.content.decode()
    assert "Proposed 4 allocations for December 2026 (proposal number 77)" in content
    plan = MonthPlan.objects.get(month=DEC)
    lines = list(plan.proposals.select_related("child", "auditor"))
    for line in lines:
        assert line.child.case_ref in content and line.reason in content

    # Reassign the first line to a new auditor; swap the second line's child; remove the third; add one.
    newcomer = AuditorFactory(first_name="Nadia", last_name="Newcomer")
    response = qa_client.post(
        url("line", month=DEC, pk=lines[0].pk), {"op": "reassign", "reassign-auditor": newcomer.pk}
    )
    assert response.status_code == 302
    spare = ChildFactory(team=teams[0])
    response = qa_client.post(
        url("line", month=DEC, pk=lines[1].pk), {"op": "swap", "swap-child": spare.case_ref.lower()}
    )
    assert response.status_code == 302
    qa_client.post(url("line_remove", month=DEC, pk=lines[2].pk))
    extra = ChildFactory(team=teams[1])
    qa_client.post(url("add", month=DEC), {"add-auditor": lines[2].auditor_id, "add-child": extra.case_ref})
    assert sorted(plan.proposals.values_list("child_id", flat=True)) == sorted(
        [lines[0].child_id, spare.pk, lines[3].child_id, extra.pk]
    )
    assert plan.proposals.get(child=lines[0].child).auditor == newcomer

    confirm_page = qa_client.get(url("confirm", month=DEC)).content.decode()
    assert "creates 4 audits for 4 auditors" in confirm_page and "24 Dec 2026" in confirm_page
    with django_capture_on_commit_callbacks(execute=True):
        response = qa_client.post(url("confirm", month=DEC), follow=True)
    content = response.content.decode()
    assert "Confirmed 4 allocations for December 2026" in content
    assert Audit.objects.filter(month=DEC).count() == 4
    assert len(mailoutbox) == 4
    assert '<dd class="fs-4 mb-0" data-count="planned">4</dd>' in content
    assert '<dd class="fs-4 mb-0" data-count="scheduled">4</dd>' in content


def test_confirming_twice_says_the_month_is_already_confirmed(qa_client):
    make_authority()
    qa_client.post(url("propose", month=DEC))
    qa_client.post(url("confirm", month=DEC))
    response = qa_client.post(url("confirm", month=DEC), follow=True)
    assert "already confirmed" in response.content.decode()
    assert Audit.objects.filter(month=DEC).count() == 4


def test_a_confirmed_month_cannot_be_proposed_again_or_edited(qa_client, quality):
    make_authority()
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    line = plan.proposals.first()
    month_plan_confirm(plan=plan, by=quality)
    response = qa_client.post(url("propose", month=DEC), follow=True)
    assert "already confirmed" in response.content.decode()
    assert qa_client.get(url("line", month=DEC, pk=line.pk)).status_code == 302
    response = qa_client.post(url("line_remove", month=DEC, pk=line.pk), follow=True)
    assert "already confirmed" in response.content.decode()
    response = qa_client.post(
        url("add", month=DEC), {"add-auditor": AuditorFactory().pk, "add-child": ChildFactory().case_ref}
    )
    assert response.status_code == 302
    assert plan.proposals.count() == 4
    page = qa_client.get(url("month", month=DEC)).content.decode()
    assert "already confirmed" in page
    assert "Propose allocation" not in page and "Allocations (4)" in page


def test_a_past_month_shows_no_propose_button(qa_client):
    page = qa_client.get(url("month", month=datetime.date(2026, 10, 1))).content.decode()
    assert "Allocation for October 2026" in page
    assert "Propose allocation" not in page


# --- Bad input ------------------------------------------------------------------------------------


def test_adding_an_unknown_child_shows_the_error_at_the_field(qa_client, quality):
    make_authority()
    month_plan_propose(month=DEC, by=quality, seed=1)
    auditor = AuditorFactory()
    response = qa_client.post(url("add", month=DEC), {"add-auditor": auditor.pk, "add-child": "NOPE1"})
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_add-child" class="alert-link">There is no child with case reference NOPE1.</a>' in content
    assert MonthPlan.objects.get(month=DEC).proposals.count() == 4


def test_a_rule_broken_by_hand_is_explained_at_the_field(qa_client, quality):
    teams, _ = make_authority()
    month_plan_propose(month=DEC, by=quality, seed=1)
    insider = AuditorFactory(teams=[teams[0]])
    child = ChildFactory(team=teams[0])
    response = qa_client.post(url("add", month=DEC), {"add-auditor": insider.pk, "add-child": child.case_ref})
    content = response.content.decode()
    assert 'href="#id_add-auditor"' in content
    assert "does not allow auditing your own team" in content


def test_a_seed_that_is_not_a_number_is_refused_without_proposing(qa_client):
    make_authority()
    response = qa_client.post(url("propose", month=DEC), {"propose-seed": "abc"})
    assert response.status_code == 200
    assert 'href="#id_propose-seed"' in response.content.decode()
    assert not MonthPlan.objects.exists()


def test_an_unknown_line_operation_is_not_found(qa_client):
    line = ProposedAllocationFactory()
    assert qa_client.post(url("line", month=DEC, pk=line.pk), {"op": "explode"}).status_code == 404


def test_swapping_to_a_child_already_in_the_proposal_is_refused(qa_client, quality):
    make_authority()
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    first, second = plan.proposals.all()[:2]
    response = qa_client.post(url("line", month=DEC, pk=first.pk), {"op": "swap", "swap-child": second.child.case_ref})
    assert "already in this month" in response.content.decode()
    first.refresh_from_db()
    assert first.child_id != second.child_id


# --- Query budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "confirmed"])
def test_the_allocation_page_query_count_does_not_grow_with_the_month(
    qa_client, quality, django_assert_max_num_queries, state
):
    make_authority(teams=2, children_per_team=3, auditors=3)
    ExemptionFactory()
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    if state == "confirmed":
        month_plan_confirm(plan=plan, by=quality)
    with django_assert_max_num_queries(13):
        small = qa_client.get(url("month", month=DEC))
    assert small.status_code == 200

    Audit.objects.filter(month=DEC).delete()
    plan.delete()
    make_authority(teams=12, children_per_team=5, auditors=40)
    ExemptionFactory.create_batch(5)
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    if state == "confirmed":
        month_plan_confirm(plan=plan, by=quality)
    with django_assert_max_num_queries(13):
        large = qa_client.get(url("month", month=DEC))
    assert large.content.decode().count("<tr>") > 40


# --- Home and navigation ------------------------------------------------------------------------------


def test_the_qa_home_panel_links_to_next_months_allocation_and_says_how_far_it_got(qa_client, quality):
    content = qa_client.get("/").content.decode()
    assert '<a href="/audits/allocation/2026-12/">Plan December 2026\'s allocation</a>: not proposed yet' in content
    assert 'href="/audits/allocation/">Allocation</a>' in content
    make_authority()
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    assert "allocation</a>: proposal to review and confirm" in qa_client.get("/").content.decode()
    month_plan_confirm(plan=plan, by=quality)
    assert "allocation</a>: confirmed" in qa_client.get("/").content.decode()


def test_auditors_get_a_my_audits_link_and_no_allocation_link(client):
    client.force_login(AuditorFactory())
    content = client.get("/").content.decode()
    assert 'href="/audits/mine/">My audits</a>' in content
    assert "/audits/allocation/" not in content


def test_a_refusal_about_a_field_the_form_lacks_is_shown_at_the_top_not_a_server_error(qa_client, quality):
    make_authority()
    plan = month_plan_propose(month=DEC, by=quality, seed=1)
    line = plan.proposals.select_related("child", "auditor").first()
    # The child's case closed after the proposal: the reassign form has no child field to put that on.
    line.child.is_open = False
    line.child.save()
    response = qa_client.post(
        url("line", month=DEC, pk=line.pk), {"op": "reassign", "reassign-auditor": AuditorFactory().pk}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#reassign-errors" class="alert-link">{line.child.case_ref} is a closed case.</a>' in content
    assert 'id="reassign-errors"' in content
    # The swap form has no auditor field for "the auditor is this child's social worker".
    own_case = ChildFactory(social_worker=line.auditor)
    response = qa_client.post(url("line", month=DEC, pk=line.pk), {"op": "swap", "swap-child": own_case.case_ref})
    assert escape(f"{line.auditor} is {own_case.case_ref}'s social worker.") in response.content.decode()
    assert 'id="swap-errors"' in response.content.decode()


def test_a_line_page_that_leaves_out_a_hook_its_base_calls_is_refused_when_it_is_made():
    """allocation/line_views.py: the shared line pages name every hook a page must give, at import, not at the
    first request that needs it."""
    from allocation.line_views import LineEditView, LineRemoveView

    with pytest.raises(TypeError, match="must give .*confirmed_url, return_url"):

        class HalfDone(LineEditView):
            line = None
            form_classes = {}
            reassign = swap_child = staticmethod(lambda **kw: None)
            changed_message = "Changed."

            def is_draft(self) -> bool:
                return True

            def confirmed_message(self) -> str:
                return "Confirmed."

    with pytest.raises(TypeError, match="must give removed_message"):

        class NoMessage(LineRemoveView):
            line = None
            remove = staticmethod(lambda **kw: None)

            def return_url(self) -> str:
                return "/"
