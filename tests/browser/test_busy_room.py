"""A phone that joins while the room is busy says so, keeps trying, and gets in."""

import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ServerProcess, screenshot
from tests.test_overload import Joiner, until_accepted, workshop_of, write_lock_held

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_server(tmp_path):
    # Room for one phone request at a time: one held up is enough to make the room busy.
    process = ServerProcess(tmp_path, MAX_PHONE_REQUESTS="1", DB_LOCK_TIMEOUT="60")
    try:
        yield process.prepare().start()
    finally:
        process.stop()


def occupy_the_only_place(server, code):
    """A phone whose join waits for the write lock, holding the server's one place."""
    blocker, probe = Joiner(server, code, "Blocker"), Joiner(server, code, "Probe")
    # Until it is taken on: a probe arriving first may have made it wait its turn.
    thread = threading.Thread(target=until_accepted, args=(blocker.join,))
    thread.start()
    # Refused three times running, a tenth of a second apart, the probe knows the blocker holds
    # the place (a single refusal may be its own last request, still finishing).
    refusals = 0
    while refusals < 3:
        refusals = refusals + 1 if probe.request(f"/j/{code}/")[0] == 503 else 0
        threading.Event().wait(0.1)
    return thread


def test_a_phone_joining_a_busy_room_says_so_and_gets_in(busy_server, open_context):
    _, code = workshop_of(busy_server)
    phone = open_context(**PHONE).new_page()
    phone.goto(f"{busy_server.url}/j/{code}/")
    phone.get_by_label("Your first name").fill("Anna")
    phone.get_by_label("Table 2").check()

    with write_lock_held(busy_server):
        blocker = occupy_the_only_place(busy_server, code)
        phone.get_by_role("button", name="Join").click()
        expect(
            phone.get_by_role("status").filter(has_text="The room is busy, joining…")
        ).to_be_visible()
        screenshot(phone, "phone-join-busy")
    blocker.join(timeout=30)

    expect(phone.locator("#board")).to_be_visible(timeout=30_000)
    expect(phone.locator(".phone-header__who")).to_contain_text("Anna · Table 2")
