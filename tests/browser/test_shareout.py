"""A share-out as the best tools run it: votes as badges read from the back row, counts kept off
the projector until the facilitator reveals them, and on the phone the other tables' takeaways
first, its own table's folded at the end. Real Chromium."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import join, sign_in
from tests.browser.test_whole_day import click_next

pytestmark = pytest.mark.browser

DOUBLE_TAP_MS = 700  # live.js: a second tap on the same +1 within this is the same tap

# Three tables with two takeaways each, in their discussion; the share-out comes next.
SEED = """
import json, uuid
from django.contrib.auth import get_user_model
from workshop import services
facilitator = get_user_model().objects.get(email={email!r})
agenda = [
    {{"kind": "discussion", "title": "At your table"}},
    {{"kind": "shareout", "title": "With the room", "source": 0}},
]
workshop = services.create_workshop(facilitator, "Share-out", 3, agenda=agenda)
for table in workshop.tables.order_by("number"):
    people = [services.join(workshop, table, f"P{{n}}{{table.number}}") for n in range(2)]
    for n, person in enumerate(people):
        services.post_takeaway(person, f"Idea {{n + 1}} of {{table.name}}", uuid.uuid4())
print(json.dumps({{"pk": workshop.pk, "code": workshop.code, "key": workshop.projector_key}}))
"""

# Votes from the seeded people: "Idea 1 of Table 3" gets two, "Idea 2 of Table 2" one.
VOTES = """
from workshop import services
from workshop.models import Participant, Takeaway
def vote(name, text):
    services.vote(Participant.objects.get(name=name), Takeaway.objects.get(text=text))
vote("P01", "Idea 1 of Table 3")
vote("P11", "Idea 1 of Table 3")
vote("P01", "Idea 2 of Table 2")
"""


def past_double_tap_guard(phone) -> None:
    """Until a next tap on the same +1 counts as a tap of its own."""
    start = phone.evaluate("performance.now()")
    phone.wait_for_function(f"start => performance.now() > start + {DOUBLE_TAP_MS}", arg=start)


def seeded_console(server, open_context):
    """A fresh seeded day, and its console on a laptop, signed in."""
    day = json.loads(server.shell(SEED.format(email=FACILITATOR_EMAIL)).splitlines()[-1])
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    laptop.goto(f"{server.url}/f/w/{day['pk']}/")
    return day, laptop


def wall_texts(projector):
    return projector.locator(".takeaway--wall .takeaway__text")


def test_counts_stay_hidden_until_revealed_then_rank_the_wall(module_server, open_context):
    server = module_server
    day, laptop = seeded_console(server, open_context)
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/p/{day['key']}/")
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{day['code']}/", "Omar", table="Table 1")

    click_next(laptop)
    expect(projector.locator(".stage-head__title")).to_have_text("With the room")
    laptop.get_by_role("button", name="Hide the counts until I reveal them").click()
    expect(laptop.get_by_role("button", name="Reveal the counts")).to_be_visible()
    laptop.get_by_role("button", name="Order by votes").click()
    expect(laptop.get_by_role("button", name="Order by time")).to_be_visible()
    server.shell(VOTES)
    phone.locator(".takeaway", has_text="Idea 2 of Table 2").get_by_role(
        "button", name="Give a +1"
    ).click()
    # The console counts every vote; the projector shows no count and no ranking.
    console_card = laptop.locator(".takeaway", has_text="Idea 2 of Table 2")
    expect(console_card.locator(".takeaway__votes")).to_have_text("+2")
    expect(projector.locator(".takeaway__votes")).to_have_count(0)
    expect(wall_texts(projector).first).to_have_text("Idea 2 of Table 1")  # newest first

    laptop.get_by_role("button", name="Reveal the counts").click()
    table_3 = projector.locator(".wall-table", has_text="Table 3")
    expect(table_3.locator(".takeaway__text").first).to_have_text("Idea 1 of Table 3")
    badge = table_3.locator(".takeaway", has_text="Idea 1 of Table 3").locator(".takeaway__votes")
    expect(badge).to_have_text("+2")
    assert badge.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 28
    expect(projector.locator(".takeaway__votes")).to_have_count(2)
    screenshot(projector, "projector-shareout-votes")


def test_a_phone_sees_the_other_tables_first_and_its_own_folded_last(module_server, open_context):
    server = module_server
    day, laptop = seeded_console(server, open_context)
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{day['code']}/", "Noor", table="Table 2")
    click_next(laptop)
    heads = phone.locator(".phone-table .phone-board__title > bdi:first-child")
    expect(heads).to_have_text(["Table 1", "Table 3", "Table 2"])
    own = phone.locator(".phone-table--own")
    fold = own.get_by_role("button", name="Show your table’s takeaways")
    expect(fold).to_have_attribute("aria-expanded", "false")
    expect(own.get_by_text("Idea 1 of Table 2")).to_be_hidden()
    # Only the other tables' cards have a +1, each showing whether it was given.
    plus_one = phone.locator(".takeaway", has_text="Idea 1 of Table 3").get_by_role(
        "button", name="Give a +1"
    )
    plus_one.dblclick()  # a shaky double tap gives one +1, not one and back
    expect(plus_one).to_have_attribute("aria-pressed", "true")
    count = laptop.locator(".takeaway", has_text="Idea 1 of Table 3").locator(".takeaway__votes")
    expect(count).to_have_text("+1")
    screenshot(phone, "shareout-phone")
    # A +1 is a toggle: pressed again (past the double-tap guard), it is taken back.
    past_double_tap_guard(phone)
    plus_one.click()
    expect(plus_one).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text("+0")
    past_double_tap_guard(phone)
    plus_one.click()
    expect(count).to_have_text("+1")
    fold.click()
    expect(own.get_by_text("Idea 1 of Table 2")).to_be_visible()
    expect(own.get_by_role("button", name=re.compile("Hide your table"))).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(phone.locator(".phone-table--own .vote-button:visible")).to_have_count(0)
