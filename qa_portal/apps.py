from django.contrib.admin.apps import AdminConfig


class QAAdminConfig(AdminConfig):
    """The admin app with QA Portal's site, which the QA team may use (see qa_portal/admin_site.py)."""

    default_site = "qa_portal.admin_site.QAAdminSite"
