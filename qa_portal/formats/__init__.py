"""The project's locale formats (FORMAT_MODULE_PATH): only what differs from Django's own en_GB.

Django renders a date widget's value with the first of DATE_INPUT_FORMATS. Django's en_GB list starts
with DD/MM/YYYY, which `<input type="date">` cannot read (it needs YYYY-MM-DD), so a saved date came
back blank. Here ISO comes first; typed UK dates are still accepted where a browser shows a text box.
"""
