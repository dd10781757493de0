"""Every screen of the live loop at its real size, with a room's worth of content.

These screenshots are looked at by people (and refreshed into the README by `make screenshots`);
the assertions check what a screenshot cannot: that the wall fits without scrolling and that
table cards print on the expected number of A4 and Letter pages.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, SCREENSHOTS, screenshot
from tests.browser.test_live_loop import create_workshop, join, post, sign_in

pytestmark = pytest.mark.browser

TAKEAWAYS = [
    (
        "Table 1",
        "Amira",
        "I jump into customer calls the moment a deal wobbles. "
        "Next time I ask the rep what they would do first.",
    ),
    ("Table 1", "Jonas", "Pipeline reviews: ask, don't answer."),
    (
        "Table 2",
        "Priya",
        "Field days are for watching and debriefing — not for taking over the meeting.",
    ),
    ("Table 2", "Tom", "My team can't scale if every big presentation goes through me."),
    ("Table 3", "Lena", "Reporting up: let the reps present their own numbers to the VP."),
    ("Table 3", "Marco", "Being the hero feels good today and costs the team tomorrow."),
    ("Table 4", "Sofia", "Book a weekly coaching slot with each rep and protect it."),
    ("Table 4", "Ravi", "Top performers leave when they never get the hard deals."),
]


WALL_FITS = """() =>
    [...document.querySelectorAll('.takeaways--wall')]
        .every(list => list.scrollHeight <= list.clientHeight + 1)
    && document.documentElement.scrollHeight <= window.innerHeight"""


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_screens_of_a_running_workshop(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "From hero to hero-maker", 5)
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector_path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")

    projector = open_context(**PROJECTOR).new_page()
    projector.goto(server + projector_path)
    screenshot(projector, "projector-empty")

    first_phone = open_context(**PHONE).new_page()
    first_phone.goto(f"{server}/j/{code}/")
    first_phone.get_by_label("Your first name").fill("Amira")
    first_phone.get_by_label("Table 1").check()
    screenshot(first_phone, "phone-join")
    first_phone.get_by_role("button", name="Join").click()
    expect(first_phone.locator("#live-status")).to_have_attribute("data-state", "live")

    phones = {"Amira": first_phone}
    for table, name, text in TAKEAWAYS:
        if name not in phones:
            phones[name] = open_context(**PHONE).new_page()
            join(phones[name], f"{server}/j/{code}/", name, table=table)
        post(phones[name], text)
    expect(projector.locator(".takeaway--wall")).to_have_count(len(TAKEAWAYS))

    # The wall fits the screen (once it has refitted): no list scrolls, nor the page itself.
    projector.wait_for_function(WALL_FITS)
    screenshot(projector, "projector")
    expect(phones["Priya"].locator(".takeaway").last).to_be_visible()
    screenshot(phones["Priya"], "phone-board")

    laptop.reload()
    screenshot(laptop, "console")

    laptop.get_by_role("link", name="Print table cards").click()
    screenshot(laptop, "table-cards")
    for per_page, pages in ((2, 3), (4, 2)):
        laptop.goto(f"{laptop.url.split('?')[0]}?per_page={per_page}")
        for paper in ("A4", "Letter"):
            pdf = laptop.pdf(format=paper)
            (SCREENSHOTS / f"table-cards-{per_page}-{paper}.pdf").write_bytes(pdf)
            assert pdf_pages(pdf) == pages, (per_page, paper)
