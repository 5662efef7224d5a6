from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        # The audits app's hooks (audits/hooks.py): audits sits below actions and never imports it.
        from actions import receivers
        from audits import hooks

        hooks.final_grade_set.connect(receivers.raise_child_of_concern, dispatch_uid="actions.coc")
        hooks.audit_form_actions_save.connect(receivers.save_audit_form_actions, dispatch_uid="actions.form")
        hooks.audit_history_sources.connect(receivers.action_history_source, dispatch_uid="actions.history")
