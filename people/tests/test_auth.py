import pytest
from django.urls import reverse

from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_page_requires_sign_in(client):
    for url in ["/", reverse("people:profile"), reverse("password_change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_signing_in_with_username_lands_on_home(client):
    QualityFactory(username="quality", first_name="Quinn")
    response = client.post(reverse("login"), {"username": "quality", "password": "demo"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Welcome, Quinn" in response.content


@pytest.mark.parametrize(
    "factory, panel",
    [
        (QualityFactory, "home-quality"),
        (AuditorFactory, "home-auditor"),
        (ModeratorFactory, "home-moderator"),
        (ManagerFactory, "home-manager"),
    ],
)
def test_home_shows_a_panel_for_each_role_held(client, factory, panel):
    user = factory()
    client.force_login(user)
    content = client.get("/").content.decode()
    assert f'id="{panel}"' in content
    assert content.count('class="card h-100"') == 1


def test_a_person_with_several_roles_sees_each_panel(client):
    client.force_login(UserFactory(is_auditor=True, is_manager=True))
    content = client.get("/").content.decode()
    assert 'id="home-auditor"' in content and 'id="home-manager"' in content
    assert 'id="home-quality"' not in content


def test_sign_out_needs_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failed_sign_ins_lock_the_account(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="target")
    for _ in range(3):
        client.post(reverse("login"), {"username": "target", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "target", "password": "demo"})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_inactive_accounts_cannot_sign_in(client):
    UserFactory(username="imported", is_active=False)
    response = client.post(reverse("login"), {"username": "imported", "password": "demo"})
    assert response.status_code == 200
    assert b"did not match" in response.content


def test_idle_sessions_expire(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_admin_is_for_staff_only(client):
    client.force_login(AuditorFactory())
    response = client.get("/admin/")
    assert response.status_code == 302


def test_the_qa_team_maintains_teams_and_staff_in_the_admin(client):
    quality = QualityFactory()
    staff_member = AuditorFactory()
    client.force_login(quality)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/people/team/add/").status_code == 200
    page = client.get(f"/admin/people/user/{staff_member.pk}/change/").content.decode()
    assert 'name="is_moderator"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_the_qa_team_cannot_delete_staff_records(client):
    client.force_login(QualityFactory())
    assert client.get(f"/admin/people/user/{AuditorFactory().pk}/delete/").status_code == 403


def test_other_roles_cannot_open_the_admin(client):
    for factory in (AuditorFactory, ModeratorFactory, ManagerFactory):
        client.force_login(factory())
        response = client.get("/admin/people/team/")
        assert response.status_code == 302
        assert "/admin/login/" in response.url
