import datetime

import pytest
from django.contrib.sessions.models import Session
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


def test_idle_sessions_expire_counting_from_the_last_page_with_one_write_a_minute(
    client, time_machine, django_assert_max_num_queries
):
    """Each page pushes the idle expiry forward, but writes the session at most once a minute; 30 minutes
    without a page signs the user out."""
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(start, tick=False)
    client.force_login(AuditorFactory())
    home = reverse("home")

    def session_writes() -> list[str]:
        with django_assert_max_num_queries(100) as page:
            assert client.get(home).status_code == 200
        return [q["sql"] for q in page.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]

    def expiry() -> datetime.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    assert session_writes()  # the first page sets the refresh time
    assert expiry() == start + datetime.timedelta(minutes=30)
    time_machine.move_to(start + datetime.timedelta(seconds=40), tick=False)
    assert not session_writes()
    time_machine.move_to(start + datetime.timedelta(minutes=20), tick=False)
    assert session_writes()
    assert expiry() == start + datetime.timedelta(minutes=50)
    time_machine.move_to(start + datetime.timedelta(minutes=49), tick=False)
    assert client.get(home).status_code == 200  # still signed in: 29 minutes after the last refresh
    time_machine.move_to(start + datetime.timedelta(minutes=49 + 31), tick=False)
    response = client.get(home)
    assert response.status_code == 302 and reverse("login") in response["Location"]


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
