"""Good practice (seed 000, section 1.5): the QA team records what the social worker says made the difference on
an audit graded Good or Outstanding, tagged with themes; every role's answer, form errors, and the history."""

import pytest
from django.urls import reverse

from audits.good_practice_services import GoodPracticeError, good_practice_record
from audits.models import GoodPractice, Theme
from audits.tests.factories import AuditFactory
from audits.theme_services import theme_set_active
from common.text_limits import LONG_TEXT_MAX
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ManagerFactory, QualityFactory

pytestmark = pytest.mark.django_db


def theme(name: str) -> Theme:
    return Theme.objects.get(name=name)


def good_audit(grade: str = "good"):
    return AuditFactory(returned=True, auditor_grade=grade, final_grade=grade)


def url(audit) -> str:
    return reverse("audits:good_practice_edit", args=[audit.pk])


def post(client, audit, text, themes=()):
    return client.post(url(audit), {"text": text, "themes": [t.pk for t in themes]})


@pytest.mark.parametrize("grade", ["good", "outstanding"])
def test_the_qa_team_records_good_practice_with_themes_and_sees_it_on_the_audit(client, grade):
    audit, quality = good_audit(grade), QualityFactory()
    client.force_login(quality)
    detail = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert url(audit) in detail and "Record good practice" in detail
    response = post(client, audit, "Persistence with the family.", [theme("Direct work"), theme("Voice of the child")])
    assert response.status_code == 302
    record = GoodPractice.objects.get(audit=audit)
    assert record.text == "Persistence with the family." and record.recorded_by == quality
    assert sorted(record.themes.values_list("name", flat=True)) == ["Direct work", "Voice of the child"]
    detail = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Persistence with the family." in detail and "Revise good practice" in detail


def test_revising_changes_the_text_and_tags_and_the_history_shows_both(client):
    audit, quality = good_audit(), QualityFactory()
    client.force_login(quality)
    post(client, audit, "First words.", [theme("Chronologies")])
    post(client, audit, "Better words.", [theme("Direct work")])
    record = GoodPractice.objects.get(audit=audit)
    assert record.text == "Better words." and [t.name for t in record.themes.all()] == ["Direct work"]
    page = client.get(reverse("audits:audit_history", args=[audit.pk])).content.decode()
    assert "Good practice recorded" in page and "Good practice revised" in page
    assert "First words." in page and "Better words." in page
    assert "Chronologies" in page and "Direct work" in page
    assert str(quality) in page


def test_text_is_escaped_where_it_is_shown(client):
    audit = good_audit()
    client.force_login(QualityFactory())
    post(client, audit, "<script>alert(1)</script> made the difference")
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; made the difference" in page


def test_form_errors_blank_and_too_long_text_keep_what_was_typed(client):
    audit = good_audit()
    client.force_login(QualityFactory())
    response = post(client, audit, "   ")
    assert response.status_code == 400
    assert "Write what the social worker says made the difference." in response.content.decode()
    long_text = "x" * (LONG_TEXT_MAX + 1)
    response = post(client, audit, long_text, [theme("Chronologies")])
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Keep this to {LONG_TEXT_MAX:,} characters or fewer" in page and long_text in page
    assert not GoodPractice.objects.filter(audit=audit).exists()


def test_a_retired_theme_is_not_offered_and_refused_unless_the_record_has_it(client):
    audit = good_audit()
    client.force_login(QualityFactory())
    retired = theme("Permanence")
    post(client, audit, "Kept.", [retired])
    theme_set_active(theme=retired, active=False, by=None)
    # The record carries it: still offered and may stay ticked.
    assert f'value="{retired.pk}"' in client.get(url(audit)).content.decode()
    assert post(client, audit, "Kept again.", [retired]).status_code == 302
    other = good_audit()
    assert f'value="{retired.pk}"' not in client.get(url(other)).content.decode()
    response = post(client, other, "Refused.", [retired])
    assert response.status_code == 400
    assert not GoodPractice.objects.filter(audit=other).exists()


@pytest.mark.parametrize("grade", ["requires_improvement", "inadequate", "not_graded", ""])
def test_an_audit_not_good_or_outstanding_is_not_found(client, grade):
    audit = AuditFactory(returned=bool(grade), auditor_grade=grade, final_grade=grade)
    client.force_login(QualityFactory())
    assert client.get(url(audit)).status_code == 404
    assert post(client, audit, "No.").status_code == 404
    assert url(audit) not in client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()


def test_every_other_role_is_refused_and_sees_no_link(client):
    audit = good_audit()
    manager = ManagerFactory()
    audit.team.manager = manager
    audit.team.save()
    moderation = ModerationFactory(audit=audit)
    for user in (audit.auditor, manager, moderation.moderator, AuditorFactory()):
        client.force_login(user)
        assert client.get(url(audit)).status_code == 403, user
        assert post(client, audit, "No.").status_code == 403, user
        detail = client.get(reverse("audits:audit_detail", args=[audit.pk]))
        assert url(audit) not in detail.content.decode()
    client.logout()
    response = client.get(url(audit))
    assert response.status_code == 302 and url(audit) in response["Location"]  # to sign in, then back
    assert not GoodPractice.objects.exists()


def test_the_record_is_shown_to_whoever_reads_the_audit(client):
    audit = good_audit()
    client.force_login(QualityFactory())
    post(client, audit, "Relational practice.", [theme("Direct work")])
    client.force_login(audit.auditor)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Relational practice." in page and "Direct work" in page


def test_a_moderator_lowering_the_grade_later_refuses_a_new_record(client):
    audit = good_audit()
    client.force_login(QualityFactory())
    form = client.get(url(audit))
    assert form.status_code == 200
    type(audit).objects.filter(pk=audit.pk).update(final_grade="requires_improvement")
    assert post(client, audit, "Too late.").status_code == 404


def test_the_service_refuses_other_roles_and_grades_itself():
    audit = good_audit()
    with pytest.raises(GoodPracticeError, match="Only the QA team"):
        good_practice_record(audit=audit, text="x", theme_ids=[], by=audit.auditor)
    type(audit).objects.filter(pk=audit.pk).update(final_grade="inadequate")
    with pytest.raises(GoodPracticeError, match="Good or Outstanding"):
        good_practice_record(audit=audit, text="x", theme_ids=[], by=QualityFactory())
    assert not GoodPractice.objects.exists()


@pytest.mark.parametrize("revisions", [1, 6])
def test_the_audit_and_history_pages_read_good_practice_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, revisions
):
    audit, quality = good_audit(), QualityFactory()
    names = ["Chronologies", "Direct work", "Permanence", "SMART plans", "Voice of the child", "Case summaries"]
    for n in range(revisions):
        good_practice_record(audit=audit, text=f"Version {n}.", theme_ids=ids(*names[: n + 1]), by=quality)
    client.force_login(quality)
    with django_assert_max_num_queries(12):
        assert (
            f"Version {revisions - 1}." in client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
        )
    with django_assert_max_num_queries(15):
        assert "Version 0." in client.get(reverse("audits:audit_history", args=[audit.pk])).content.decode()


def ids(*names):
    return [theme(name).pk for name in names]
