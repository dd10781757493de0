"""A failed htmx request says what happened and leaves the page as it was."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_loop import close_workshop, create_workshop, sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1440, "height": 900}}


def open_console(open_context, server, title):
    context = open_context(**LAPTOP)
    laptop = context.new_page()
    sign_in(laptop, server)
    create_workshop(laptop, title, 2)
    expect(laptop.locator("#live-status")).to_have_attribute("data-state", "live")
    return context, laptop


def status_block(laptop):
    return laptop.locator("#workshop-status")


def test_a_stale_csrf_token_says_reload_and_the_console_stays_as_it_was(server, open_context):
    context, laptop = open_console(open_context, server, "Stale token")
    block = status_block(laptop)
    before = block.inner_html()
    # The page was open past its token: the browser's cookie no longer matches the page's.
    context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": server}])

    close_workshop(laptop)

    alert = laptop.get_by_role("alert")
    expect(alert).to_contain_text("This page was open too long; reload to continue.")
    expect(alert.get_by_role("button", name="Reload the page")).to_be_visible()
    expect(block.get_by_role("button", name="Close workshop")).to_be_visible()
    assert block.inner_html() == before
    assert "Forbidden" not in laptop.content()

    alert.get_by_role("button", name="Reload the page").click()
    expect(laptop.get_by_role("alert")).to_be_hidden()
    close_workshop(laptop)  # a fresh token: it works
    expect(status_block(laptop).get_by_role("button", name="Reopen workshop")).to_be_visible()


def test_a_server_error_in_a_fragment_request_shows_a_message_not_the_error_page(
    server, open_context
):
    _context, laptop = open_console(open_context, server, "Server error")
    block = status_block(laptop)
    before = block.inner_html()
    error_page = "<!doctype html><title>Server Error (500)</title><h1>Server Error (500)</h1>"
    laptop.route(
        re.compile(r".*/status/$"),
        lambda route: route.fulfill(status=500, body=error_page, content_type="text/html"),
    )

    close_workshop(laptop)

    alert = laptop.get_by_role("alert")
    expect(alert).to_contain_text("Something went wrong on the server.")
    expect(alert.get_by_role("button", name="Reload the page")).to_be_visible()
    assert block.inner_html() == before
    expect(laptop.get_by_text("Server Error (500)")).to_have_count(0)


def test_no_answer_at_all_says_the_server_could_not_be_reached(server, open_context):
    _context, laptop = open_console(open_context, server, "Network error")
    block = status_block(laptop)
    before = block.inner_html()
    laptop.route(re.compile(r".*/status/$"), lambda route: route.abort("internetdisconnected"))

    close_workshop(laptop)

    alert = laptop.get_by_role("alert")
    expect(alert).to_contain_text("The server could not be reached.")
    expect(alert.get_by_role("button", name="Reload the page")).to_be_hidden()
    assert block.inner_html() == before
    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_be_hidden()
