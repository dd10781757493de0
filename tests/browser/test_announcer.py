"""Each live screen's one polite announcer: what changed for this person, said once, in the
server's words; nothing while they type, nothing when another phone votes, and no counter or
tally that is a live region of its own."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_live_loop import close_workshop, create_workshop, join, post, sign_in
from tests.browser.test_whole_day import click_next, go_to_step

pytestmark = pytest.mark.browser

# Every text the announcer takes, with when, kept in the page for the test to read.
RECORD = """() => {
  const region = document.getElementById("announcer");
  window.__said = [];
  window.__announcer = region;
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) window.__said.push({ text, at: Date.now() });
  }).observe(region, { childList: true, characterData: true, subtree: true });
}"""

NOW_SOLO = "Now: Solo reflection (private) — Where do I step in?"
NOW_ANSWERS = "Now: The room's answers — Where this room plays hero"
NOW_TABLE = "Now: Table discussion — At your table"
NOW_ROOM = "Now: Share-out — With the room"
NOW_THANKS = "Now: Slide — Thank you"


def record(page):
    page.evaluate(RECORD)


def said(page):
    return page.evaluate("window.__said.map((said) => said.text)")


def has_said(page, expected):
    """Waits until everything the announcer said since `record` is exactly `expected`."""
    try:
        page.wait_for_function(
            "(expected) => JSON.stringify(window.__said.map((s) => s.text)) === "
            "JSON.stringify(expected)",
            arg=expected,
            timeout=10_000,
        )
    except Exception:
        raise AssertionError(f"said {said(page)}, not {expected}") from None


def only_live_regions(page):
    """The live regions on the page: its announcer and its connection state, nothing else."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[aria-live], [role=status], [role=log]')]
            .filter((el) => !el.hidden).map((el) => el.id || el.className)"""
    )


class Ear:
    """What one page's announcer has said so far, and what it is expected to have said."""

    def __init__(self, page):
        self.page, self.expected = page, []
        record(page)

    def hears(self, *texts):
        """Waits until the announcer has said these too, and nothing else in between."""
        self.expected += texts
        has_said(self.page, self.expected)


def test_each_screen_says_what_changed_for_its_person_once(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Heard, not seen", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    # Ana's clock can be moved on, to hear her timer run out without waiting a minute for it.
    ana_context = open_context(**PHONE)
    ana_context.clock.install(time=datetime.now())
    ana = ana_context.new_page()
    ana.clock.resume()
    join(ana, f"{server}/j/{code}/", "Ana", table="Table 1")
    ben = open_context(**PHONE).new_page()
    join(ben, f"{server}/j/{code}/", "Ben", table="Table 2")
    console, ana_hears, ben_hears = Ear(laptop), Ear(ana), Ear(ben)
    everyone = (console, ana_hears, ben_hears)

    click_next(laptop)
    for ear in everyone:
        ear.hears(NOW_SOLO)

    # Typing says nothing; "Saved" comes once, after the pause, not at each autosave state.
    go_to_step(ana, "Leading team meetings").click()
    ana.keyboard.type("I answer every question in the weekly meeting", delay=40)
    typed = ana.evaluate("Date.now()")
    ana_hears.hears("Saved")
    assert ana.evaluate("window.__said[1].at") >= typed
    # Sharing the answer with her table is said by the same announcer, once.
    ana.get_by_role("button", name="Share this answer with my table").first.click()
    ana_hears.hears("Shared with your table.")

    click_next(laptop)
    for ear in everyone:
        ear.hears(NOW_ANSWERS)
    click_next(laptop)
    for ear in everyone:
        ear.hears(NOW_TABLE)

    # Ben posts: his phone says "Saved", the console names his table; Ana's phone, at another
    # table, hears nothing of it (what she hears next is her own).
    post(ben, "Let the rep lead the call")
    ben_hears.hears("Saved")
    console.hears("New takeaway from Table 2")
    post(ana, "Coach after the call")
    ana_hears.hears("Saved")
    console.hears("New takeaway from Table 1")

    # The counter speaks once near the limit (500) and once at it, never at each keystroke.
    composer = ana.get_by_role("textbox", name=re.compile("Post a takeaway"))
    composer.fill("x" * 440)
    composer.press("End")
    ana.keyboard.type("y" * 20, delay=20)
    ana_hears.hears("50 characters left")
    composer.fill("x" * 500)
    ana_hears.hears("You have reached the limit of 500 characters")
    composer.fill("")

    # Time's up, once, when the timer the phone watched runs out.
    laptop.get_by_label("Minutes").fill("1")
    laptop.get_by_role("button", name="Start timer").click()
    expect(ana.locator("#timer .timer__value")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    ana.clock.fast_forward("01:05")
    ana_hears.hears("Time’s up")

    # Share-out: Ana gives Ben's card a +1. The console's count moves, and nobody is told.
    click_next(laptop)
    for ear in everyone:
        ear.hears(NOW_ROOM)
    card = ana.locator(".takeaway", has_text="Let the rep lead the call")
    card.get_by_role("button", name="Give a +1").click()
    expect(laptop.locator(".takeaway", has_text="Let the rep lead the call")).to_contain_text("+1")
    # No count, tally or list is a live region of its own: only the announcer and the
    # connection's state speak.
    for page in (laptop, ana):
        assert sorted(only_live_regions(page)) == ["announcer", "live-status"]
    click_next(laptop)
    for ear in everyone:
        ear.hears(NOW_THANKS)
    # The announcer the pages started with is the one that spoke: swaps never replaced it.
    for page in (laptop, ana, ben):
        assert page.evaluate("window.__announcer === document.getElementById('announcer')")

    # Closing the workshop: each phone's announcer says so (the banner is no region of its own).
    close_workshop(laptop)
    ana_hears.hears("The facilitator has closed this workshop. Thank you for taking part!")
    assert sorted(only_live_regions(ana)) == ["announcer", "live-status"]
