"""User text inside a translated sentence keeps its own direction.

`{% blocktranslate with name=person.name|bdi %}` isolates the name in the page while the
message id stays "Remove %(name)s": translators never see markup, and an Arabic name in an
English sentence (or the reverse) neither reorders the words around it nor takes its
punctuation to the wrong end. Not for <title> or attributes, which cannot hold elements.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value):
    # Empty stays empty, so `{% if name %}` and `default` still see nothing to show.
    if value is None or value == "":
        return value
    return format_html("<bdi>{}</bdi>", value)
