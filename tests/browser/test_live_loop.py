"""The live loop end to end: a facilitator, a projector and three phones in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    PHONE,
    PROJECTOR,
    screenshot,
)

pytestmark = pytest.mark.browser

XSS_TEXT = '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> bold'


def sign_in(page, server):
    page.goto(f"{server}/f/login/")
    page.get_by_label("Email address").fill(FACILITATOR_EMAIL)
    page.get_by_label("Password").fill(FACILITATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="New workshop")).to_be_visible()


def create_workshop(page, title, tables, template=None):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Number of tables").fill(str(tables))
    if template:
        page.get_by_role("radio", name=re.compile(template)).check()
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def join(phone, url, name, table=None):
    phone.goto(url)
    phone.get_by_label("Your first name").fill(name)
    if table:
        phone.get_by_label(table).check()
    phone.get_by_role("button", name="Join").click()
    expect(phone.locator("#board")).to_be_visible()
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "live")


def post(phone, text):
    phone.get_by_role("textbox", name=re.compile("Post a takeaway")).fill(text)
    phone.get_by_role("button", name="Post").click()
    expect(phone.get_by_role("textbox", name=re.compile("Post a takeaway"))).to_have_value("")


def close_workshop(page):
    """Close workshop, and yes to "Close the workshop?"."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close workshop").click()


def wall_column(projector, table_name):
    return projector.locator("section.wall-table").filter(
        has=projector.get_by_role("heading", name=table_name)
    )


def test_phones_post_and_the_projector_shows_it_live(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Leading sales teams", 2)
    code = laptop.locator(".console__join .code-inline").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code)

    projector = open_context(**PROJECTOR).new_page()
    projector_path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    projector.goto(server + projector_path)
    expect(projector.locator(".join-panel__code")).to_have_text(code)
    expect(projector.locator(".join-panel svg.qr")).to_be_visible()
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    projector.evaluate("window.__neverReloaded = true")

    laptop.get_by_role("link", name="Print table cards").click()
    table_2_link = laptop.locator(".table-card", has_text="Table 2").locator(".table-card__url")
    card_url = "http://" + table_2_link.inner_text()
    assert card_url.endswith(f"/j/{code}/2/")

    anna = open_context(**PHONE).new_page()
    ben = open_context(**PHONE).new_page()
    chloe = open_context(**PHONE).new_page()
    join(anna, f"{server}/j/{code.lower()}/", "Anna", table="Table 1")
    join(ben, card_url, "Ben")
    join(chloe, f"{server}/j/{code}/", "Chloé", table="Table 1")
    expect(ben.locator(".phone-board__title")).to_contain_text("Table 2")

    expect(wall_column(projector, "Table 1").locator(".wall-table__count")).to_have_text("2")
    expect(wall_column(projector, "Table 2").locator(".wall-table__count")).to_have_text("1")

    post(anna, "Coach in the field instead of closing the deal myself")
    post(ben, "Let reps run the customer meeting")
    post(chloe, XSS_TEXT)

    table_1 = wall_column(projector, "Table 1")
    table_2 = wall_column(projector, "Table 2")
    expect(
        table_1.get_by_text("Coach in the field instead of closing the deal myself")
    ).to_be_visible()
    expect(table_2.get_by_text("Let reps run the customer meeting")).to_be_visible()
    expect(table_1.get_by_text(XSS_TEXT)).to_be_visible()
    expect(table_2.locator(".takeaway")).to_have_count(1)

    # Phones see their own table's takeaways live, and nobody else's.
    expect(anna.get_by_text(XSS_TEXT)).to_be_visible()
    expect(
        chloe.get_by_text("Coach in the field instead of closing the deal myself")
    ).to_be_visible()
    expect(ben.locator(".takeaway")).to_have_count(1)

    # Participant text is shown as text: nothing in it ran anywhere.
    for page in (projector, anna, chloe, laptop):
        assert page.evaluate("window.__pwned") is None
    assert projector.locator(".takeaway img").count() == 0

    screenshot(anna, "phone-board")
    screenshot(projector, "projector")

    # The author edits; the change follows live.
    own = anna.locator(".takeaway", has_text="Coach in the field")
    own.get_by_role("link", name="Edit").click()
    anna.get_by_role("textbox", name="Edit your takeaway").fill("Coach in the field, every week")
    anna.get_by_role("button", name="Save").click()
    expect(table_1.get_by_text("Coach in the field, every week")).to_be_visible()
    expect(chloe.get_by_text("Coach in the field, every week")).to_be_visible()
    # Only the author can edit: Chloé sees no button on Anna's takeaway.
    expect(
        chloe.locator(".takeaway", has_text="every week").get_by_role("link", name="Edit")
    ).to_be_hidden()

    # The facilitator hides a takeaway: it leaves the projector and the phones at once.
    laptop.goto(f"{server}/f/")
    laptop.get_by_role("link", name="Leading sales teams").click()
    laptop.locator(".takeaway", has_text="Let reps run").get_by_role("button", name="Hide").click()
    expect(table_2.get_by_text("Let reps run the customer meeting")).to_have_count(0)
    expect(ben.get_by_text("Let reps run the customer meeting")).to_have_count(0)
    expect(laptop.locator(".takeaway--hidden", has_text="Let reps run")).to_be_visible()
    laptop.locator(".takeaway", has_text="Let reps run").get_by_role("button", name="Show").click()
    expect(table_2.get_by_text("Let reps run the customer meeting")).to_be_visible()

    # The author deletes; it goes everywhere.
    chloe.on("dialog", lambda dialog: dialog.accept())
    chloe.locator(".takeaway", has_text="bold").get_by_role("button", name="Delete").click()
    expect(table_1.get_by_text(XSS_TEXT)).to_have_count(0)
    expect(anna.get_by_text(XSS_TEXT)).to_have_count(0)

    screenshot(laptop, "console")
    assert projector.evaluate("window.__neverReloaded") is True
