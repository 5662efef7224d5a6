"""The doors the audits app opens for the apps above it (moderation, actions).

audits sits below moderation and actions (.importlinter), so it never imports them. Where a step
of the audit reaches into their rules (a submitted audit may be sampled for moderation; a final
grade may raise a Child of Concern; the audit form edits the audit's action rows), audits sends one
of these signals and the higher app's receiver does the work. Each receiver is connected in its
app's `AppConfig.ready()` (`moderation/apps.py`, `actions/apps.py`), so grepping for a hook's name
finds both ends. Receivers run synchronously inside the sender's transaction, and an exception in
one propagates to the caller (`Signal.send`, not `send_robust`): behaviour is the same as a direct
call.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `audits.completion.audit_submit` inside its transaction, after the audit is saved as
# submitted and before its final grade is set. Arguments: audit. Receiver: moderation's sampling.
audit_submitted = Signal()

# Sent by `audits.grading.audit_set_final_grade` every time it runs (the grade may be unchanged:
# an immediate concern still counts once the audit is returned). Arguments: audit, previous_grade.
# Receiver: the Child of Concern rule in actions.
final_grade_set = Signal()

# Sent by the audit form's save (`audits.completion`) with the action rows typed on the form.
# Arguments: audit, rows (list of `audits.completion.ActionInput`), by, reason, now. The one
# receiver (actions) writes them and returns (action_ids, pending): form row -> saved Action id
# (None: removed, blank or still pending), and the incomplete rows kept on the audit as drafts.
audit_form_actions_save = Signal()

# Sent by `audits.completion_selectors.audit_history`. Arguments: audit. Each receiver returns a
# `HistorySource` (audits.completion_selectors) with its rows' history for the audit's timeline.
audit_history_sources = Signal()


def single_response(signal: Signal, **kwargs):
    """Send a hook that exactly one receiver must answer, and return its answer."""
    responses = signal.send(sender=None, **kwargs)
    if len(responses) != 1:
        raise RuntimeError(f"Expected one receiver for this hook, found {len(responses)}.")
    return responses[0][1]
