"""moderation's answers to the audits app's hooks (audits/hooks.py), connected in ModerationConfig.ready()."""

from audits.models import Audit
from moderation.services import moderation_consider


def consider_for_sample(*, audit: Audit, **kwargs) -> None:
    """A submitted audit may be sampled for moderation (`moderation_consider` holds the rules)."""
    moderation_consider(audit=audit)
