"""`{% live_id "table_head" table=table.pk %}`: an element's id as the live contract declares it
(workshop.live.pieces), so that templates, fragments and scripts agree on it."""

from django import template

from workshop.live.pieces import BY_NAME

register = template.Library()


@register.simple_tag
def live_id(name: str, table=None, takeaway=None) -> str:
    return BY_NAME[name].id_for(table=table, takeaway=takeaway)
