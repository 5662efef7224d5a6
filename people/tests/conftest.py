"""A real OpenID Connect provider for the single sign-on tests, and a browser-like client for its pages.

`oidc_provider` starts `people/tests/oidc_provider` (django-oauth-toolkit, RS256, a JWKS endpoint) once per test
process, on a port the operating system picks, so pytest-xdist workers each have their own without a race.
"""

import base64
import hashlib
import http.server
import json
import secrets
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from people.oidc import BACKEND_PATH
from people.tests.oidc_provider import directory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_START_TIMEOUT = 60


@dataclass(frozen=True)
class Provider:
    base_url: str
    log_file: Path

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.base_url}/o/authorize/"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/o/token/"

    @property
    def jwks_endpoint(self) -> str:
        return f"{self.base_url}/o/.well-known/jwks.json"

    @property
    def logout_endpoint(self) -> str:
        return f"{self.base_url}/o/logout/"

    def portal_settings(self) -> dict:
        """The portal's OIDC_* settings for this provider, as a council would set them for Entra."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": directory.PORTAL_CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": directory.PORTAL_CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.authorization_endpoint,
            "OIDC_OP_TOKEN_ENDPOINT": self.token_endpoint,
            "OIDC_OP_JWKS_ENDPOINT": self.jwks_endpoint,
            "OIDC_OP_LOGOUT_ENDPOINT": "",
        }


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc_provider")
    log_file = folder / "provider.log"
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "people.tests.oidc_provider.serve", str(folder / "provider.sqlite3")],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        port = _wait_for_port(process, log_file)
        yield Provider(base_url=f"http://127.0.0.1:{port}", log_file=log_file)
    finally:
        process.stdin.close()  # the provider stops when its standard input closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(process: subprocess.Popen, log_file: Path) -> int:
    deadline = time.monotonic() + PROVIDER_START_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"The test OpenID Connect provider stopped while starting:\n{log_file.read_text()}")
        if line.startswith("LISTENING "):
            return int(line.split()[1])
    process.kill()
    pytest.fail(
        f"The test OpenID Connect provider did not start in {PROVIDER_START_TIMEOUT} s:\n{log_file.read_text()}"
    )


@pytest.fixture
def single_sign_on(settings, oidc_provider):
    """Single sign-on switched on in the portal, against the test provider."""
    for name, value in oidc_provider.portal_settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND_PATH]
    return oidc_provider


class ProviderBrowser:
    """A person's browser at the provider: its own cookies, its login form, its redirects."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.session = requests.Session()

    def authorize(self, authorization_url: str, username: str | None = None) -> str:
        """Follow an authorisation request, signing in as `username` if the provider asks; return the address the
        provider sends the browser back to (the application's redirect URI, with `code` and `state`)."""
        outcome = self._follow(self.session.get(authorization_url, allow_redirects=False, timeout=30))
        if isinstance(outcome, str):
            return outcome
        assert 'name="password"' in outcome.text, f"Expected the provider's sign-in page, got:\n{outcome.text}"
        assert username, "The provider asked for an account"
        outcome = self._follow(
            self.session.post(
                outcome.url,
                data={
                    "username": username,
                    "password": directory.PASSWORD,
                    "csrfmiddlewaretoken": self.session.cookies["provider_csrftoken"],
                },
                allow_redirects=False,
                timeout=30,
            )
        )
        assert isinstance(outcome, str), f"The provider did not send the browser back:\n{outcome.text}"
        return outcome

    def _follow(self, response: requests.Response) -> requests.Response | str:
        """Follow redirects within the provider; return the first address outside it, or the final page."""
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.provider.base_url + "/"):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=30)
        return response

    def get(self, url: str) -> requests.Response | str:
        return self._follow(self.session.get(url, allow_redirects=False, timeout=30))

    def id_token_for_another_application(self, username: str, *, nonce: str) -> str:
        """A genuine ID token the provider issued to another of the council's applications (a different audience),
        carrying the given nonce."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": directory.OTHER_CLIENT_ID,
                "redirect_uri": directory.OTHER_REDIRECT_URI,
                "scope": "openid email profile",
                "state": secrets.token_urlsafe(16),
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        back = self.authorize(f"{self.provider.authorization_endpoint}?{query}", username)
        code = parse_qs(urlsplit(back).query)["code"][0]
        response = requests.post(
            self.provider.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": directory.OTHER_REDIRECT_URI,
                "client_id": directory.OTHER_CLIENT_ID,
                "client_secret": directory.OTHER_CLIENT_SECRET,
                "code_verifier": verifier,
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["id_token"]


@pytest.fixture
def provider_browser(oidc_provider):
    browser = ProviderBrowser(oidc_provider)
    yield browser
    browser.session.close()


class TokenEndpointInterceptor:
    """A man in the middle of the portal's call to the token endpoint: it passes the call on to the real provider
    and lets a test change the answer (`rewrite`), as an attacker who could would."""

    def __init__(self, token_endpoint: str):
        self.token_endpoint = token_endpoint
        self.rewrite = None
        self.answers: list[dict] = []
        interceptor = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (the standard library's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                upstream = requests.post(
                    interceptor.token_endpoint,
                    data=body,
                    headers={"Content-Type": self.headers["Content-Type"]},
                    timeout=30,
                )
                answer = upstream.json()
                interceptor.answers.append(dict(answer))
                if interceptor.rewrite and upstream.status_code == 200:
                    answer = interceptor.rewrite(answer)
                payload = json.dumps(answer).encode()
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def token_interceptor(single_sign_on, settings):
    """The portal's token requests go through a `TokenEndpointInterceptor` in front of the test provider."""
    interceptor = TokenEndpointInterceptor(single_sign_on.token_endpoint)
    settings.OIDC_OP_TOKEN_ENDPOINT = interceptor.url
    yield interceptor
    interceptor.close()
