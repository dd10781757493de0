"""A phone that posts faster than its budget says so, keeps the words, and sends them later."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ServerProcess
from tests.browser.test_live_loop import join, post
from tests.test_overload import workshop_of

pytestmark = pytest.mark.browser


@pytest.fixture
def tight_server(tmp_path):
    # Two posts at once, then one every 2 seconds: the third waits on the phone.
    process = ServerProcess(tmp_path, POST_BUDGET="2,2")
    try:
        yield process.prepare().start()
    finally:
        process.stop()


def test_a_post_beyond_the_budget_waits_on_the_phone_saying_so_then_goes_out(
    tight_server, open_context
):
    _, code = workshop_of(tight_server)
    phone = open_context(**PHONE).new_page()
    join(phone, f"{tight_server.url}/j/{code}/", "Anna", table="Table 1")
    for text in ["First", "Second", "Third, a little too fast"]:
        post(phone, text)
    pending = phone.locator(".takeaway--pending").filter(has_text="Third, a little too fast")
    expect(pending).to_contain_text("You are sending a lot at once.")
    # Nothing of the refusal was put into the page: the board is as it was.
    expect(phone.locator("#board")).to_be_visible()
    expect(phone.get_by_text("A little slower, please")).to_have_count(0)
    # Once the budget has room, it goes out by itself and becomes a card like the others.
    expect(pending).to_have_count(0, timeout=20_000)
    expect(phone.locator(".takeaway").filter(has_text="Third, a little too fast")).to_have_count(1)
