"""Allocation, exemptions and the month's returns. Included under /audits/, where these pages always were."""

from django.urls import path

from allocation import cohort_views, views

app_name = "allocation"

urlpatterns = [
    path("allocation/", views.AllocationIndexView.as_view(), name="index"),
    path("allocation/<month:month>/", views.AllocationMonthView.as_view(), name="month"),
    path("allocation/<month:month>/propose/", views.AllocationProposeView.as_view(), name="propose"),
    path("allocation/<month:month>/add/", views.ProposalAddView.as_view(), name="add"),
    path("allocation/<month:month>/lines/<int:pk>/", views.ProposalLineView.as_view(), name="line"),
    path("allocation/<month:month>/lines/<int:pk>/remove/", views.ProposalRemoveView.as_view(), name="line_remove"),
    path("allocation/<month:month>/confirm/", views.AllocationConfirmView.as_view(), name="confirm"),
    path("exemptions/", views.ExemptionListView.as_view(), name="exemption_list"),
    path("exemptions/new/", views.ExemptionGrantView.as_view(), name="exemption_grant"),
    path("exemptions/<int:pk>/withdraw/", views.ExemptionWithdrawView.as_view(), name="exemption_withdraw"),
    path("returns/", views.MonthReturnsView.as_view(), name="returns"),
    path("returns/remind/<int:pk>/", views.ReturnReminderView.as_view(), name="returns_remind"),
]

# Themed audits, dip samples and practice weeks: a programme's cohort, sample and allocation (issue 13).
urlpatterns += [
    path("programmes/<slug:slug>/cohort/", cohort_views.CohortView.as_view(), name="cohort"),
    path("programmes/<slug:slug>/cohort/rules/", cohort_views.CohortRulesView.as_view(), name="cohort_rules"),
    path("programmes/<slug:slug>/cohort/sample/", cohort_views.CohortSampleView.as_view(), name="cohort_sample"),
    path("programmes/<slug:slug>/cohort/add/", cohort_views.CohortLineAddView.as_view(), name="cohort_add"),
    path("programmes/<slug:slug>/cohort/confirm/", cohort_views.CohortConfirmView.as_view(), name="cohort_confirm"),
    path("programmes/<slug:slug>/cohort/lines/<int:pk>/", cohort_views.SampleLineView.as_view(), name="cohort_line"),
    path(
        "programmes/<slug:slug>/cohort/lines/<int:pk>/remove/",
        cohort_views.SampleLineRemoveView.as_view(),
        name="cohort_line_remove",
    ),
    path("programmes/<slug:slug>/week/", cohort_views.PracticeWeekView.as_view(), name="practice_week"),
]
