"""A reflection's answers have the guarantee posts have: what a phone shows as typed reaches the
server, or stays on the phone marked "Not saved yet" — through a room that moves quickly, a
workshop that closes, and a phone that goes offline mid-sentence. Real Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_live_loop import close_workshop, create_workshop, join, sign_in
from tests.browser.test_whole_day import (
    DISCUSSION,
    ROOM_ANSWERS,
    click_back,
    click_next,
    go_to_step,
    stage_title,
)

pytestmark = pytest.mark.browser

REFLECTION = "Where do I step in?"
COMMITMENT = "My commitment"


def room_in_reflection(server, open_context, title):
    """A facilitator's laptop in the built-in day's reflection, and a phone in it."""
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, title, 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    phone_context = open_context(**PHONE)
    phone = phone_context.new_page()
    join(phone, f"{server}/j/{code}/", "Ines", table="Table 1")
    click_next(laptop)
    expect(stage_title(phone)).to_have_text(REFLECTION)
    return laptop, phone_context, phone, code


def now_running(laptop):
    return laptop.locator(".runbar__title")


def status_of(phone, field):
    return phone.locator(".solo-step", has=field).locator(".saved")


def notes(phone, server, code):
    return phone.request.get(f"{server}/w/{code}/notes.md").text()


def test_a_commitment_typed_as_the_room_jumps_back_and_forth_is_kept(server, open_context):
    laptop, _context, phone, code = room_in_reflection(server, open_context, "Quick hands")
    commitment = go_to_step(phone, COMMITMENT)
    # Every save the phone tries while the room jumps is lost on the way (as when the
    # reflection left the screen before the autosave went out).
    phone.route("**/answer/**", lambda route: route.abort())
    typed = "I will let Sam run the Monday meeting"
    commitment.fill(typed)
    expect(status_of(phone, commitment)).to_contain_text("Not saved yet")
    for title in (ROOM_ANSWERS, DISCUSSION):
        click_next(laptop)
        expect(now_running(laptop)).to_have_text(title)
    click_back(laptop)
    expect(now_running(laptop)).to_have_text(ROOM_ANSWERS)
    click_back(laptop)
    expect(stage_title(phone)).to_have_text(REFLECTION)
    phone.unroute("**/answer/**")

    # The reflection came back empty for everyone: the phone puts its unsent words back in
    # and sends them at once.
    commitment = go_to_step(phone, COMMITMENT)
    expect(commitment).to_have_value(typed)
    expect(status_of(phone, commitment)).to_contain_text("Saved")
    phone.get_by_role("button", name="I’m done").click()
    expect(phone.locator(".solo-done")).to_contain_text("You’re done")
    expect(laptop.locator("#progress")).to_contain_text("1 of 1 finished")
    assert typed in notes(phone, server, code)


def test_done_sends_what_is_typed_before_it_says_done(server, open_context):
    _laptop, _context, phone, code = room_in_reflection(server, open_context, "Straight to done")
    commitment = go_to_step(phone, COMMITMENT)
    typed = "Ask one question before giving any answer"
    commitment.fill(typed)
    # Within the autosave delay: "I'm done" itself sends the answer first.
    phone.get_by_role("button", name="I’m done").click()
    expect(phone.locator(".solo-done")).to_contain_text("You’re done")
    assert typed in notes(phone, server, code)


def test_closing_mid_reflection_leaves_the_words_on_the_phone_marked_not_saved(
    server, open_context
):
    laptop, _context, phone, code = room_in_reflection(server, open_context, "Closing time")
    first = go_to_step(phone, "Leading team meetings")
    phone.route("**/answer/**", lambda route: route.abort())
    typed = "I take over whenever the meeting stalls"
    first.fill(typed)
    expect(status_of(phone, first)).to_contain_text("Not saved yet")
    close_workshop(laptop)
    expect(phone.locator(".banner--closed")).to_contain_text("closed this workshop")
    phone.unroute("**/answer/**")
    # The phone tries again (at once on the next connection, and then every 30 s at most):
    # the server refuses while closed, and the phone keeps the words and says so.
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status_of(phone, first)).to_contain_text("Not saved yet")
    expect(first).to_have_value(typed)
    first.evaluate("field => field.closest('.solo-step').scrollIntoView()")
    screenshot(phone, "reflection-not-saved-yet-phone")
    assert typed not in notes(phone, server, code)

    # Not lost on a reload either: the phone's copy is newer than the server's (nothing).
    phone.reload()
    first = go_to_step(phone, "Leading team meetings")
    expect(first).to_have_value(typed)
    expect(status_of(phone, first)).to_contain_text("Not saved yet")

    # Reopened: the words go in without anyone touching the phone.
    laptop.get_by_role("button", name="Reopen workshop").click()
    expect(phone.locator(".banner--closed")).to_have_count(0)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status_of(phone, first)).to_contain_text("Saved")
    assert typed in notes(phone, server, code)


def test_an_answer_typed_offline_is_saved_once_the_phone_is_back_online(server, open_context):
    _laptop, context, phone, code = room_in_reflection(server, open_context, "Dead zone")
    first = go_to_step(phone, "Leading team meetings")
    first.fill("I rewrite")
    expect(status_of(phone, first)).to_contain_text("Saved")
    context.set_offline(True)
    first.press_sequentially(" every proposal in the lift")
    expect(status_of(phone, first)).to_contain_text("Not saved yet")
    context.set_offline(False)
    expect(status_of(phone, first)).to_contain_text("Saved")
    assert "I rewrite every proposal in the lift" in notes(phone, server, code)


def test_deleting_my_data_clears_what_the_phone_kept(server, open_context):
    _laptop, context, phone, code = room_in_reflection(server, open_context, "Shared phone")
    context.set_offline(True)
    go_to_step(phone, "Leading team meetings").fill("Words for nobody else")
    expect(phone.locator(".saved--pending")).to_have_count(1)
    phone.route("**/answer/**", lambda route: route.abort())  # still not on the server
    context.set_offline(False)
    on_phone = "Object.keys(localStorage).filter((key) => key.includes('/w/'))"
    assert any(key.startswith("answer:") for key in phone.evaluate(on_phone))
    phone.goto(f"{server}/w/{code}/forget/")
    phone.get_by_role("button", name="Delete my data").click()
    expect(phone.get_by_role("heading", name="Your data was deleted")).to_be_visible()
    # The page's script clears what the phone kept as it loads: it may run after the heading
    # shows (a timeout here is a phone that kept them).
    phone.wait_for_function(f"{on_phone}.length === 0")


def test_an_older_copy_of_an_answer_arriving_late_does_not_replace_the_newer_one(
    server, open_context
):
    """When the room comes Back, the phone asks for its answers and sends its unsaved words at
    the same moment. If the answers left the server before the words landed, they arrive
    holding the older text: the phone keeps what it typed and saved."""
    laptop, _context, phone, code = room_in_reflection(server, open_context, "Late news")
    commitment = go_to_step(phone, COMMITMENT)
    commitment.fill("Let Sam run the meeting")
    expect(status_of(phone, commitment)).to_contain_text("Saved")
    stale = phone.request.get(f"{server}/w/{code}/solo/mine.json").text()

    phone.route("**/answer/**", lambda route: route.abort())
    typed = "Let Sam run the meeting, and keep quiet until the end"
    commitment.fill(typed)
    expect(status_of(phone, commitment)).to_contain_text("Not saved yet")
    click_next(laptop)
    expect(stage_title(phone)).to_have_text(ROOM_ANSWERS)
    phone.unroute("**/answer/**")
    held = []
    phone.route("**/solo/mine.json", lambda route: held.append(route))
    click_back(laptop)
    expect(stage_title(phone)).to_have_text(REFLECTION)

    commitment = go_to_step(phone, COMMITMENT)
    expect(status_of(phone, commitment)).to_contain_text("Saved")
    assert held, "the phone asked for its answers when the reflection came back"
    for route in held:
        route.fulfill(status=200, content_type="application/json", body=stale)
    phone.unroute("**/solo/mine.json")
    expect(phone.locator("[data-solo][data-filled=merged]")).to_have_count(1)
    expect(commitment).to_have_value(typed)
    assert typed in notes(phone, server, code)
