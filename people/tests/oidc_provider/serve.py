"""Run the test OpenID Connect provider: `python -m people.tests.oidc_provider.serve DATABASE_FILE`.

Makes a fresh signing key, creates the SQLite database with the directory's accounts and the registered
applications, listens on a free loopback port and prints `LISTENING <port>` once it accepts connections.
The operating system chooses the port, so several test processes (pytest-xdist workers) each run their own
provider without racing for one. The provider stops when its standard input closes, so it never outlives
the test process that started it, even one that was killed.
"""

import os
import secrets
import sys
import threading


def _signing_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _create_directory() -> None:
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    from people.tests.oidc_provider import directory

    for account in directory.ACCOUNTS.values():
        User.objects.create_user(
            account.username,
            email=account.email,
            password=directory.PASSWORD,
            first_name=account.given_name,
            last_name=account.family_name,
        )
    common = {
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
    }
    Application.objects.create(
        name="QA Portal",
        client_id=directory.PORTAL_CLIENT_ID,
        client_secret=directory.PORTAL_CLIENT_SECRET,
        redirect_uris=" ".join(directory.PORTAL_REDIRECT_URIS),
        post_logout_redirect_uris=" ".join(directory.PORTAL_POST_LOGOUT_REDIRECT_URIS),
        **common,
    )
    Application.objects.create(
        name="Council intranet",
        client_id=directory.OTHER_CLIENT_ID,
        client_secret=directory.OTHER_CLIENT_SECRET,
        redirect_uris=directory.OTHER_REDIRECT_URI,
        **common,
    )


def _stop_when_parent_goes() -> None:
    sys.stdin.read()
    os._exit(0)


def main(database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "people.tests.oidc_provider.settings"
    os.environ["OIDC_TEST_PROVIDER_DATABASE"] = database
    os.environ["OIDC_TEST_PROVIDER_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["OIDC_TEST_PROVIDER_RSA_KEY"] = _signing_key_pem()

    import django
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    _create_directory()

    class QuietRequestHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002  (the standard library's signature)
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietRequestHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=_stop_when_parent_goes, daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
