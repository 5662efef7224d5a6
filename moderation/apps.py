from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self) -> None:
        # The audits app's hook (audits/hooks.py): audits sits below moderation and never imports it.
        from audits import hooks
        from moderation import receivers

        hooks.audit_submitted.connect(receivers.consider_for_sample, dispatch_uid="moderation.sample")
