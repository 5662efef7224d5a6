"""Single sign-on and LOCAL_PASSWORDS settings, read from the environment at start-up as gunicorn would."""

import json
import os
import subprocess
import sys

from django.conf import settings

ENTRA = {
    "OIDC_RP_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.microsoftonline.com/tenant-id/oauth2/v2.0/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.microsoftonline.com/tenant-id/oauth2/v2.0/token",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.microsoftonline.com/tenant-id/discovery/v2.0/keys",
}
PRINT_SETTINGS = (
    "import json, qa_portal.settings as s; print(json.dumps({'enabled': s.OIDC_ENABLED, "
    "'backends': s.AUTHENTICATION_BACKENDS, 'form_action': [str(v) for v in "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']], 'passwords': s.LOCAL_PASSWORDS}))"
)


def _start(**environment: str) -> subprocess.CompletedProcess:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "OIDC_")) and name != "LOCAL_PASSWORDS"
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(**environment: str) -> dict:
    result = _start(**environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_single_sign_on_is_off_unless_configured():
    started = _settings()
    assert started["enabled"] is False
    assert "people.oidc.StaffListOIDCBackend" not in started["backends"]
    assert started["passwords"] == "all"


def test_a_client_id_turns_single_sign_on_on_and_every_other_value_is_then_required():
    started = _settings(**ENTRA)
    assert started["enabled"] is True
    assert started["backends"][-1] == "people.oidc.StaffListOIDCBackend"
    assert started["form_action"] == ["'self'"]

    incomplete = {**ENTRA, "OIDC_OP_ISSUER": "", "OIDC_OP_JWKS_ENDPOINT": ""}
    result = _start(**incomplete)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "OIDC_OP_ISSUER, OIDC_OP_JWKS_ENDPOINT" in result.stderr


def test_signing_out_at_the_provider_lets_the_sign_out_form_lead_there():
    started = _settings(
        **ENTRA, OIDC_OP_LOGOUT_ENDPOINT="https://login.microsoftonline.com/tenant-id/oauth2/v2.0/logout"
    )
    assert started["form_action"] == ["'self'", "https://login.microsoftonline.com"]


def test_passwords_for_superusers_only_need_single_sign_on_and_a_known_value():
    assert _settings(**ENTRA, LOCAL_PASSWORDS="superusers")["passwords"] == "superusers"

    without_single_sign_on = _start(LOCAL_PASSWORDS="superusers")
    assert without_single_sign_on.returncode != 0 and "needs single sign-on" in without_single_sign_on.stderr

    unknown = _start(**ENTRA, LOCAL_PASSWORDS="nobody")
    assert unknown.returncode != 0 and 'LOCAL_PASSWORDS must be "all" or "superusers"' in unknown.stderr
