"""System check: the drop folder (IMPORT_DROP_DIR) holds children's case references and must never be served."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def drop_folder_not_served(app_configs, **kwargs):
    from imports.drop import drop_folder_conflict

    if not getattr(settings, "IMPORT_DROP_DIR", None):
        return []
    served = drop_folder_conflict(Path(settings.IMPORT_DROP_DIR))
    if served is None:
        return []
    return [
        Error(
            f"IMPORT_DROP_DIR must not be inside, or hold, a folder the site serves ({served}).",
            hint="Point IMPORT_DROP_DIR at the SFTP drop, outside MEDIA_ROOT and the static folders.",
            id="imports.E001",
        )
    ]
