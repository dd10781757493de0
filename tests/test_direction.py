"""Participants' and facilitators' words keep their own direction on every screen.

An Arabic name, a Hebrew table name and an Arabic takeaway each sit alone in an element that
sets its direction from its own text (dir="auto", or <bdi>): a right-to-left takeaway aligns
right with its question mark at its end, and a name inside an English sentence neither reverses
the words around it nor takes a comma to the wrong side.
"""

import uuid
from html.parser import HTMLParser

import pytest

from tests.conftest import as_phone
from workshop import agenda_templates, services

pytestmark = pytest.mark.django_db

TITLE = "ورشة القيادة"  # "Leadership workshop"
NAME = "ليلى"  # Layla
TABLE = "שולחן הצפון"  # "The north table"
TAKEAWAY = "هل نستمع أكثر مما نتكلم؟"  # "Do we listen more than we talk?"
FACILITATOR = "يوسف"  # Youssef

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    @property
    def isolates(self) -> bool:
        return self.tag == "bdi" or self.attrs.get("dir") == "auto"

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class Tree(HTMLParser):
    """The page as elements and text, forgiving of end tags HTML lets a page leave out."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#document", {}, None)
        self.texts = []  # (text, its element)
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        node = self.node
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.node = node.parent

    def handle_data(self, data):
        self.node.children.append(data)
        self.texts.append((data, self.node))


def nearest_isolate(node):
    while node is not None and not node.isolates:
        node = node.parent
    return node


def ancestors(node):
    while node is not None:
        yield node.tag
        node = node.parent


def assert_isolated(markup: str, *texts: str):
    """Each text shows at least once, and wherever it shows, alone in an isolating element."""
    tree = Tree(markup)
    for wanted in texts:
        seen = 0
        for data, node in tree.texts:
            if wanted not in data or {"title", "script", "style"} & set(ancestors(node)):
                continue  # a <title> shows no markup: nothing there can isolate
            seen += 1
            isolate = nearest_isolate(node)
            where = f"{wanted!r} in <{node.tag} {node.attrs}>"
            assert isolate is not None, f"{where} has no dir=auto or <bdi> around it"
            assert " ".join(isolate.text().split()) == wanted, (
                f"{where}: its isolating <{isolate.tag}> holds more than it: {isolate.text()!r}"
            )
        assert seen, f"{wanted!r} is not on the page"


@pytest.fixture
def room(facilitator):
    services.set_profile(facilitator, display_name=FACILITATOR, organisation="")
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    workshop = services.create_workshop(facilitator, TITLE, 2, agenda=agenda)
    first, second = workshop.tables.order_by("number")
    table = services.rename_table(facilitator, first, TABLE)
    layla = services.join(workshop, table, NAME)
    quinn = services.join(workshop, table, "Quinn")
    services.join(workshop, second, "Rosa")
    return workshop, layla, quinn


def go_to(facilitator, workshop, kind):
    workshop.refresh_from_db()
    activity = workshop.activities.get(kind=kind)
    services.go_to_activity(facilitator, workshop, activity, workshop.current_activity_id)
    return activity


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_names_of_those_still_writing_keep_their_direction_on_the_console(
    client, facilitator, room
):
    workshop, _layla, _quinn = room
    go_to(facilitator, workshop, "solo")
    client.force_login(facilitator)
    console = page(client, f"/f/w/{workshop.pk}/")
    assert_isolated(console, TITLE, NAME, TABLE)


def test_a_takeaway_its_author_and_table_keep_their_direction_on_every_screen(
    client, facilitator, room
):
    workshop, layla, _quinn = room
    go_to(facilitator, workshop, "discussion")
    services.post_takeaway(layla, TAKEAWAY, uuid.uuid4())

    projector = page(client, f"/p/{workshop.projector_key}/")
    assert_isolated(projector, TITLE, NAME, TABLE, TAKEAWAY)

    client.force_login(facilitator)
    assert_isolated(page(client, f"/f/w/{workshop.pk}/"), TITLE, NAME, TABLE, TAKEAWAY)
    assert_isolated(page(client, f"/f/w/{workshop.pk}/report/"), TITLE, NAME, TABLE, TAKEAWAY)
    assert_isolated(page(client, f"/f/w/{workshop.pk}/agenda/"), TITLE)
    assert_isolated(page(client, f"/f/w/{workshop.pk}/cards/"), TITLE, TABLE)
    client.logout()

    phone = as_phone(client, layla)
    board = page(phone, f"/w/{workshop.code}/")
    assert_isolated(board, TITLE, NAME, TABLE, TAKEAWAY)
    assert fields(board)["text"] == "auto"  # the composer
    assert_isolated(page(phone, f"/w/{workshop.code}/notes/"), TITLE, NAME, TABLE, TAKEAWAY)


def test_the_spotlight_and_the_closing_screen_keep_their_direction(client, facilitator, room):
    workshop, layla, _quinn = room
    go_to(facilitator, workshop, "discussion")
    takeaway = services.post_takeaway(layla, TAKEAWAY, uuid.uuid4())
    go_to(facilitator, workshop, "shareout")
    workshop.refresh_from_db()
    services.set_spotlight(facilitator, workshop, takeaway)

    assert_isolated(page(client, f"/p/{workshop.projector_key}/"), NAME, TABLE, TAKEAWAY)
    client.force_login(facilitator)
    assert_isolated(page(client, f"/f/w/{workshop.pk}/"), NAME, TABLE, TAKEAWAY)

    workshop.refresh_from_db()
    services.set_workshop_open(facilitator, workshop, False)
    assert_isolated(page(client, f"/p/{workshop.projector_key}/"), TITLE, FACILITATOR)


def fields(markup: str) -> dict:
    """Each visible text field of the page: its name and its dir."""
    tree = Tree(markup)
    found, todo = {}, [tree.root]
    while todo:
        node = todo.pop()
        todo += [child for child in node.children if isinstance(child, Node)]
        kind = node.attrs.get("type", "text")
        if node.tag == "textarea" or (node.tag == "input" and kind == "text"):
            found[node.attrs.get("name")] = node.attrs.get("dir")
    return found


def test_the_fields_people_write_in_follow_the_direction_of_what_they_type(
    client, facilitator, room
):
    workshop, _layla, _quinn = room
    solo = workshop.activities.get(kind="solo")
    client.force_login(facilitator)
    editor = fields(page(client, f"/f/w/{workshop.pk}/agenda/{solo.pk}/"))
    assert {editor[name] for name in ("title", "instructions", "steps-0-prompt")} == {"auto"}
    assert set(fields(page(client, f"/f/w/{workshop.pk}/tables/")).values()) == {"auto"}
    assert set(fields(page(client, "/f/profile/")).values()) == {"auto"}
    assert fields(page(client, "/f/"))["title"] == "auto"
    client.logout()
    assert fields(page(client, f"/j/{workshop.code}/"))["name"] == "auto"


def test_a_name_in_a_sentence_is_isolated_and_the_sentence_keeps_its_words():
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n bidi %}<p>{% blocktranslate with name=name|bdi %}Remove {{ name }}"
        "{% endblocktranslate %}</p>{% if empty|bdi %}shown{% endif %}"
    )
    html = template.render({"name": "<b>ليلى</b>", "empty": ""})
    assert html == "<p>Remove <bdi>&lt;b&gt;ليلى&lt;/b&gt;</bdi></p>"
