"""Formats for en-GB, looked up before Django's own en_GB module (which supplies everything not set here).

Date inputs: ISO first, because Django renders a date widget's value with the first input format and
`<input type="date">` reads only YYYY-MM-DD; typed UK dates are still accepted where a browser shows a
plain text box. Display: the formats in settings.py, which Django's en_GB module would otherwise
override (its SHORT_DATE_FORMAT is 25/10/2006 and its times read "2:30 p.m.").
"""

from django.conf import settings

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2027-01-15: the value of every <input type="date">, and what browsers send
    "%d/%m/%Y",  # 15/01/2027
    "%d/%m/%y",  # 15/01/27
]

DATE_FORMAT = settings.DATE_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
