from django.urls import path  # noqa: F401

app_name = "audits"

# Allocation, exemptions, practice-area templates (issue 1/6).
urlpatterns: list = []

# The audit form: completing, submitting, sending back (issue 2/6).
urlpatterns += []

# Importing a spreadsheet tracker (issue 5/6).
urlpatterns += []
