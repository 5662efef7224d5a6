# The project's own top-level packages (as in .importlinter's root_packages).
PROJECT_PACKAGES = (
    "common",
    "people",
    "caseload",
    "audits",
    "allocation",
    "moderation",
    "actions",
    "imports",
    "reports",
    "demo",
    "qa_portal",
)
