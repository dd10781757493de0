"""Template tags of the live screens.

- `{% live_id "table_head" table=table.pk %}`: an element's id as the live contract declares
  it (workshop.live.pieces), so that templates, fragments and scripts agree on it.
- `{% icon_uri %}`: the app's icon as a data: URI, so that a phone's first visit asks for one
  file fewer.
- `{% live_url "participants:vote" workshop.code takeaway.pk %}`: `{% url %}` for the links
  of cards and table headers, which a wall repeats hundreds of times: each pattern is reversed
  once, then filled in (a reverse() costs ~80 µs; a wall of 100 cards had 300 of them).
- `{{ value|as_json }}`: a value as JSON for a data- attribute, which a script reads.
"""

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse

from workshop.live.pieces import BY_NAME

register = template.Library()

# Stand-ins for the arguments, which any of our URL converters accepts (int, str, slug).
_FIRST_STAND_IN = 987_654_321_000


@register.filter
def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # escaped as any attribute's value


@register.simple_tag
def live_id(name: str, table=None, takeaway=None) -> str:
    return BY_NAME[name].id_for(table=table, takeaway=takeaway)


@register.simple_tag
@lru_cache(maxsize=1)
def icon_uri() -> str:
    svg = (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().strip()
    return "data:image/svg+xml," + quote(svg, safe=" =:/\"'")


@register.simple_tag
def live_url(viewname: str, *args) -> str:
    pattern = _pattern(viewname, len(args), get_script_prefix())
    return pattern.format(*(quote(str(arg), safe="") for arg in args))


@lru_cache(maxsize=256)
def _pattern(viewname: str, arity: int, script_prefix: str) -> str:
    stand_ins = [str(_FIRST_STAND_IN + n) for n in range(arity)]
    url = reverse(viewname, args=stand_ins).replace("{", "{{").replace("}", "}}")
    for n, stand_in in enumerate(stand_ins):
        url = url.replace(stand_in, f"{{{n}}}")
    return url
