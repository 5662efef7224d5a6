"""Links to a programme's pages: the monthly audit's template pages keep their addresses without a slug."""

from django import template
from django.urls import reverse

from common.markup import markup_html

register = template.Library()


@register.simple_tag
def template_url(name: str, programme, number: int | None = None) -> str:
    kwargs = {} if programme is None or programme.is_monthly else {"programme": programme.slug}
    if number is not None:
        kwargs["number"] = number
    return reverse(f"audits:{name}", kwargs=kwargs)


@register.filter
def as_markup(text: str):
    """Text the QA team wrote (Markdown), as sanitised HTML."""
    return markup_html(text or "")
