import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash "demo" for every user; the default hasher would make that the slowest part of these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
