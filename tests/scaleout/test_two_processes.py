"""Two Daphne processes sharing PostgreSQL and Redis behind a proxy, with real Chromium.

Each proxy "door" prefers one process and fails over to the other, as an nginx upstream does: a
phone that came in through the first door talks to the first process until it is killed.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR
from tests.browser.test_live_loop import create_workshop, join, post, sign_in, wall_column
from tests.scaleout.conftest import needs_services
from tests.scaleout.proxy import FailoverProxy

pytestmark = [needs_services, pytest.mark.browser, pytest.mark.timeout(180)]


def open_room(url, open_context, title):
    laptop = open_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(laptop, url)
    create_workshop(laptop, title, 2)
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector = open_context(**PROJECTOR).new_page()
    path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    projector.goto(url + path)
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    projector.evaluate("window.__neverReloaded = true")
    return code, projector


def test_a_phone_and_the_projector_on_two_processes_see_each_other_and_survive_a_kill(
    scaleout_env, start_server, open_context
):
    first = start_server(**scaleout_env)
    second = start_server(**scaleout_env)
    door_1 = FailoverProxy(first.port, second.port).start()
    door_2 = FailoverProxy(second.port, first.port).start()
    try:
        code, projector = open_room(door_2.url, open_context, "Two processes")
        anna = open_context(**PHONE).new_page()
        ben = open_context(**PHONE).new_page()
        join(anna, f"{door_1.url}/j/{code}/", "Anna", table="Table 1")
        join(ben, f"{door_2.url}/j/{code}/", "Ben", table="Table 1")
        # Anna's phone talks to the first process only; the projector and Ben to the second.
        assert door_1.connections[first.port] > 0
        assert door_1.connections[second.port] == 0
        assert door_2.connections[first.port] == 0

        table_1 = wall_column(projector, "Table 1")
        post(anna, "Posted through the first process")
        expect(table_1.get_by_text("Posted through the first process")).to_be_visible()
        expect(ben.get_by_text("Posted through the first process")).to_be_visible()
        post(ben, "Posted through the second process")
        expect(anna.get_by_text("Posted through the second process")).to_be_visible()
        expect(table_1.get_by_text("Posted through the second process")).to_be_visible()

        first.kill()
        # Anna's socket died with its process; Ben posts before her phone is back.
        post(ben, "Posted while Anna's phone moved over")
        expect(anna.get_by_text("Posted while Anna's phone moved over")).to_be_visible(
            timeout=20_000
        )
        expect(anna.locator("#live-status")).to_have_attribute("data-state", "live", timeout=20_000)
        assert door_1.connections[second.port] > 0

        post(anna, "Posted after the failover")
        expect(table_1.get_by_text("Posted after the failover")).to_be_visible()
        expect(ben.get_by_text("Posted after the failover")).to_be_visible()

        # Nothing lost, nothing twice, and nobody had to reload.
        expect(table_1.locator(".takeaway")).to_have_count(4)
        expect(anna.locator(".takeaway")).to_have_count(4)
        expect(anna.locator(".takeaway--pending")).to_have_count(0)
        assert projector.evaluate("window.__neverReloaded") is True
        projector.reload()
        expect(wall_column(projector, "Table 1").locator(".takeaway")).to_have_count(4)
    finally:
        door_1.stop()
        door_2.stop()


def test_redis_restarting_mid_session_loses_no_post_and_every_screen_catches_up(
    scaleout_env, start_server, redis_server, open_context
):
    env = {**scaleout_env, "REDIS_URL": redis_server.url}
    first = start_server(**env)
    second = start_server(**env)
    code, projector = open_room(second.url, open_context, "Redis restarts")
    anna = open_context(**PHONE).new_page()
    join(anna, f"{first.url}/j/{code}/", "Anna", table="Table 1")
    table_1 = wall_column(projector, "Table 1")
    post(anna, "Before Redis restarted")
    expect(table_1.get_by_text("Before Redis restarted")).to_be_visible()

    redis_server.stop()
    post(anna, "While Redis was down")
    # The server took it (the write does not need Redis), so nothing waits on the phone.
    expect(anna.locator(".takeaway--pending")).to_have_count(0)
    expect(anna.get_by_text("While Redis was down")).to_be_visible()
    # The projector's process never heard of it through Redis: its heartbeat, read from the
    # database, tells the projector, which catches up while its socket stays open.
    expect(table_1.get_by_text("While Redis was down")).to_be_visible(timeout=10_000)
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")

    redis_server.start()
    post(anna, "After Redis restarted")
    expect(table_1.get_by_text("After Redis restarted")).to_be_visible()

    expect(table_1.locator(".takeaway")).to_have_count(3)
    assert projector.evaluate("window.__neverReloaded") is True
    projector.reload()
    expect(wall_column(projector, "Table 1").locator(".takeaway")).to_have_count(3)
    # The sockets were closed on purpose, not crashed: no traceback for each of them.
    for server in (first, second):
        assert "Exception inside application" not in server.log_tail(100_000)
