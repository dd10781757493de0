"""A phone that joins while the room is busy says so, keeps trying, and gets in."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ServerProcess, screenshot
from tests.test_overload import hold_every_place, workshop_of, write_lock_held

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_server(tmp_path):
    # Room for one phone request at a time: one held up is enough to make the room busy.
    process = ServerProcess(tmp_path, MAX_PHONE_REQUESTS="1", DB_LOCK_TIMEOUT="60")
    try:
        yield process.prepare().start()
    finally:
        process.stop()


def test_a_phone_joining_a_busy_room_says_so_and_gets_in(busy_server, open_context):
    _, code = workshop_of(busy_server)
    phone = open_context(**PHONE).new_page()
    phone.goto(f"{busy_server.url}/j/{code}/")
    phone.get_by_label("Your first name").fill("Anna")
    phone.get_by_label("Table 2").check()

    with write_lock_held(busy_server):
        (blocker,) = hold_every_place(busy_server, code, 1)
        phone.get_by_role("button", name="Join").click()
        expect(
            phone.get_by_role("status").filter(has_text="The room is busy, joining…")
        ).to_be_visible()
        screenshot(phone, "phone-join-busy")
    blocker.join(timeout=30)

    expect(phone.locator("#board")).to_be_visible(timeout=30_000)
    expect(phone.locator(".phone-header__who")).to_contain_text("Anna · Table 2")
