"""Lock-out by address behind the TLS proxy: every request reaches the app from the proxy's address,
so the client's own address must come from the X-Forwarded-For entry the trusted proxy wrote."""

import pytest
from django.test import Client
from django.urls import reverse

from people.tests.factories import UserFactory
from qa_portal.proxies import client_ip_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _behind_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1


def _guess(client: Client, count: int) -> None:
    for n in range(count):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"})


def _signs_in(client: Client, username: str) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": "demo"})
    return response.status_code == 302


def test_an_address_guessing_passwords_is_locked_out_and_another_behind_the_same_proxy_is_not(lockout):
    UserFactory(username="alice")
    UserFactory(username="bob")
    guesser = _behind_proxy("198.51.100.7")
    colleague = _behind_proxy("203.0.113.20")
    _guess(guesser, 3)
    assert guesser.post(reverse("login"), {"username": "alice", "password": "demo"}).status_code == 429
    assert _signs_in(colleague, "bob")


def test_a_made_up_forwarded_for_entry_does_not_escape_the_lock_out(lockout):
    """The client can send its own X-Forwarded-For; the proxy appends the real address after it."""
    UserFactory(username="alice")
    _guess(_behind_proxy("1.1.1.1, 198.51.100.7"), 3)
    assert not _signs_in(_behind_proxy("2.2.2.2, 198.51.100.7"), "alice")


def test_without_a_trusted_proxy_the_header_is_ignored(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip_address(request) == "192.0.2.1"


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.1")
    assert client_ip_address(request) == "198.51.100.7"
    # Straight to the app, past the proxies: only the connection's address can be trusted.
    assert client_ip_address(rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "192.0.2.1"
