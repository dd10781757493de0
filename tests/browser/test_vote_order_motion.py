"""A share-out ordered by votes animates to its ranking (issue #13): a card that a +1 moves, and
every card when "Order by votes" is switched on, glides from its old place to its new one, on the
projector and the console; a new card still arrives with its highlight; with reduced motion
nothing moves but the order. Real Chromium.

The page's animations are held at their first frame through the DevTools protocol while a card
moves: the test then sees the glide mid-flight however slow the machine, and lets it run on to
check where it ends."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PROJECTOR
from tests.browser.test_shareout import seeded_console
from tests.browser.test_whole_day import click_next

pytestmark = pytest.mark.browser

# Run in the server's shell against one seeded day (every test of the module seeds its own).
ON_THE_DAY = """
import uuid
from workshop import services
from workshop.models import Participant, Takeaway
def person(name):
    return Participant.objects.get(workshop_id={pk}, name=name)
def vote(name, text):
    services.vote(person(name), Takeaway.objects.get(workshop_id={pk}, text=text))
"""
# "Idea 1 of Table 1" is the older card of its table, so below "Idea 2 of Table 1" until a +1
# from another table lifts it.
LIFT_IDEA_1 = 'vote("P02", "Idea 1 of Table 1")'
# As in the share-out tests: "Idea 1 of Table 3" gets two, "Idea 2 of Table 2" one.
VOTES = """
vote("P01", "Idea 1 of Table 3")
vote("P11", "Idea 1 of Table 3")
vote("P01", "Idea 2 of Table 2")
"""
NEW_CARD = 'services.post_takeaway(person("P01"), "Idea 3 of Table 1", uuid.uuid4())'


def on_the_day(server, day, code: str) -> None:
    server.shell(ON_THE_DAY.format(pk=day["pk"]) + code)


# Where a card is seen (a running glide's translate included), by its element id.
PLACE = """id => {
  const rect = document.getElementById(id).getBoundingClientRect();
  return [rect.left, rect.top];
}"""
GLIDES = "card => card.getAnimations().filter((a) => a.id === 'glide')"
# The card stands first in its list and is gliding there.
GLIDING_TO_THE_TOP = f"""id => {{
  const card = document.getElementById(id);
  return Boolean(card) && !card.previousElementSibling
    && ({GLIDES})(card).some((a) => a.playState === "running");
}}"""
NOTHING_GLIDES = "() => !document.getAnimations().some((a) => a.id === 'glide')"
ARRIVING = (
    "id => document.getElementById(id).getAnimations().some(a => a.animationName === 'arrive')"
)
NOTHING_ARRIVES = "() => !document.getAnimations().some((a) => a.animationName === 'arrive')"
# htmx has settled every swap (its settling puts the classes the server drew back on).
SETTLED = "() => !document.querySelector('.htmx-settling, .htmx-added')"
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
AT_REST = "id => getComputedStyle(document.getElementById(id)).translate === 'none'"
NO_OVERFLOW = """() => {
  const page = document.documentElement;
  return page.scrollWidth <= innerWidth && page.scrollHeight <= innerHeight;
}"""


class Motion:
    """The page's animation clock, through the DevTools protocol: held, then running again."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Animation.enable")

    def hold(self):
        self.session.send("Animation.setPlaybackRate", {"playbackRate": 0})

    def run(self):
        self.session.send("Animation.setPlaybackRate", {"playbackRate": 1})


def card_id(page, text: str) -> str:
    return page.locator(".takeaway", has_text=text).get_attribute("id")


def list_texts(page, table: str):
    """The card texts of one table's list, on the projector's wall or in the console."""
    return page.locator(
        f".wall-table:has-text('{table}'), .console-table:has-text('{table}')"
    ).locator(".takeaway__text")


def near(place, other) -> bool:
    return abs(place[0] - other[0]) <= 2 and abs(place[1] - other[1]) <= 2


def a_share_out(server, open_context, *, reduced_motion=False):
    """A seeded share-out on the projector (1920x1080) and its console, both on screen."""
    day, laptop = seeded_console(server, open_context)
    projector = open_context(**PROJECTOR).new_page()
    if reduced_motion:
        projector.emulate_media(reduced_motion="reduce")
        laptop.emulate_media(reduced_motion="reduce")
    projector.goto(f"{server.url}/p/{day['key']}/")
    click_next(laptop)
    expect(projector.locator(".stage-head__title")).to_have_text("With the room")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    # The cards' entrance is over: what runs from here is what the test makes run.
    for page in (projector, laptop):
        page.wait_for_function(NOTHING_ARRIVES)
    return day, projector, laptop


def order_by_votes(laptop):
    laptop.get_by_role("button", name="Order by votes").click()
    expect(laptop.get_by_role("button", name="Order by time")).to_be_visible()


def test_a_vote_that_reranks_glides_the_card_to_its_place(module_server, open_context):
    day, projector, laptop = a_share_out(module_server, open_context)
    order_by_votes(laptop)
    screens = {page: Motion(page) for page in (projector, laptop)}
    before = {}
    for page, motion in screens.items():
        expect(list_texts(page, "Table 1")).to_have_text(["Idea 2 of Table 1", "Idea 1 of Table 1"])
        moved, overtaken = card_id(page, "Idea 1 of Table 1"), card_id(page, "Idea 2 of Table 1")
        before[page] = (
            moved,
            overtaken,
            page.evaluate(PLACE, moved),
            page.evaluate(PLACE, overtaken),
        )
        motion.hold()

    on_the_day(module_server, day, LIFT_IDEA_1)

    for page, (moved, overtaken, moved_was, overtaken_was) in before.items():
        page.wait_for_function(GLIDING_TO_THE_TOP, arg=moved)
        # Its first frame: both cards are still seen where they were, each on its way.
        assert near(page.evaluate(PLACE, moved), moved_was)
        assert near(page.evaluate(PLACE, overtaken), overtaken_was)
        assert page.evaluate(f"id => ({GLIDES})(document.getElementById(id)).length", overtaken)
        # The moved card is the same card, drawn again: it glides, it does not arrive.
        page.wait_for_function(SETTLED)
        assert page.evaluate(NOTHING_ARRIVES)
    assert projector.evaluate(NO_OVERFLOW)

    for page, motion in screens.items():
        motion.run()
        page.wait_for_function(NOTHING_GLIDES)
        moved, overtaken, moved_was, overtaken_was = before[page]
        expect(list_texts(page, "Table 1")).to_have_text(["Idea 1 of Table 1", "Idea 2 of Table 1"])
        assert page.evaluate(AT_REST, moved)
        assert page.evaluate(PLACE, moved)[1] < page.evaluate(PLACE, overtaken)[1]
    # On the wall (whose layout the +1 changes nowhere else) it took the top slot.
    moved, _overtaken, _moved_was, top_slot = before[projector]
    assert near(projector.evaluate(PLACE, moved), top_slot)
    assert projector.evaluate(NO_OVERFLOW)


def test_switching_order_by_votes_on_glides_the_wall_into_its_ranking(module_server, open_context):
    day, projector, laptop = a_share_out(module_server, open_context)
    on_the_day(module_server, day, VOTES)  # "Idea 1 of Table 3" gets two: still below by time
    expect(
        projector.locator(".takeaway", has_text="Idea 1 of Table 3").locator(".takeaway__votes")
    ).to_have_text("+2")
    expect(
        laptop.locator(".takeaway", has_text="Idea 1 of Table 3").locator(".takeaway__votes")
    ).to_have_text("+2")
    screens = {page: Motion(page) for page in (projector, laptop)}
    before = {}
    for page, motion in screens.items():
        page.wait_for_function(NOTHING_ARRIVES)  # the +1's redraw settled
        expect(list_texts(page, "Table 3")).to_have_text(["Idea 2 of Table 3", "Idea 1 of Table 3"])
        moved = card_id(page, "Idea 1 of Table 3")
        before[page] = (
            moved,
            page.evaluate(PLACE, moved),
            page.evaluate(PLACE, card_id(page, "Idea 2 of Table 3")),
        )
        motion.hold()

    order_by_votes(laptop)

    for page, (moved, moved_was, _top) in before.items():
        # The whole board is drawn again; the card, known by its id, glides from its old place.
        page.wait_for_function(GLIDING_TO_THE_TOP, arg=moved)
        assert near(page.evaluate(PLACE, moved), moved_was)
        page.wait_for_function(SETTLED)
        assert page.evaluate(NOTHING_ARRIVES)  # no card is new: none arrives again
    assert projector.evaluate(NO_OVERFLOW)

    for page, motion in screens.items():
        motion.run()
        page.wait_for_function(NOTHING_GLIDES)
        moved, _moved_was, _top_slot = before[page]
        expect(list_texts(page, "Table 3")).to_have_text(["Idea 1 of Table 3", "Idea 2 of Table 3"])
        assert page.evaluate(AT_REST, moved)
    moved, _moved_was, top_slot = before[projector]
    assert near(projector.evaluate(PLACE, moved), top_slot)


def test_a_new_card_still_arrives_and_the_others_make_room(module_server, open_context):
    day, _laptop = seeded_console(module_server, open_context)  # still in the discussion
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{module_server.url}/p/{day['key']}/")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    projector.wait_for_function(NOTHING_ARRIVES)
    pushed_down = card_id(projector, "Idea 2 of Table 1")
    pushed_was = projector.evaluate(PLACE, pushed_down)
    motion = Motion(projector)
    motion.hold()

    on_the_day(module_server, day, NEW_CARD)

    new = projector.locator(".takeaway", has_text="Idea 3 of Table 1")
    expect(new).to_be_visible()
    new_card = new.get_attribute("id")
    assert projector.evaluate(ARRIVING, new_card)  # its highlight, as before
    assert not projector.evaluate(f"id => ({GLIDES})(document.getElementById(id)).length", new_card)
    projector.wait_for_function(
        f"id => ({GLIDES})(document.getElementById(id)).length", arg=pushed_down
    )
    assert near(projector.evaluate(PLACE, pushed_down), pushed_was)
    motion.run()
    projector.wait_for_function(NOTHING_GLIDES)
    expect(list_texts(projector, "Table 1")).to_have_text(
        ["Idea 3 of Table 1", "Idea 2 of Table 1", "Idea 1 of Table 1"]
    )


def test_with_reduced_motion_the_order_changes_and_nothing_moves(module_server, open_context):
    day, projector, laptop = a_share_out(module_server, open_context, reduced_motion=True)
    order_by_votes(laptop)
    screens = {page: Motion(page) for page in (projector, laptop)}
    for page, motion in screens.items():
        expect(list_texts(page, "Table 1")).to_have_text(["Idea 2 of Table 1", "Idea 1 of Table 1"])
        motion.hold()  # a glide, had one started, would still be there to see

    on_the_day(module_server, day, LIFT_IDEA_1)

    for page in screens:
        expect(list_texts(page, "Table 1")).to_have_text(["Idea 1 of Table 1", "Idea 2 of Table 1"])
        page.evaluate(TWO_FRAMES)  # the frame a glide would start in has passed
        assert page.evaluate(NOTHING_GLIDES)
        assert page.evaluate(NOTHING_ARRIVES)
