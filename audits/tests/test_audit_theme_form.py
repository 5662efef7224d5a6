"""Learning themes on the audit form: two checklists beside the text and a theme per action row,
kept through save, autosave, errors and submission like every other field (issue 14)."""

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditTheme, Theme
from audits.tests.completion_helpers import audit_with_areas, form_data
from audits.theme_services import audit_themes_set, theme_set_active
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def theme(name: str) -> Theme:
    return Theme.objects.get(name=name)


def tags(audit) -> set[tuple[str, str]]:
    return set(AuditTheme.objects.filter(audit=audit).values_list("theme__name", "kind"))


def edit(client, audit, data, name="audit_edit"):
    client.force_login(audit.auditor)
    # The page posts this hidden field with its checklists (audits.theme_forms.SHOWN_FIELD).
    return client.post(reverse(f"audits:{name}", args=[audit.pk]), {"themes_shown": "True", **data})


def ticked(page: str, field: str, pk: int) -> bool:
    """Whether the checkbox for theme `pk` in `field` is rendered checked."""
    start = page.index(f'name="{field}" value="{pk}"')
    tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
    return " checked" in tag


def test_saving_a_draft_keeps_the_ticked_themes_and_the_page_shows_them_ticked(client):
    audit = audit_with_areas(areas=2)
    chron, voice, direct = theme("Chronologies"), theme("Voice of the child"), theme("Direct work")
    data = form_data(audit, themes_improvement=[chron.pk, voice.pk], themes_strength=[voice.pk, direct.pk])
    assert edit(client, audit, data).status_code == 302
    assert tags(audit) == {
        ("Chronologies", "improvement"),
        ("Voice of the child", "improvement"),
        ("Voice of the child", "strength"),
        ("Direct work", "strength"),
    }
    page = client.get(reverse("audits:audit_edit", args=[audit.pk])).content.decode()
    assert ticked(page, "themes_improvement", chron.pk) and ticked(page, "themes_strength", direct.pk)
    assert not ticked(page, "themes_strength", chron.pk)
    # Unticking every box (nothing posted for the field) removes the tags.
    audit.refresh_from_db()
    edit(client, audit, form_data(audit, themes_strength=[direct.pk]))
    assert tags(audit) == {("Direct work", "strength")}


def test_autosave_keeps_the_ticks_too(client):
    audit = audit_with_areas(areas=1)
    client.force_login(audit.auditor)
    data = form_data(audit, themes_shown="True", themes_improvement=[theme("SMART plans").pk])
    response = client.post(reverse("audits:audit_autosave", args=[audit.pk]), data)
    assert response.status_code == 200
    assert tags(audit) == {("SMART plans", "improvement")}


def test_a_submission_refused_for_another_field_shows_the_ticks_as_they_were_and_saves_nothing(client):
    audit = audit_with_areas(areas=1)
    permanence = theme("Permanence")
    data = form_data(audit, auditor_grade="", themes_strength=[permanence.pk])
    response = edit(client, audit, data, name="audit_submit")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the overall grade." in page
    assert ticked(page, "themes_strength", permanence.pk)
    assert tags(audit) == set()


def test_submitting_keeps_the_themes_with_the_audit(client):
    audit = audit_with_areas(areas=1)
    data = form_data(audit, themes_improvement=[theme("Case summaries").pk])
    assert edit(client, audit, data, name="audit_submit").status_code == 302
    audit.refresh_from_db()
    assert audit.status == "submitted"
    assert tags(audit) == {("Case summaries", "improvement")}
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Learning themes" in page and "Case summaries" in page


def test_a_retired_theme_is_not_offered_to_a_new_audit_and_cannot_be_forged_in(client):
    old, new = audit_with_areas(areas=1), audit_with_areas(areas=1)
    life_story = theme("Life story work")
    audit_themes_set(audit=old, improvement=[life_story.pk], strength=[])
    theme_set_active(theme=life_story, active=False, by=None)
    client.force_login(new.auditor)
    page = client.get(reverse("audits:audit_edit", args=[new.pk])).content.decode()
    assert f'name="themes_improvement" value="{life_story.pk}"' not in page
    response = edit(client, new, form_data(new, themes_improvement=[life_story.pk]))
    assert response.status_code == 200
    assert "A theme you ticked is no longer offered" in response.content.decode()
    assert tags(new) == set()
    # The old audit still shows it, ticked and marked retired, and keeps it on save.
    client.force_login(old.auditor)
    page = client.get(reverse("audits:audit_edit", args=[old.pk])).content.decode()
    assert ticked(page, "themes_improvement", life_story.pk) and "Life story work (retired)" in page
    edit(client, old, form_data(old, themes_improvement=[life_story.pk]))
    assert tags(old) == {("Life story work", "improvement")}


def test_an_action_carries_the_theme_chosen_on_its_row_even_while_pending(client):
    audit = audit_with_areas(areas=1)
    owner = UserFactory()
    chron, smart = theme("Chronologies"), theme("SMART plans")
    rows = [
        {"description": "Update the chronology.", "owner": owner.pk, "due_on": "2030-01-31", "theme": chron.pk},
        {"description": "Write a SMART plan.", "theme": smart.pk},  # no owner yet: waits in the draft
    ]
    assert edit(client, audit, form_data(audit, actions=rows)).status_code == 302
    action = audit.actions.get()
    assert (action.theme, action.due_on) == (chron, datetime.date(2030, 1, 31))
    audit.refresh_from_db()
    assert audit.pending_actions[0]["theme_id"] == smart.pk
    page = client.get(reverse("audits:audit_edit", args=[audit.pk])).content.decode()
    assert f'<option value="{smart.pk}" selected>SMART plans</option>' in page


def test_a_post_without_the_checklists_leaves_the_tags_alone(client):
    """A tab opened before the checklists existed, or a script, posts no theme fields at all."""
    audit = audit_with_areas(areas=1)
    audit_themes_set(audit=audit, improvement=[theme("Permanence").pk], strength=[])
    client.force_login(audit.auditor)
    assert client.post(reverse("audits:audit_edit", args=[audit.pk]), form_data(audit)).status_code == 302
    assert tags(audit) == {("Permanence", "improvement")}


def test_the_action_page_names_the_actions_theme(client):
    from actions.tests.factories import ActionFactory
    from people.tests.factories import QualityFactory

    action = ActionFactory(theme=theme("Permanence"))
    client.force_login(QualityFactory())
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Learning theme</dt><dd" in page and ">Permanence</dd>" in page
