"""The report cache: a report's figures and charts computed once per scope, period and as-of day, and reused
until the data that feeds them changes.

Entries are keyed by the data version (common/data_version.py): any write to the data a report reads moves it
on, so every cached report becomes unreachable at once and the next view recomputes from the database. Model
writes move it through the signals connected here (by `ReportsConfig.ready`); bulk writes, which send no
signals, call `data_version_bump()` themselves. `cached` (common/versioned_cache.py) keeps the values.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from audits.selectors import ReportScope
from common.data_version import data_version, data_version_bump
from common.versioned_cache import cached

logger = logging.getLogger(__name__)

# The apps whose rows a report reads: audits (grades, themes, send-backs, templates), moderation, actions and
# Children of Concern, allocation (exemptions and plans feed the returns table), the caseload (legal status,
# teams) and people (teams, service areas, names). Imports write through these models.
FEEDING_APPS = frozenset({"audits", "moderation", "actions", "allocation", "caseload", "people"})
# The reports' own rows that a report shows: the QA team's targets (the words and the charts' target lines).
FEEDING_MODELS = frozenset({"reports.ReportTargets"})
# Saves that change nothing a report shows: a sign-in stamps the user's last_login.
IGNORED_FIELDS = frozenset({"last_login"})


def _feeds_reports(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    # A history row (django-simple-history) is written beside a save of its model, which bumps already.
    return (
        meta is not None
        and (meta.app_label in FEEDING_APPS or meta.label in FEEDING_MODELS)
        and not hasattr(sender, "instance_type")
    )


def _on_save(sender, update_fields=None, raw=False, **kwargs) -> None:
    if _feeds_reports(sender) and not (update_fields and set(update_fields) <= IGNORED_FIELDS):
        data_version_bump(kwargs.get("using"))


def _on_delete(sender, **kwargs) -> None:
    if _feeds_reports(sender):
        data_version_bump(kwargs.get("using"))


def _on_m2m(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and (
        _feeds_reports(sender) or _feeds_reports(kwargs["model"])
    ):
        data_version_bump(kwargs.get("using"))


def connect_receivers() -> None:
    post_save.connect(_on_save, dispatch_uid="reports.cache.save")
    post_delete.connect(_on_delete, dispatch_uid="reports.cache.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="reports.cache.m2m")


def scope_key(scope: ReportScope | None) -> str:
    if scope is None:
        return "every"
    programme = "monthly" if scope.is_monthly else (scope.programme.pk if scope.programme else "all")
    area = scope.service_area.pk if scope.service_area else "all"
    return f"{programme}.{area}"


def version_token() -> str:
    """The data version for an address that must change with the data (a chart's): while the cache is down,
    a token used once, so nothing the browser kept is ever taken for the current picture."""
    try:
        return str(data_version())
    except Exception:  # noqa: BLE001
        logger.warning("The cache cannot be read: the charts get addresses of their own.", exc_info=True)
        return f"t{time.time_ns()}"


__all__ = ["cached", "connect_receivers", "scope_key", "version_token"]
