"""Production settings refuse to start without what production needs, as they do for the secret key.

Each case imports the settings module in a fresh interpreter with its own environment, as
gunicorn would at start-up.
"""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50}


def _import_settings(**environment: str) -> subprocess.CompletedProcess:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "EMAIL_"))}
    return subprocess.run(
        [sys.executable, "-c", "import qa_portal.settings"],
        cwd=settings.BASE_DIR,
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_email_url_refuses_to_start():
    """Otherwise e-mails with child references and concern text would go to the console, i.e. the logs."""
    result = _import_settings(**PRODUCTION)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "EMAIL_URL" in result.stderr


def test_production_with_email_url_starts():
    result = _import_settings(**PRODUCTION, EMAIL_URL="smtp://localhost:25")
    assert result.returncode == 0, result.stderr


def test_development_prints_e_mail_to_the_console_without_email_url():
    result = _import_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
