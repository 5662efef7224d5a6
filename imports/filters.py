"""The import history's sort (django-filter)."""

from common.listing import ListFilterSet, SortFilter
from imports.models import ImportRun


class ImportRunSort(ListFilterSet):
    """The import history's column headers (common.listing): newest upload first by default."""

    sort = SortFilter(
        fields=(("created_at", "uploaded"), ("by__last_name", "by"), ("status", "status"), ("rows_total", "rows")),
        default="-uploaded",
        descending_first=("uploaded", "rows"),
    )

    class Meta:
        model = ImportRun
        fields: list[str] = []
