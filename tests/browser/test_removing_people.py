"""The facilitator removes someone from the console; that phone leaves at once and stays out."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_live_loop import create_workshop, join, sign_in

pytestmark = pytest.mark.browser


def test_a_removed_phone_leaves_the_workshop_at_once_and_cannot_rejoin(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Removals", 1)
    code = laptop.locator(".console__join .code-inline").inner_text()

    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Dana")  # the only table: nothing to pick
    expect(laptop.locator(".console-table__people")).to_have_text("Dana")

    # By keyboard: the disclosure, the person's link, then the confirmation.
    laptop.get_by_text("Remove someone…").focus()
    laptop.keyboard.press("Enter")
    laptop.get_by_role("link", name="Remove Dana").focus()
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_role("heading", name="Remove Dana from the workshop?")).to_be_visible()
    laptop.get_by_role("button", name="Remove from the workshop").focus()
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_text("Dana was removed from the workshop.")).to_be_visible()
    expect(laptop.locator(".console-table__people")).to_have_text("Participant 1")

    # The phone's socket was closed for good: it reloads once, onto the join page, which says why.
    removed = phone.get_by_role("heading", name="You were removed from this workshop")
    expect(removed).to_be_visible()
    expect(phone.get_by_text("The facilitator has removed you from this workshop.")).to_be_visible()
    phone.goto(f"{server}/j/{code}/")
    expect(removed).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("Join"))).to_have_count(0)
