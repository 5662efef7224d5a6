"""Report tests run the PDF job inline, where it can be awaited; the browser tests turn the background thread on."""

import pytest


@pytest.fixture(autouse=True)
def _report_pdf_inline(settings):
    settings.REPORT_PDF_THREAD = False
