from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo authority (`manage.py seed_demo`): no models of its own."""

    name = "demo"
    verbose_name = "Demo authority"
