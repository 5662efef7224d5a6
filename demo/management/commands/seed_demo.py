"""`manage.py seed_demo`: fill an empty development database with the demo authority (see demo/authority.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import authority


class Command(BaseCommand):
    help = (
        "Create a demo local authority (12 teams, 250 children, 40 staff, six months of audits) and the sign-ins "
        "quality, auditor, moderator and manager, each with the password 'demo'. Does nothing if the demo is "
        "already there or the database holds other data. Refuses to run unless DJANGO_DEBUG is true."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates sign-ins whose password is 'demo', so it only runs in development: "
                "it refuses when DJANGO_DEBUG is false."
            )
        if authority.demo_exists():
            self.stdout.write("Demo data already present: nothing changed.")
            return
        if authority.database_has_other_data():
            # `make run` calls this on every start; it must never mix demo people into a real authority's data.
            self.stdout.write("The database already holds teams, children or audits: demo data not added.")
            return
        started = time.monotonic()
        with transaction.atomic():
            counts = authority.build_demo(today=timezone.localdate())
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo authority created in {time.monotonic() - started:.1f} s. Sign in as quality, auditor, "
                "moderator or manager with the password 'demo'."
            )
        )
