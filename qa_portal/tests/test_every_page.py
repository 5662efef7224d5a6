"""Every route in the product, as every role and signed out: sign-in always required, and never a 500.

A guessed or hand-made URL (someone else's id, an id that does not exist, a POST with nothing in it) must
give a page, a redirect, 403, 404 or 405: a server error would mean an unguarded path through a view.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from people.models import User

ARGUMENTS = {
    "month": ["2026-10", "2026-12"],
    "int": ["1", "7", "999999"],
    "slug": ["audits", "actions", "nothing"],
}
# The reports app addresses a month as <year>/<month>.
NAMED_INTS = {"year": ["2026"], "month": ["10", "13"]}
GET_OK = {200, 302, 403, 404, 405}
POST_OK = {200, 302, 400, 403, 404, 405, 409}


def _routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return [r for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")]


def _concrete_paths(route: str) -> list[str]:
    paths = ["/" + route]
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        converter, name = match.group(1) or "str", match.group(2)
        values = NAMED_INTS.get(name) if converter == "int" and name in NAMED_INTS else ARGUMENTS.get(converter, ["x"])
        paths = [p.replace(match.group(0), v, 1) for p in paths for v in values]
    return paths


ALL_PATHS = sorted({path for route in _routes() for path in _concrete_paths(route)})


@pytest.mark.django_db
def test_every_page_sends_a_signed_out_visitor_to_sign_in():
    client = Client(raise_request_exception=False)
    for path in ALL_PATHS:
        if path.startswith("/accounts/login/"):
            continue
        response = client.get(path)
        assert response.status_code in (302, 405), f"{path} answered {response.status_code} to a signed-out visitor"
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/"), f"{path} redirected to {response.url}"


@pytest.mark.django_db
def test_no_route_fails_with_a_server_error_for_any_role():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)
    nobody = User.objects.create_user("nobody", password="demo")
    problems = []
    for username in ["quality", "auditor", "moderator", "manager", nobody.username]:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for path in ALL_PATHS:
            if path.startswith("/accounts/logout"):
                continue
            status = client.get(path).status_code
            if status not in GET_OK:
                problems.append(f"GET {path} as {username}: {status}")
            status = client.post(path, {}).status_code
            if status not in POST_OK:
                problems.append(f"POST {path} as {username}: {status}")
    assert not problems, "\n".join(problems)
