"""The QA team keeps staff records in the admin, but never an account with more rights than their own.

Whoever can set an account's password can sign in as that account, so a Head of Quality who is
not a superuser must not reach a superuser's or a staff administrator's password, e-mail,
username or active flag, by the change form, the password form or a version in the history.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from people.admin import OUTRANKED_MESSAGE
from people.models import User
from people.tests.factories import AuditorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality_client(client):
    """The demo Head of Quality: QA role and `is_staff`, not a superuser."""
    client.force_login(QualityFactory(username="hoq", is_staff=True))
    return client


def _superuser():
    return UserFactory(username="root", email="root@example.org", is_superuser=True, is_staff=True)


def _staff_administrator():
    return UserFactory(username="admin2", email="admin2@example.org", is_staff=True)


def _permission_holder():
    user = UserFactory(username="perms", email="perms@example.org")
    user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    return user


def _change_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": "",
        "fte": "1.00",
        "audit_frequency": "monthly",
        "audits_per_month": "1",
        "is_active": "on",
    }
    data.update(changes)
    return data


def _unchanged(user: User) -> None:
    before = (user.username, user.email, user.is_active, user.password)
    user.refresh_from_db()
    assert (user.username, user.email, user.is_active, user.password) == before


@pytest.mark.parametrize("make_target", [_superuser, _staff_administrator, _permission_holder])
def test_the_qa_team_cannot_set_the_password_of_an_account_that_outranks_them(quality_client, make_target):
    target = make_target()
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    refused = quality_client.get(url)
    assert refused.status_code == 403
    # The page says why, in words for the QA team (not "ask the QA team to change your roles").
    assert "only someone with those rights can change it or its password" in refused.content.decode()
    assert "ask the QA team to change your roles" not in refused.content.decode()
    response = quality_client.post(
        url, {"password1": "Taken-over-2026!", "password2": "Taken-over-2026!", "usable_password": "true"}
    )
    assert response.status_code == 403
    _unchanged(target)
    assert not quality_client.login(username=target.username, password="Taken-over-2026!")


@pytest.mark.parametrize("make_target", [_superuser, _staff_administrator, _permission_holder])
def test_the_qa_team_sees_an_outranking_account_read_only_and_cannot_post_changes(quality_client, make_target):
    target = make_target()
    url = reverse("admin:people_user_change", args=[target.pk])
    page = quality_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="email"' not in content and 'name="username"' not in content and 'name="is_active"' not in content
    assert reverse("admin:auth_user_password_change", args=[target.pk]) not in content
    assert "Reset password" not in content
    assert "It is shown read-only." in content  # says why there is no Save button
    response = quality_client.post(url, _change_data(target, email="hoq@example.org", username="taken", is_active=""))
    assert response.status_code == 403
    _unchanged(target)


def test_the_qa_team_cannot_revert_an_outranking_account_through_its_history(quality_client):
    target = _superuser()
    target.email = "old@example.org"
    target.save()
    version = target.history.order_by("history_id").first()
    url = reverse("admin:people_user_simple_history", args=[target.pk, version.history_id])
    assert quality_client.get(url).status_code == 200
    response = quality_client.post(url, _change_data(target, email="hoq@example.org", is_active=""))
    assert response.status_code == 403
    _unchanged(target)


def test_the_qa_team_still_manages_ordinary_staff_and_their_passwords(quality_client):
    auditor = AuditorFactory(username="aud")
    response = quality_client.post(
        reverse("admin:people_user_change", args=[auditor.pk]),
        _change_data(auditor, email="new@example.org", is_moderator="on"),
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.email == "new@example.org" and auditor.is_moderator
    response = quality_client.post(
        reverse("admin:auth_user_password_change", args=[auditor.pk]),
        {"password1": "Fresh-start-2026!", "password2": "Fresh-start-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password("Fresh-start-2026!")


def test_a_superuser_still_manages_staff_administrators(client):
    client.force_login(_superuser())
    target = _staff_administrator()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Fresh-start-2026!", "password2": "Fresh-start-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Fresh-start-2026!")


def test_staff_without_the_qa_role_cannot_hand_the_qa_role_out(client):
    staff = UserFactory(username="clerk", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    auditor = AuditorFactory(username="aud")
    client.force_login(staff)
    client.post(reverse("admin:people_user_change", args=[auditor.pk]), _change_data(auditor, is_quality="on"))
    auditor.refresh_from_db()
    assert not auditor.is_quality
    qa_member = QualityFactory(username="qa2")
    response = client.post(reverse("admin:people_user_change", args=[qa_member.pk]), _change_data(qa_member))
    assert response.status_code == 403


def test_a_version_address_that_is_not_a_number_is_not_found(quality_client):
    """The password button on a version page links to `../password/`, i.e. `<id>/history/password/`."""
    auditor = AuditorFactory(username="aud")
    response = quality_client.get(f"/admin/people/user/{auditor.pk}/history/password/")
    assert response.status_code == 404
    assert quality_client.post(f"/admin/people/user/{auditor.pk}/history/password/", {}).status_code == 404


@pytest.mark.parametrize("path", ["people/team", "caseload/child", "allocation/exemption", "moderation/moderation"])
def test_no_history_address_in_the_admin_fails_with_a_server_error(quality_client, path):
    response = quality_client.get(f"/admin/{path}/1/history/password/")
    assert response.status_code == 404


def test_the_password_button_on_a_past_version_leads_to_the_password_form(quality_client):
    auditor = AuditorFactory(username="aud")
    version = auditor.history.first()
    page = quality_client.get(reverse("admin:people_user_simple_history", args=[auditor.pk, version.history_id]))
    password_form = reverse("admin:auth_user_password_change", args=[auditor.pk])
    assert f'href="{password_form}"' in page.content.decode()
    assert quality_client.get(password_form).status_code == 200


def test_an_account_the_qa_team_may_change_shows_no_read_only_notice(quality_client):
    page = quality_client.get(reverse("admin:people_user_change", args=[AuditorFactory().pk])).content.decode()
    assert OUTRANKED_MESSAGE not in page
