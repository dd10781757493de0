"""Nothing lost on venue Wi-Fi: offline posts, drafts, blocked WebSockets, a killed server."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, ServerProcess
from tests.browser.test_live_loop import create_workshop, join, post, sign_in, wall_column
from tests.browser.test_whole_day import go_to_step

pytestmark = pytest.mark.browser

# A network whose proxy lets HTTP through but never completes a WebSocket handshake.
BLOCK_WEBSOCKETS = """
window.WebSocket = class BlockedWebSocket extends EventTarget {
  static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3;
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 3;
    setTimeout(() => {
      this.dispatchEvent(new CloseEvent("close", {code: 1006}));
      window.__failedSockets = (window.__failedSockets || 0) + 1;
    }, 50);
  }
  send() {}
  close() {}
};
"""

# Every state the live status takes from now on.
STATES_SEEN = """
window.__statesSeen = [];
const status = document.getElementById("live-status");
new MutationObserver(() => window.__statesSeen.push(status.dataset.state))
  .observe(status, {attributes: true, attributeFilter: ["data-state"]});
"""


def composer(phone):
    return phone.get_by_role("textbox", name=re.compile("Post a takeaway"))


def open_room(server_url, open_context, tables=2, projector_script=None):
    laptop = open_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(laptop, server_url)
    create_workshop(laptop, "Flaky Wi-Fi", tables)
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector_context = open_context(**PROJECTOR)
    if projector_script:
        projector_context.add_init_script(projector_script)
    projector = projector_context.new_page()
    path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    projector.goto(server_url + path)
    return code, projector


def test_posts_made_offline_wait_on_the_phone_and_arrive_once(server, open_context):
    code, projector = open_room(server, open_context)
    phone_context = open_context(**PHONE)
    phone = phone_context.new_page()
    join(phone, f"{server}/j/{code}/", "Noor", table="Table 1")

    phone_context.set_offline(True)
    post(phone, "Written in the lift")
    post(phone, "Written in the basement")
    pending = phone.locator(".takeaway--pending")
    expect(pending).to_have_count(2)
    expect(pending.first).to_contain_text("Waiting to send")
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "offline")

    phone_context.set_offline(False)
    table_1 = wall_column(projector, "Table 1")
    expect(table_1.get_by_text("Written in the lift")).to_have_count(1, timeout=15_000)
    expect(table_1.get_by_text("Written in the basement")).to_have_count(1)
    expect(pending).to_have_count(0)
    expect(phone.get_by_text("Written in the lift")).to_have_count(1)
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "live", timeout=15_000)
    # Nothing was stored twice, even after reconnecting and catching up.
    projector.reload()
    expect(wall_column(projector, "Table 1").locator(".takeaway")).to_have_count(2)


def test_a_half_typed_takeaway_survives_a_reload(server, open_context):
    code, _ = open_room(server, open_context)
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Ines", table="Table 2")
    composer(phone).fill("Half a thought about coaching in the fi")
    phone.reload()
    expect(composer(phone)).to_have_value("Half a thought about coaching in the fi")
    phone.close()

    # Even a new tab on the same phone (a crashed browser tab) finds the words.
    again = phone.context.new_page()
    again.goto(f"{server}/w/{code}/")
    expect(composer(again)).to_have_value("Half a thought about coaching in the fi")
    post(again, "Half a thought about coaching in the field, finished")
    again.reload()
    expect(composer(again)).to_have_value("")


def test_with_websockets_blocked_the_projector_still_updates(server, open_context):
    code, projector = open_room(server, open_context, projector_script=BLOCK_WEBSOCKETS)
    status = projector.locator("#live-status")
    expect(status).to_have_attribute("data-state", "polling", timeout=15_000)
    expect(status).to_contain_text("slow network")
    # The screen keeps trying its socket; each try that fails leaves the status as it is.
    projector.evaluate(STATES_SEEN)
    failed = projector.evaluate("window.__failedSockets")
    projector.wait_for_function(
        "failed => window.__failedSockets > failed", arg=failed, timeout=60_000
    )
    assert set(projector.evaluate("window.__statesSeen")) <= {"polling"}

    phone = open_context(**PHONE).new_page()
    join(phone, f"{server}/j/{code}/", "Omar", table="Table 2")
    post(phone, "Shown without a socket")
    table_2 = wall_column(projector, "Table 2")
    expect(table_2.get_by_text("Shown without a socket")).to_be_visible(timeout=6_000)
    expect(table_2.locator(".wall-table__count")).to_have_text("1")


# hx-ws keeps each connection's settings on the connection it made at load.
DEEP_BACKOFF = """
const config = document.getElementById("main")._htmx.ws.connection.config;
config.reconnectDelay = config.reconnectMaxDelay = 600000;
config.reconnectJitter = 0;
"""


def test_a_killed_server_loses_nothing_and_every_screen_resumes(tmp_path, open_context):
    server = ServerProcess(tmp_path).prepare().start()
    try:
        code, projector = open_room(server.url, open_context)
        anna = open_context(**PHONE).new_page()
        ben = open_context(**PHONE).new_page()
        join(anna, f"{server.url}/j/{code}/", "Anna", table="Table 1")
        join(ben, f"{server.url}/j/{code}/", "Ben", table="Table 2")
        post(anna, "Acknowledged before the crash")
        expect(anna.locator(".takeaway--pending")).to_have_count(0)
        expect(anna.get_by_text("Acknowledged before the crash")).to_be_visible()

        # The projector as if it had been down a long while: its next socket try is minutes
        # away, so only noticing that the server answers again brings its socket back in time.
        projector.evaluate(DEEP_BACKOFF)
        server.kill()
        for page in (projector, anna, ben):
            expect(page.locator("#live-status")).not_to_have_attribute("data-state", "live")
        post(ben, "Written while the server was down")
        expect(ben.locator(".takeaway--pending")).to_contain_text("Waiting to send")

        server.start()
        for page in (projector, anna, ben):
            expect(page.locator("#live-status")).to_have_attribute(
                "data-state", "live", timeout=25_000
            )
        post(anna, "Posted after the restart")

        table_1 = wall_column(projector, "Table 1")
        table_2 = wall_column(projector, "Table 2")
        expect(table_2.get_by_text("Written while the server was down")).to_have_count(1)
        expect(table_1.get_by_text("Posted after the restart")).to_have_count(1)
        expect(table_1.get_by_text("Acknowledged before the crash")).to_have_count(1)
        expect(ben.locator(".takeaway--pending")).to_have_count(0)
        expect(anna.get_by_text("Posted after the restart")).to_have_count(1)
        projector.reload()
        expect(projector.locator(".takeaway")).to_have_count(3)
    finally:
        server.stop()


def test_a_half_answered_reflection_survives_a_reload(server, open_context):
    laptop = open_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Reflective", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    laptop.locator(".runbar").get_by_role("button", name=re.compile("Next")).click()
    expect(laptop.locator(".runbar__title")).to_have_text("Where do I step in?")

    phone_context = open_context(**PHONE)
    phone = phone_context.new_page()
    join(phone, f"{server}/j/{code}/", "Rosa", table="Table 1")
    answer = go_to_step(phone, "Leading team meetings")
    # Offline, so the words can only have been kept on the phone itself.
    phone_context.set_offline(True)
    with phone.expect_event("requestfailed", lambda request: request.method == "POST"):
        answer.fill("I chair the weekly pipeline call myse")  # the autosave is tried, and fails
    # Back online only to load the page again: a save the phone tries meanwhile (its outbox
    # does, on `online`) is held back, so that what the reload shows comes from the phone.
    phone.route("**/answer/**", lambda route: route.abort())
    phone_context.set_offline(False)
    phone.reload()
    expect(go_to_step(phone, "Leading team meetings")).to_have_value(
        "I chair the weekly pipeline call myse"
    )
