"""Approve before showing, in real Chromium: the facilitator turns it on from the console, a
phone's takeaway waits in the queue (its table sees it as waiting), the projector neither shows
it nor hears of it until the facilitator approves it."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import join, post, sign_in

pytestmark = pytest.mark.browser

SEED = """
import json
from django.contrib.auth import get_user_model
from workshop import services
facilitator = get_user_model().objects.get(email={email!r})
agenda = [{{"kind": "discussion", "title": "At your table", "duration_minutes": 15}}]
workshop = services.create_workshop(facilitator, "Moderated day", 3, agenda=agenda)
print(json.dumps({{"pk": workshop.pk, "code": workshop.code, "key": workshop.projector_key}}))
"""


def frames_of(page) -> list[str]:
    """Every socket message the page receives, from now on."""
    frames = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda f: frames.append(f)))
    return frames


def test_a_takeaway_waits_for_approval_and_reaches_the_projector_only_then(
    module_server, open_context
):
    server = module_server
    day = json.loads(server.shell(SEED.format(email=FACILITATOR_EMAIL)).splitlines()[-1])
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    laptop.goto(f"{server.url}/f/w/{day['pk']}/")
    projector = open_context(**PROJECTOR).new_page()
    frames = frames_of(projector)
    projector.goto(f"{server.url}/p/{day['key']}/")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    author = open_context(**PHONE).new_page()
    join(author, f"{server.url}/j/{day['code']}/", "Anna", table="Table 1")
    neighbour = open_context(**PHONE).new_page()
    join(neighbour, f"{server.url}/j/{day['code']}/", "Ben", table="Table 1")

    laptop.get_by_role("button", name="Approve before showing").click()
    queue = laptop.locator("#queue")
    expect(queue.get_by_role("heading", name="Waiting for your approval")).to_be_visible()
    post(author, "Ask what they tried before you fix it")
    expect(queue.locator(".queue__item")).to_have_count(1)
    expect(queue.locator(".queue__text")).to_have_text("Ask what they tried before you fix it")
    for phone in (author, neighbour):  # the author's table sees it, marked as waiting
        card = phone.locator(".takeaway", has_text="Ask what they tried")
        expect(card.locator(".takeaway__waiting")).to_contain_text("Waiting for the facilitator")
    post(author, "Second thought, also waiting")
    expect(queue.locator(".queue__count")).to_have_text("2")
    screenshot(laptop, "console-moderation-queue")
    screenshot(author, "phone-takeaway-waiting")

    assert projector.locator(".takeaway--wall").count() == 0
    assert not any("Ask what they tried" in str(frame) for frame in frames)
    assert frames, "the projector heard of the changes (its revision moved on)"

    queue.locator(".queue__item", has_text="Ask what they tried").get_by_role(
        "button", name="Approve"
    ).click()
    wall = projector.locator(".takeaway--wall")
    expect(wall).to_have_count(1)
    expect(wall).to_contain_text("Ask what they tried before you fix it")
    expect(
        author.locator(".takeaway", has_text="Ask what they tried").locator(".takeaway__waiting")
    ).to_have_count(0)
    assert not any("Second thought" in str(frame) for frame in frames)

    laptop.get_by_role("button", name="Approve 1").click()
    expect(wall).to_have_count(2)
    expect(queue.locator(".queue__item")).to_have_count(0)
    # Turned off, new takeaways go straight to the wall.
    laptop.get_by_role("button", name="Stop approving: show new takeaways at once").click()
    post(neighbour, "Straight to the wall")
    expect(wall).to_have_count(3)
