"""The console on the facilitator's screens: as a remote on their own phone it fits a 360 px
screen, Back, Next and the timer under the thumb; on a laptop it shows whole agenda titles."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_live_loop import create_workshop, join, post, sign_in

pytestmark = pytest.mark.browser

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

WIDEST = """() => ({
  page: document.documentElement.scrollWidth,
  screen: innerWidth,
  wider: [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
    .map((el) => el.tagName + "." + el.className),
})"""


def in_thumb_reach(page, locator):
    """Wholly on screen, in its lower half."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box["y"] >= height / 2 and box["y"] + box["height"] <= height


def test_the_remote_fits_a_small_phone_with_its_controls_under_the_thumb(server, open_context):
    laptop = open_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "A remote in one hand, coffee in the other", 3, "Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    phone = open_context(viewport={"width": 390, "height": 844}).new_page()
    join(phone, f"{server}/j/{code}/", "Pia", table="Table 2")

    remote = open_context(**SMALL_PHONE).new_page()
    sign_in(remote, server)
    remote.goto(laptop.url)
    runbar = remote.locator(".runbar")
    for _ in range(3):  # through the room's answers to the table discussion
        remote.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        for name in ("Back", "Next"):
            assert in_thumb_reach(remote, runbar.get_by_role("button", name=name))
        assert in_thumb_reach(remote, runbar.locator(".timer-panel"))
        before = runbar.locator(".runbar__title").inner_text()
        runbar.get_by_role("button", name="Next").click()
        expect(runbar.locator(".runbar__title")).not_to_have_text(before)
    expect(runbar.locator(".runbar__title")).to_have_text(
        laptop.locator(".runbar__title").inner_text()
    )
    post(phone, "Coach after the call, not during it, and let the rep lead the next one")
    card = remote.locator(".takeaway", has_text="Coach after the call")
    card.get_by_role("button", name="Hide").click()
    expect(card.get_by_role("button", name="Show")).to_be_visible()

    widest = remote.evaluate(WIDEST)
    assert widest["page"] <= widest["screen"] == 360, widest["wider"]
    remote.evaluate("window.scrollTo(0, 0)")
    expect(remote.get_by_role("button", name="Sign out")).to_be_in_viewport(ratio=1)
    screenshot(remote, "console-remote-360")


LONG_TITLE = "Coaching conversations after a lost deal: what the rep says first, and what you ask"

CUT = "(el) => el.scrollWidth > el.clientWidth + 1"  # cut off (an ellipsis), not wrapped


def test_the_console_shows_whole_agenda_titles(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Long titles", 2)
    console = laptop.url
    laptop.goto(console.rstrip("/") + "/agenda/")
    laptop.get_by_label("Slide", exact=True).check()
    laptop.get_by_label("Title", exact=True).fill(LONG_TITLE)
    laptop.get_by_role("button", name="Add to the agenda").click()
    expect(laptop.get_by_text(f"“{LONG_TITLE}” added.")).to_be_visible()
    laptop.goto(console)
    title = laptop.locator(".agenda__title", has_text=LONG_TITLE)
    expect(title).to_have_text(LONG_TITLE)
    assert not title.evaluate(CUT)
    laptop.get_by_role("button", name=f"Go to {LONG_TITLE}").click()
    runbar_title = laptop.locator(".runbar__title")
    expect(runbar_title).to_have_text(LONG_TITLE)
    assert not runbar_title.evaluate(CUT)
