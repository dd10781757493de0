"""Right-to-left words in a left-to-right room, and a right-to-left page, as Chromium lays them
out: an Arabic takeaway reads from the right with its question mark at its end, a row of Latin,
Arabic and Hebrew names keeps its order, and a page turned right-to-left mirrors without
anything sticking out sideways."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import join, post, sign_in

pytestmark = pytest.mark.browser

NAME = "ليلى"  # Layla
FRIEND = "سارة"  # Sara: two Arabic names side by side are what an unisolated list reverses
TABLE = "שולחן הצפון"  # "The north table"
TAKEAWAY = "هل نستمع أكثر مما نتكلم؟"  # "Do we listen more than we talk?"
LAPTOP = {"viewport": {"width": 1280, "height": 800}}

# A workshop in its discussion, with the first table renamed in Hebrew and people at it.
SEED = """
import json
from django.contrib.auth import get_user_model
from workshop import services
from workshop.models import Activity
facilitator = get_user_model().objects.get(email={email!r})
workshop = services.create_workshop(facilitator, "Listening better", 2)
table = services.rename_table(facilitator, workshop.tables.get(number=1), {table!r})
for name in ("Quinn", {friend!r}, "Rosa"):
    services.join(workshop, table, name)
discussion = workshop.activities.get(kind=Activity.Kind.DISCUSSION)
services.go_to_activity(facilitator, workshop, discussion, workshop.current_activity_id)
print(json.dumps({{"code": workshop.code, "key": workshop.projector_key, "pk": workshop.pk}}))
"""

# How the element of `selector` holding `text` lays it out: its direction, how far its text is
# from its box's right, where its closing punctuation landed against the letter before it.
# Nothing (so the wait goes on) until such an element is on the page: a live update may be
# swapping the card in just then.
LAID_OUT = """([selector, wanted]) => {
  const element = [...document.querySelectorAll(selector)]
    .find((el) => el.isConnected && el.textContent.includes(wanted));
  if (!element) return null;
  const style = getComputedStyle(element);
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) if (walker.currentNode.data.trim()) nodes.push(walker.currentNode);
  const box = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    return range.getBoundingClientRect();
  };
  const first = nodes[0], last = nodes[nodes.length - 1];
  const end = last.data.trimEnd().length;
  const mark = box(last, end - 1, end), before = box(last, end - 2, end - 1);
  const range = document.createRange();
  range.setStart(first, 0);
  range.setEnd(last, last.data.length);
  const text = range.getBoundingClientRect(), outer = element.getBoundingClientRect();
  return {
    direction: style.direction,
    markLeftOfLetter: mark.right <= before.left + 1,
    gapRight: outer.right - parseFloat(style.paddingRight) - text.right,
  };
}"""

# Elements in a row, as the eye reads them across the screen: their texts and left edges.
ROW = """(elements) => elements.map((el) => ({ text: el.textContent.trim(),
  left: el.getBoundingClientRect().left }))"""

# What sticks out of the screen sideways, once the page is right-to-left. Skipped: what is
# hidden by design (the skip link until focused, visually-hidden labels) and what a clipping
# container (the wall's pages) keeps out of sight.
SIDEWAYS = """() => {
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll("*")].filter((el) => {
    if (el.closest(".skip-link, .visually-hidden, [hidden], template")) return false;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return false;
    return (r.left < -1 || r.right > innerWidth + 1) && !clipped(el);
  });
  return {
    scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    out: out.slice(0, 5).map((el) => `${el.tagName}.${el.className}`),
  };
}"""


def seed(server) -> dict:
    code = SEED.format(email=FACILITATOR_EMAIL, table=TABLE, friend=FRIEND)
    return json.loads(server.shell(code).strip().splitlines()[-1])


def assert_reads_right_to_left(page, selector):
    laid = page.wait_for_function(LAID_OUT, arg=[selector, TAKEAWAY]).json_value()
    assert laid["direction"] == "rtl", laid
    assert laid["markLeftOfLetter"], f"the question mark is not at the sentence's end: {laid}"
    assert laid["gapRight"] < 2, f"not aligned to the right: {laid}"


def assert_in_reading_order(elements, texts):
    row = elements.evaluate_all(ROW)
    assert [cell["text"] for cell in row] == texts
    lefts = [cell["left"] for cell in row]
    assert lefts == sorted(lefts), f"shown out of order: {row}"


def turn_right_to_left(page):
    page.evaluate("document.documentElement.dir = 'rtl'")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def assert_nothing_sideways(page):
    sideways = page.evaluate(SIDEWAYS)
    assert sideways == {"scroll": 0, "out": []}, sideways


def test_an_arabic_name_and_takeaway_read_right_to_left_on_every_screen(
    module_server, open_context
):
    day = seed(module_server)
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{module_server.url}/p/{day['key']}/")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, module_server.url)
    laptop.goto(f"{module_server.url}/f/w/{day['pk']}/")
    expect(laptop.locator("#live-status")).to_have_attribute("data-state", "live")

    phone = open_context(**PHONE).new_page()
    join(phone, f"{module_server.url}/j/{day['code']}/", NAME, table=TABLE)
    post(phone, TAKEAWAY)

    # The phone: its own card, and who and where it is in its header, name first.
    card = phone.locator(".takeaway:not(.takeaway--pending)", has_text=TAKEAWAY)
    expect(card.locator(".takeaway__author")).to_have_text(NAME)
    assert_reads_right_to_left(phone, ".takeaway:not(.takeaway--pending) .takeaway__text")
    assert card.locator(".takeaway__author").evaluate("e => getComputedStyle(e).direction") == (
        "rtl"
    )
    assert_in_reading_order(phone.locator(".phone-header__who bdi"), [NAME, TABLE])
    expect(phone.locator(".phone-board__title bdi")).to_have_text(TABLE)
    screenshot(phone, "phone-rtl-text")

    # The projector: live, the card under its table's Hebrew name.
    card = projector.locator(".takeaway--wall", has_text=TAKEAWAY)
    expect(card).to_be_visible()
    assert_reads_right_to_left(projector, ".takeaway--wall .takeaway__text")
    expect(card.locator(".takeaway__author bdi")).to_have_text(NAME)
    head = projector.locator(".wall-table__name", has_text=TABLE)
    assert head.evaluate("e => getComputedStyle(e).direction") == "rtl"
    screenshot(projector, "projector-rtl-text")

    # The console: the card, and the table's people in their order, Latin and Arabic mixed.
    card = laptop.locator(".takeaways--console .takeaway", has_text=TAKEAWAY)
    expect(card).to_be_visible()
    assert_reads_right_to_left(laptop, ".takeaways--console .takeaway__text")
    people = laptop.locator(".console-table__people", has_text=NAME).locator("bdi")
    expect(people).to_have_count(4)
    names = people.all_text_contents()
    assert sorted(names) == sorted(["Quinn", FRIEND, "Rosa", NAME])
    assert_in_reading_order(people, names)
    # Two Arabic names side by side are the pair an unisolated list would swap.
    assert abs(names.index(NAME) - names.index(FRIEND)) == 1, names
    card.scroll_into_view_if_needed()
    screenshot(laptop, "console-rtl-text")


def test_a_right_to_left_page_mirrors_without_anything_sideways(module_server, open_context):
    day = seed(module_server)
    phone = open_context(**PHONE).new_page()
    join(phone, f"{module_server.url}/j/{day['code']}/", "Quinn", table=TABLE)
    post(phone, "Ask before telling.")
    turn_right_to_left(phone)
    assert_nothing_sideways(phone)
    # Mirrored: the header's status at the left, the card's own buttons under it from the right.
    who = phone.locator(".phone-header__who").bounding_box()
    status = phone.locator(".phone-header .live-status").bounding_box()
    assert status["x"] + status["width"] <= who["x"] + 1
    screenshot(phone, "phone-rtl")
    phone.goto(f"{module_server.url}/w/{day['code']}/notes/")
    turn_right_to_left(phone)
    assert_nothing_sideways(phone)
    # The table's takeaway is marked on its start side, the right.
    takeaway = phone.locator(".notes-takeaway")
    assert takeaway.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
    screenshot(phone, "notes-rtl")

    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, module_server.url)
    laptop.goto(f"{module_server.url}/f/w/{day['pk']}/")
    expect(laptop.locator(".takeaways--console .takeaway")).to_have_count(1)
    turn_right_to_left(laptop)
    assert_nothing_sideways(laptop)
    # The card's actions go to its end, which is now its left.
    card = laptop.locator(".takeaways--console .takeaway")
    author = card.locator(".takeaway__author").bounding_box()
    actions = card.locator(".takeaway__actions").bounding_box()
    assert actions["x"] + actions["width"] <= author["x"]
    # An address reads left to right in any page; Next's arrow points the way the page reads.
    url = laptop.locator(".console__join [dir=ltr]")
    assert url.evaluate("e => getComputedStyle(e).direction") == "ltr"
    arrow = (
        laptop.locator(".runbar").get_by_role("button", name=re.compile("Next")).locator(".arrow")
    )
    assert arrow.evaluate("e => getComputedStyle(e).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    card.scroll_into_view_if_needed()
    screenshot(laptop, "console-rtl")

    laptop.goto(f"{module_server.url}/f/w/{day['pk']}/agenda/")
    turn_right_to_left(laptop)
    assert_nothing_sideways(laptop)
    item = laptop.locator(".agenda-item").first
    assert item.evaluate("e => getComputedStyle(e).borderRightWidth") == "6px"
    screenshot(laptop, "agenda-rtl")

    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{module_server.url}/p/{day['key']}/")
    expect(projector.locator(".takeaway--wall")).to_have_count(1)
    turn_right_to_left(projector)
    assert_nothing_sideways(projector)
    screenshot(projector, "projector-rtl")


def test_a_name_typed_in_arabic_is_typed_right_to_left(module_server, open_context):
    day = seed(module_server)
    phone = open_context(**PHONE).new_page()
    phone.goto(f"{module_server.url}/j/{day['code']}/")
    field = phone.get_by_label("Your first name")
    field.fill(NAME)
    assert field.evaluate("e => e.matches(':dir(rtl)')")
    field.fill("Quinn")
    assert field.evaluate("e => e.matches(':dir(ltr)')")
    expect(phone.get_by_label(re.compile(TABLE))).to_be_visible()
