"""The versioned practice-area template: services, pages per role, and the QA team's journey in a browser."""

import datetime

import pytest
from django.urls import reverse

from allocation.models import MonthPlan, ProposedAllocation
from allocation.services import month_plan_confirm
from audits.models import AreaGrade, PracticeArea, TemplateVersion
from audits.template_selectors import template_changes, template_current, template_draft
from audits.templates_services import (
    DraftArea,
    TemplateError,
    template_create_draft,
    template_discard_draft,
    template_publish,
    template_update_draft,
)
from audits.tests.factories import AreaGradeFactory, AuditFactory
from caseload.tests.factories import ChildFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


DEFAULT_SLUGS = [
    "response-to-risk",
    "assessment",
    "planning",
    "intervention",
    "review",
    "voice-of-the-child",
    "management-oversight",
    "permanence",
    "case-recording",
]


def as_specs(version: TemplateVersion) -> list[DraftArea]:
    return [DraftArea(a.pk, a.name, a.guidance, i) for i, a in enumerate(version.areas.all(), start=1)]


@pytest.fixture
def officer():
    return QualityFactory()


@pytest.fixture
def v1():
    return TemplateVersion.objects.get(number=1)


# Services ---------------------------------------------------------------------------------------------------------


def test_version_one_holds_the_default_areas_from_the_domain_brief(v1):
    assert v1.is_current
    assert [a.slug for a in v1.areas.all()] == DEFAULT_SLUGS
    assert all(a.guidance for a in v1.areas.all())


def test_new_draft_copies_the_current_version_without_making_it_current(officer, v1):
    draft = template_create_draft(by=officer)

    assert draft.number == 2 and not draft.is_current and draft.created_by == officer
    copied = [(a.slug, a.name, a.guidance, a.order) for a in draft.areas.all()]
    assert copied == [(a.slug, a.name, a.guidance, a.order) for a in v1.areas.all()]
    assert template_current() == v1
    assert template_draft() == draft


def test_only_one_draft_at_a_time(officer):
    template_create_draft(by=officer)
    with pytest.raises(TemplateError, match="draft version already exists"):
        template_create_draft(by=officer)
    assert TemplateVersion.objects.count() == 2


def test_editing_a_draft_renames_reorders_adds_and_removes_in_one_step(officer):
    draft = template_create_draft(by=officer)
    areas = {a.slug: a for a in draft.areas.all()}
    wanted = [
        DraftArea(areas["assessment"].pk, "Assessment of need", "Is it analytical?", 1),
        DraftArea(areas["response-to-risk"].pk, "Response to risk", "Was risk recognised?", 2),
        DraftArea(None, "Education and health", "Are school and health needs met?", 3),
    ]

    template_update_draft(version=draft, name="Practice areas 2027", areas=wanted)

    draft.refresh_from_db()
    assert draft.name == "Practice areas 2027"
    result = [(a.slug, a.name, a.guidance, a.order) for a in draft.areas.all()]
    assert result == [
        # A renamed area keeps its slug: the slug ties the same area together across versions.
        ("assessment", "Assessment of need", "Is it analytical?", 1),
        ("response-to-risk", "Response to risk", "Was risk recognised?", 2),
        ("education-and-health", "Education and health", "Are school and health needs met?", 3),
    ]


def test_a_new_area_named_like_a_kept_one_gets_a_distinct_slug(officer):
    draft = template_create_draft(by=officer)
    specs = as_specs(draft)
    planning = next(s for s in specs if s.name == "Planning")
    renamed = DraftArea(planning.id, "Care planning", planning.guidance, planning.position)
    specs = [renamed if s is planning else s for s in specs] + [DraftArea(None, "Planning", "", 99)]

    template_update_draft(version=draft, name=draft.name, areas=specs)

    slugs = [a.slug for a in draft.areas.all()]
    assert slugs.count("planning") == 1 and "planning-2" in slugs


@pytest.mark.parametrize(
    "areas, message",
    [
        ([], "at least one practice area"),
        ([DraftArea(None, "Planning", "", 1), DraftArea(None, " planning ", "", 2)], "Two practice areas"),
        ([DraftArea(None, "   ", "", 1)], "needs a name"),
    ],
)
def test_a_draft_edit_that_breaks_the_rules_changes_nothing(officer, areas, message):
    draft = template_create_draft(by=officer)
    before = list(draft.areas.values_list("slug", "name", "order"))

    with pytest.raises(TemplateError, match=message):
        template_update_draft(version=draft, name="Renamed", areas=areas)

    draft.refresh_from_db()
    assert draft.name == "Practice areas"
    assert list(draft.areas.values_list("slug", "name", "order")) == before


def test_a_draft_edit_cannot_take_an_area_from_another_version(officer, v1):
    draft = template_create_draft(by=officer)
    foreign = v1.areas.first()
    with pytest.raises(TemplateError, match="changed while you were editing"):
        template_update_draft(version=draft, name="x", areas=[DraftArea(foreign.pk, "Stolen", "", 1)])
    assert foreign in v1.areas.all()


def test_a_published_version_is_never_edited(officer, v1):
    with pytest.raises(TemplateError, match="has been published"):
        template_update_draft(version=v1, name="Changed", areas=[DraftArea(None, "Only", "", 1)])
    with pytest.raises(TemplateError, match="has been published"):
        template_discard_draft(version=v1)
    with pytest.raises(TemplateError, match="has been published"):
        template_publish(version=v1, by=officer)
    assert [a.slug for a in v1.areas.all()] == DEFAULT_SLUGS


def test_a_superseded_version_cannot_be_edited_or_published_again(officer, v1):
    draft = template_create_draft(by=officer)
    template_publish(version=draft, by=officer)

    with pytest.raises(TemplateError, match="Version 1 has been published"):
        template_update_draft(version=v1, name="Back", areas=as_specs(v1))
    with pytest.raises(TemplateError, match="Version 1 has been published"):
        template_publish(version=v1, by=officer)
    assert template_current().number == 2


def test_publishing_makes_the_draft_the_one_current_version(officer, v1):
    draft = template_create_draft(by=officer)

    template_publish(version=draft, by=officer)

    assert list(TemplateVersion.objects.filter(is_current=True)) == [draft]
    v1.refresh_from_db()
    assert not v1.is_current
    assert template_draft() is None


def test_publishing_an_empty_draft_is_refused(officer):
    empty = template_create_draft(by=officer)
    empty.areas.all().delete()  # the editor refuses this, so only direct database access could do it
    with pytest.raises(TemplateError, match="at least one practice area"):
        template_publish(version=empty, by=officer)
    assert template_current().number == 1


def test_existing_audits_keep_their_version_after_a_new_one_is_published(officer, v1):
    old_area = v1.areas.get(slug="planning")
    audit = AuditFactory(template=v1, returned=True)
    AreaGradeFactory(audit=audit, area=old_area, grade="good", evidence="SMART plan in place.")

    draft = template_create_draft(by=officer)
    specs = [
        DraftArea(s.id, "Care and pathway planning" if s.name == "Planning" else s.name, s.guidance, s.position)
        for s in as_specs(draft)
    ]
    template_update_draft(version=draft, name=draft.name, areas=specs)
    template_publish(version=draft, by=officer)

    audit.refresh_from_db()
    assert audit.template == v1
    grade = AreaGrade.objects.select_related("area").get(audit=audit)
    assert grade.area == old_area and grade.area.name == "Planning"
    # The new version has its own copy, so the rename did not touch the old area.
    assert draft.areas.get(slug="planning").name == "Care and pathway planning"
    assert PracticeArea.objects.get(pk=old_area.pk).name == "Planning"


def test_allocations_confirmed_after_publishing_take_the_new_version(officer, v1):
    older = AuditFactory(template=v1)
    plan = MonthPlan.objects.create(month=datetime.date(2026, 12, 1))
    ProposedAllocation.objects.create(plan=plan, auditor=AuditorFactory(), child=ChildFactory())
    draft = template_create_draft(by=officer)
    template_publish(version=draft, by=officer)

    (audit,) = month_plan_confirm(plan=plan, by=officer)

    assert audit.template == draft
    older.refresh_from_db()
    assert older.template == v1


def test_publishing_a_draft_someone_has_just_published_is_refused(officer):
    draft = template_create_draft(by=officer)
    seen_by_second_officer = TemplateVersion.objects.get(pk=draft.pk)  # loaded before the first one published

    template_publish(version=draft, by=officer)
    with pytest.raises(TemplateError, match="Version 2 has been published"):
        template_publish(version=seen_by_second_officer, by=officer)

    assert list(TemplateVersion.objects.filter(is_current=True).values_list("number", flat=True)) == [2]


def test_saving_a_draft_someone_has_just_discarded_is_refused(officer):
    draft = template_create_draft(by=officer)
    specs = as_specs(draft)
    template_discard_draft(version=TemplateVersion.objects.get(pk=draft.pk))

    with pytest.raises(TemplateError, match="no longer exists"):
        template_update_draft(version=draft, name="Mine", areas=specs)
    assert not PracticeArea.objects.filter(template_id=draft.pk).exists()


def test_discarding_a_draft_deletes_it_and_its_areas(officer):
    draft = template_create_draft(by=officer)
    area_ids = list(draft.areas.values_list("pk", flat=True))

    template_discard_draft(version=draft)

    assert not TemplateVersion.objects.filter(pk=draft.pk).exists()
    assert not PracticeArea.objects.filter(pk__in=area_ids).exists()
    assert template_create_draft(by=officer).number == 2


def test_changes_lists_what_a_draft_adds_removes_renames_and_reorders(officer, v1):
    draft = template_create_draft(by=officer)
    specs = as_specs(draft)
    first, second, *rest = specs
    new_specs = [
        DraftArea(second.id, second.name, "New guidance", 1),
        DraftArea(first.id, "Risk", first.guidance, 2),
        *rest[:-1],
        DraftArea(None, "Education", "", 50),
    ]
    template_update_draft(version=draft, name=draft.name, areas=new_specs)

    changes = template_changes(draft, v1)

    assert changes["added"] == ["Education"]
    assert changes["removed"] == ["Case recording (chronology, summary)"]
    assert changes["renamed"] == [("Response to risk", "Risk")]
    assert changes["guidance_changed"] == ["Assessment"]
    assert changes["reordered"] is True


# Pages ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory], ids=lambda f: f.__name__
)
def test_only_the_qa_team_may_open_or_change_the_template(client, factory, v1):
    client.force_login(factory())
    for name, kwargs in [
        ("template_list", {}),
        ("template_detail", {"number": 1}),
        ("template_edit", {"number": 1}),
        ("template_publish", {"number": 1}),
    ]:
        assert client.get(reverse(f"audits:{name}", kwargs=kwargs)).status_code == 403
    assert client.post(reverse("audits:template_create")).status_code == 403
    assert TemplateVersion.objects.count() == 1


def test_template_pages_require_sign_in(client):
    response = client.get(reverse("audits:template_list"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_list_shows_each_version_with_its_status_and_counts(client, officer, v1):
    AuditFactory(template=v1)
    template_create_draft(by=officer)
    client.force_login(officer)

    response = client.get(reverse("audits:template_list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Continue editing draft version 2" in content
    row_v1 = content.split("Version 1</a>")[1].split("</tr>")[0]
    assert "Current" in row_v1 and ">9<" in row_v1 and ">1<" in row_v1
    row_v2 = content.split("Version 2</a>")[1].split("</tr>")[0]
    assert "Draft, not yet published" in row_v2 and ">0<" in row_v2


def test_list_query_count_does_not_grow_with_versions_or_audits(client, officer, django_assert_max_num_queries):
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        client.get(reverse("audits:template_list"))
    for _ in range(3):
        template_publish(version=template_create_draft(by=officer), by=officer)
    AuditFactory.create_batch(5, template=template_current())
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audits:template_list")).status_code == 200


def test_detail_and_editor_query_counts_do_not_grow_with_the_areas(client, officer, django_assert_max_num_queries):
    draft = template_create_draft(by=officer)
    client.force_login(officer)
    urls = [reverse(f"audits:{name}", kwargs={"number": 2}) for name in ("template_detail", "template_edit")]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    specs = as_specs(draft) + [DraftArea(None, f"Extra area {n}", "Guidance", 50 + n) for n in range(20)]
    template_update_draft(version=draft, name=draft.name, areas=specs)
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_unknown_version_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("audits:template_detail", kwargs={"number": 99})).status_code == 404
    assert client.get(reverse("audits:template_edit", kwargs={"number": 99})).status_code == 404


def test_starting_a_version_opens_its_editor(client, officer):
    client.force_login(officer)
    response = client.post(reverse("audits:template_create"))
    assert response.status_code == 302
    assert response.url == reverse("audits:template_edit", kwargs={"number": 2})
    assert client.get(response.url).status_code == 200


def test_starting_a_second_draft_says_why_not(client, officer):
    template_create_draft(by=officer)
    client.force_login(officer)
    response = client.post(reverse("audits:template_create"), follow=True)
    assert "A draft version already exists" in response.content.decode()
    assert TemplateVersion.objects.count() == 2


def test_the_editor_of_a_published_version_redirects_with_a_message(client, officer):
    client.force_login(officer)
    response = client.get(reverse("audits:template_edit", kwargs={"number": 1}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:template_detail", kwargs={"number": 1})
    assert "has been published and cannot be changed" in response.content.decode()
    post = client.post(reverse("audits:template_publish", kwargs={"number": 1}))
    assert post.status_code == 302
    assert TemplateVersion.objects.get(number=1).is_current


def formset_data(version: TemplateVersion, **overrides) -> dict:
    areas = list(version.areas.all())
    data = {
        "name": version.name,
        "areas-TOTAL_FORMS": str(len(areas) + 2),
        "areas-INITIAL_FORMS": str(len(areas)),
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "60",
    }
    for i, area in enumerate(areas):
        data |= {
            f"areas-{i}-id": str(area.pk),
            f"areas-{i}-name": area.name,
            f"areas-{i}-guidance": area.guidance,
            f"areas-{i}-position": str(i + 1),
        }
    for i in (len(areas), len(areas) + 1):
        data |= {f"areas-{i}-id": "", f"areas-{i}-name": "", f"areas-{i}-guidance": "", f"areas-{i}-position": ""}
    data.update(overrides)
    return data


def test_saving_the_editor_moves_adds_and_removes_areas(client, officer):
    draft = template_create_draft(by=officer)
    client.force_login(officer)
    data = formset_data(
        draft,
        **{
            "areas-4-position": "1",  # Review moves to the top.
            "areas-8-remove": "on",  # Case recording goes.
            "areas-9-name": "Education and health",
            "areas-9-guidance": "Are school and health needs met?",
        },
    )

    response = client.post(reverse("audits:template_edit", kwargs={"number": 2}), data)

    assert response.status_code == 302
    names = list(draft.areas.values_list("name", flat=True))
    assert names[:3] == ["Review", "Response to risk", "Assessment"]
    assert "Case recording (chronology, summary)" not in names
    assert names[-1] == "Education and health"


def test_editor_errors_are_summarised_at_the_top_and_linked_to_the_field(client, officer):
    draft = template_create_draft(by=officer)
    client.force_login(officer)
    data = formset_data(draft, **{"areas-1-name": "", "areas-9-guidance": "Guidance without a name", "name": ""})

    response = client.post(reverse("audits:template_edit", kwargs={"number": 2}), data)

    content = response.content.decode()
    assert response.status_code == 400
    summary = content.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_name"' in summary
    assert 'href="#id_areas-1-name"' in summary and "tick “Remove this area”" in summary
    assert 'href="#id_areas-9-name"' in summary and "Give the new practice area a name" in summary
    assert draft.areas.get(slug="assessment").name == "Assessment"


def test_removing_every_area_is_refused_with_a_message(client, officer):
    draft = template_create_draft(by=officer)
    client.force_login(officer)
    data = formset_data(draft, **{f"areas-{i}-remove": "on" for i in range(9)})

    response = client.post(reverse("audits:template_edit", kwargs={"number": 2}), data)

    assert response.status_code == 400
    assert 'href="#areas"' in response.content.decode()
    assert draft.areas.count() == 9


def test_a_tampered_management_form_is_a_clear_error_not_a_crash(client, officer):
    draft = template_create_draft(by=officer)
    client.force_login(officer)
    data = formset_data(draft)
    del data["areas-TOTAL_FORMS"]
    response = client.post(reverse("audits:template_edit", kwargs={"number": 2}), data)
    assert response.status_code == 400
    assert draft.areas.count() == 9


def test_detail_of_a_draft_lists_the_changes_and_offers_publish(client, officer):
    draft = template_create_draft(by=officer)
    specs = as_specs(draft)
    template_update_draft(version=draft, name=draft.name, areas=[*specs, DraftArea(None, "Education", "", 99)])
    client.force_login(officer)

    content = client.get(reverse("audits:template_detail", kwargs={"number": 2})).content.decode()

    assert "Added: Education" in content
    assert reverse("audits:template_publish", kwargs={"number": 2}) in content


def test_publish_page_confirms_then_publishes(client, officer):
    template_create_draft(by=officer)
    client.force_login(officer)
    url = reverse("audits:template_publish", kwargs={"number": 2})

    confirm = client.get(url)
    assert confirm.status_code == 200 and "Audits already allocated keep" in confirm.content.decode()
    assert not TemplateVersion.objects.get(number=2).is_current

    response = client.post(url, follow=True)
    assert TemplateVersion.objects.get(number=2).is_current
    assert "Version 2 is now current" in response.content.decode()


def test_discard_page_confirms_then_deletes_the_draft(client, officer):
    template_create_draft(by=officer)
    client.force_login(officer)
    url = reverse("audits:template_discard", kwargs={"number": 2})
    assert client.get(url).status_code == 200
    client.post(url)
    assert not TemplateVersion.objects.filter(number=2).exists()


def test_quality_home_and_navigation_link_to_the_template(client, officer):
    client.force_login(officer)
    content = client.get(reverse("home")).content.decode()
    assert content.count(reverse("audits:template_list")) == 2


def test_other_roles_see_no_link_to_the_template(client):
    client.force_login(AuditorFactory(is_manager=True, is_moderator=True))
    assert reverse("audits:template_list") not in client.get(reverse("home")).content.decode()


# Browser ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def default_template(transactional_db):
    """Version 1 as the data migration makes it (the root conftest restores it after a browser test's flush)."""
    return TemplateVersion.objects.get(number=1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_head_of_quality_edits_and_publishes_a_new_version(page, sign_in, axe, default_template):
    QualityFactory(username="hq")
    sign_in("hq")
    page.get_by_role("link", name="Practice areas", exact=True).first.click()
    axe(page, "template-list")
    page.get_by_role("button", name="Start a new version").click()

    # A mistake first: the error summary names it and its link takes the keyboard to the field.
    page.get_by_role("group", name="Area 2: Assessment").get_by_label("Name").fill("")
    page.get_by_role("button", name="Save draft").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert summary.is_visible()
    axe(page, "template-edit-errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_areas-1-name"
    page.keyboard.type("Assessment of need")

    page.get_by_label("Name of this version").fill("Practice areas 2027")
    area_9 = page.get_by_role("group", name="Area 9: Case recording (chronology, summary)")
    area_9.get_by_label("Remove this area from the draft").check()
    new_area = page.get_by_role("group", name="Add a practice area (optional)").first
    new_area.get_by_label("Name").fill("Education and health")
    new_area.get_by_label("Guidance for auditors").fill("Are the child's school and health needs met?")
    page.get_by_role("group", name="Area 5: Review").get_by_label("Position").fill("1")
    page.get_by_role("button", name="Save draft").click()

    assert page.get_by_text("Added: Education and health").is_visible()
    assert page.get_by_text("Removed: Case recording (chronology, summary)").is_visible()
    assert page.get_by_text("Renamed: Assessment to Assessment of need").is_visible()
    axe(page, "template-draft-detail")
    page.get_by_role("link", name="Publish version 2").click()
    page.get_by_role("button", name="Publish version 2").click()

    assert page.get_by_text("Version 2 is now current").is_visible()
    current = TemplateVersion.objects.get(is_current=True)
    assert current.number == 2 and current.name == "Practice areas 2027"
    names = list(current.areas.values_list("name", flat=True))
    assert names[0] == "Review" and names[-1] == "Education and health"
    assert "Assessment of need" in names and "Case recording (chronology, summary)" not in names
