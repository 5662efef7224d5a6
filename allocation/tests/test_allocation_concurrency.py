"""Two QA officers confirming the same month at the same moment create one set of allocations."""

import threading
import time

import pytest
from django.db import connection, connections

from allocation import services
from allocation.models import MonthPlan
from allocation.services import AllocationError, month_plan_confirm
from allocation.tests.factories import MonthPlanFactory, ProposedAllocationFactory
from audits.models import Audit
from people.tests.factories import QualityFactory


def _wait_until_another_transaction_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """True once PostgreSQL shows a lock request not yet granted: the other officer is blocked behind us."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL row locks and concurrent connections; SQLite serialises every writer, so two "
    "threads cannot overlap there. CI runs this on PostgreSQL.",
)
def test_two_officers_confirming_at_once_create_one_set(monkeypatch):
    plan = MonthPlanFactory()
    for _ in range(5):
        ProposedAllocationFactory(plan=plan)
    officers = [QualityFactory(), QualityFactory()]
    overlapped = []
    real_bulk_create = services.bulk_create_with_history

    def bulk_create_while_the_other_officer_waits(*args, **kwargs):
        # The winner holds the plan row's lock here; prove the loser is queued behind it before going on.
        overlapped.append(_wait_until_another_transaction_waits_for_a_lock())
        return real_bulk_create(*args, **kwargs)

    monkeypatch.setattr(services, "bulk_create_with_history", bulk_create_while_the_other_officer_waits)
    start = threading.Barrier(2)
    outcomes = []

    def confirm(officer):
        try:
            start.wait()
            # Each officer's page loaded the plan while it was still a draft.
            month_plan_confirm(plan=MonthPlan.objects.get(pk=plan.pk), by=officer)
            outcomes.append("confirmed")
        except AllocationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert overlapped == [True]
    assert sorted(outcomes) == ["The allocation for December 2026 is already confirmed.", "confirmed"]
    assert Audit.objects.filter(plan=plan).count() == 5
    assert MonthPlan.objects.get(pk=plan.pk).status == MonthPlan.Status.CONFIRMED
