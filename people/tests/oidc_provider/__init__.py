"""A small OpenID Connect provider, for tests only: the council's identity service, as Microsoft Entra ID behaves.

It is django-oauth-toolkit's OpenID Connect support in its own Django project (its own settings module and
SQLite database), run as a separate process by the `oidc_provider` fixture in `people/tests/conftest.py`.
Like Entra, it signs ID tokens with RS256, publishes its keys at a JWKS endpoint, requires PKCE, sends the
`email` and `profile` claims and an Entra-style `roles` claim, and supports RP-initiated logout.
"""
