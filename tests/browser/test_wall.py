"""The projector's wall from the back row: the type keeps its size however full the room gets,
nothing is cut off or scrolls, and every takeaway comes round; a spotlight takes the screen."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PROJECTOR, screenshot
from tests.browser.test_live_loop import sign_in

pytestmark = pytest.mark.browser

ROTATE_MS = 8000  # live.js's calm timer

# A day filled at once through the services, as a busy room would have filled it by noon.
FILL = """
import json, uuid
from django.contrib.auth import get_user_model
from workshop import services
from workshop.models import Activity
facilitator = get_user_model().objects.get(email={email!r})
workshop = services.create_workshop(facilitator, "A full room", {tables})
discussion = workshop.activities.get(kind=Activity.Kind.DISCUSSION)
services.go_to_activity(facilitator, workshop, discussion, workshop.current_activity_id)
for table in workshop.tables.order_by("number"):
    people = [services.join(workshop, table, f"Person {{n}} of {{table.number}}") for n in range(4)]
    for n in range({cards}):
        text = f"T{{table.number}}-{{n}}: " + {text!r}
        services.post_takeaway(people[n % 4], text, uuid.uuid4())
if {spotlight}:
    services.set_spotlight(facilitator, workshop, workshop.takeaways.order_by("pk").first())
print(json.dumps({{"key": workshop.projector_key, "pk": workshop.pk}}))
"""
SENTENCE = "coach the rep before the call, then let them lead it all the way through"

# Everything the wall shows right now, measured as the back row sees it.
SHOWN = """() => {
  const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  const px = (el) => {
    // The computed size, times any scale a transform of it or its ancestors applies.
    let scale = 1;
    for (let node = el; node instanceof Element; node = node.parentElement) {
      const t = getComputedStyle(node).transform;
      if (t && t !== "none") scale *= new DOMMatrix(t).a;
    }
    return parseFloat(getComputedStyle(el).fontSize) * scale;
  };
  const cards = [...document.querySelectorAll(".takeaway--wall")].filter(visible);
  const inside = (el, box) => {
    const r = el.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.left >= box.left - 1
      && r.right <= box.right + 1;
  };
  const lists = [...document.querySelectorAll(".takeaways--wall")].filter(visible);
  const screen = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
  return {
    texts: cards.map((c) => c.querySelector(".takeaway__text").textContent.trim()),
    smallestText: Math.min(...cards.map((c) => px(c.querySelector(".takeaway__text")))),
    smallestName: Math.min(
      ...[...document.querySelectorAll(
        ".takeaway--wall .takeaway__author, .wall-table__count, .wall-table__more, .wall__pager"
      )].filter(visible).map(px)
    ),
    cut: cards.filter((c) => !inside(c, c.closest(".takeaways--wall").getBoundingClientRect())
      || !inside(c, screen)).length,
    scrolls: lists.some((l) => l.scrollHeight > l.clientHeight + 1)
      || document.documentElement.scrollHeight > innerHeight
      || document.documentElement.scrollWidth > innerWidth,
    tables: [...document.querySelectorAll(".wall-table")].filter(visible).length,
  };
}"""


def fill(server, tables, cards, *, spotlight=False):
    """The projector key of a day filled so; `filled` gives its id too."""
    return filled(server, tables, cards, spotlight=spotlight)["key"]


def filled(server, tables, cards, *, spotlight=False) -> dict:
    code = FILL.format(
        email=FACILITATOR_EMAIL, tables=tables, cards=cards, text=SENTENCE, spotlight=spotlight
    )
    return json.loads(server.shell(code).strip().splitlines()[-1])


def watch_the_wall(server, open_context, key, expected, *, most_turns=40):
    """What the wall shows at each turn of its timer (a fake clock runs them), until every
    expected takeaway has been shown or `most_turns` turns have passed."""
    context = open_context(**PROJECTOR)
    context.clock.install()
    projector = context.new_page()
    projector.goto(f"{server.url}/p/{key}/")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    seen, frames = set(), []
    for _ in range(most_turns):
        # Laid out (a turn, or a card's arrival, lays the wall out at its next frame).
        projector.wait_for_function(
            f"() => {{ const f = ({SHOWN})(); return !f.cut && !f.scrolls }}"
        )
        frame = projector.evaluate(SHOWN)
        frames.append(frame)
        seen.update(frame["texts"])
        if seen >= expected:
            break
        context.clock.fast_forward(ROTATE_MS)
    return projector, frames, seen


@pytest.mark.parametrize(("tables", "cards"), [(12, 8), (3, 30)])
def test_a_full_wall_keeps_its_type_and_shows_every_takeaway_in_turn(
    module_server, open_context, tables, cards
):
    key = fill(module_server, tables, cards)
    expected = {f"T{t}-{n}: {SENTENCE}" for t in range(1, tables + 1) for n in range(cards)}
    projector, frames, seen = watch_the_wall(module_server, open_context, key, expected)
    for frame in frames:
        assert frame["smallestText"] >= 28, frame
        assert frame["smallestName"] >= 20, frame
        assert frame["cut"] == 0, frame
        assert not frame["scrolls"], frame
        assert frame["texts"], frame
    assert seen == expected  # every takeaway came round
    assert len(frames) > 1  # it could not all be shown at once: it rotated
    if tables > 8:
        # The tables come in pages, the screen says which.
        assert max(frame["tables"] for frame in frames) < tables
    screenshot(projector, f"projector-wall-{tables}x{cards}")


def test_a_spotlight_takes_the_screen_in_large_type(module_server, open_context):
    key = fill(module_server, 3, 4, spotlight=True)
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{module_server.url}/p/{key}/")
    spotlight = projector.locator("#spotlight")
    expect(spotlight).to_be_visible()
    size = spotlight.locator(".spotlight__text").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert size >= 64
    box = spotlight.bounding_box()
    assert box["width"] >= 1800 and box["height"] >= 1000  # the screen, not a card on it
    expect(spotlight).to_contain_text("T1-0")
    expect(spotlight).to_contain_text("Table 1")
    # Only the slim join banner besides: its code is still there for latecomers.
    banner = projector.locator(".join-panel")
    expect(banner.locator(".join-panel__code")).to_be_visible()
    assert banner.bounding_box()["height"] < 120
    screenshot(projector, "projector-spotlight")


def test_the_console_focuses_one_table_on_the_wall_and_brings_every_table_back(
    module_server, open_context
):
    day = filled(module_server, 12, 8)
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, module_server.url)
    laptop.goto(f"{module_server.url}/f/w/{day['pk']}/")
    expected = {f"T3-{n}: {SENTENCE}" for n in range(8)}
    laptop.get_by_role("button", name="Show only Table 3 on the projector").click()
    expect(laptop.get_by_text("The projector shows only Table 3")).to_be_visible()
    projector, frames, seen = watch_the_wall(module_server, open_context, day["key"], expected)
    for frame in frames:
        assert frame["tables"] == 1, frame
        assert frame["smallestText"] >= 36, frame  # larger than the whole wall's
        assert frame["cut"] == 0 and not frame["scrolls"], frame
        assert all(text.startswith("T3-") for text in frame["texts"]), frame
    assert seen == expected  # every card of the table still comes round
    projector.clock.fast_forward(ROTATE_MS)  # back round to the newest, for the picture
    projector.wait_for_function(f"() => ({SHOWN})().texts.length > 2")
    screenshot(projector, "projector-focus-one-table")
    laptop.get_by_role("button", name="Show all tables").click()
    projector.wait_for_function(f"() => ({SHOWN})().tables > 1")
