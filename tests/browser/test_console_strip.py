"""The console answers at a glance: who is here (per table, during every activity), who is
still writing, what comes next, and how late the day runs against its agenda. Real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_live_loop import create_workshop, join, sign_in
from tests.browser.test_whole_day import ROOM_ANSWERS, click_next

pytestmark = pytest.mark.browser

# The day began (its first phone joined) {joined} minutes ago, this activity {entered} ago.
BACKDATE = """
from datetime import timedelta
from django.utils import timezone
from workshop.models import Workshop
workshop = Workshop.objects.get(code={code!r})
now = timezone.now()
workshop.participants.update(joined_at=now - timedelta(minutes={joined}))
workshop.activities.filter(pk=workshop.current_activity_id).update(
    entered_at=now - timedelta(minutes={entered})
)
"""


def strip(laptop):
    return laptop.locator(".room-strip")


def test_the_console_shows_who_is_here_who_is_writing_and_how_late_we_are(
    module_server, open_context
):
    url = module_server.url
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, url)
    create_workshop(laptop, "Sales leadership day", 3, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    expect(strip(laptop)).to_contain_text("0 joined")
    expect(strip(laptop)).to_contain_text("starts when the first phone joins")
    expect(strip(laptop).locator("[data-clock]")).to_have_text(re.compile(r"\d\d:\d\d"))
    expect(strip(laptop)).to_contain_text("Where do I step in?")  # next up

    # During the opening slide, people appear per table as they join.
    phones = {}
    for name, table in (("Anna", "Table 1"), ("Ben", "Table 1"), ("Chloé", "Table 2")):
        phones[name] = open_context(**PHONE).new_page()
        join(phones[name], f"{url}/j/{code}/", name, table=table)
    expect(strip(laptop).locator(".room-strip__joined")).to_have_text("3 joined")
    tables = strip(laptop).locator(".room-strip__tables li")
    expect(tables).to_have_text(["Table 1 2", "Table 2 1", "Table 3 0"])
    expect(strip(laptop).locator("[data-late]")).to_have_text("On time")

    # During the reflection: who is still writing, by name, as each one finishes.
    click_next(laptop)
    writing = strip(laptop).locator(".room-strip__writing")
    expect(writing).to_have_text(re.compile(r"3 still writing:\s+Anna, Ben, Chloé"))
    # What comes next: the room's answers to the reflection.
    expect(strip(laptop).locator(".room-strip__next")).to_contain_text(ROOM_ANSWERS)
    expect(strip(laptop).locator(".room-strip__next")).to_contain_text("10 min")
    phones["Anna"].get_by_role("button", name="I’m done").click()
    expect(phones["Anna"].locator(".solo-done")).to_contain_text("You’re done")
    expect(writing).to_have_text(re.compile(r"2 still writing:\s+Ben, Chloé"))
    expect(laptop.locator("#progress")).to_contain_text("1 of 3 finished")

    # Forty minutes into the day, thirty into a reflection planned for fifteen.
    module_server.shell(BACKDATE.format(code=code, joined=40, entered=30))
    laptop.reload()
    expect(strip(laptop).locator("[data-late]")).to_have_text("25 min behind")
    expect(strip(laptop).locator("[data-elapsed]")).to_have_text("30 of 15 min")
    expect(strip(laptop).locator(".room-strip__clock--over")).to_have_count(1)
    screenshot(laptop, "console-room-strip")


def test_the_console_previews_the_projector_only_while_asked(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Preview", 2, template="Hero to hero-maker")
    frame = laptop.locator("[data-projector-preview] iframe")
    expect(frame).not_to_have_attribute("src", re.compile("."))  # no second projector yet
    laptop.get_by_text("Preview of the projector").click()
    preview = laptop.frame_locator("[data-projector-preview] iframe")
    now = laptop.locator(".runbar__title")
    expect(preview.locator(".stage-head__title")).to_have_text(now.inner_text())
    expect(preview.locator("#live-status")).to_have_attribute("data-state", "live")
    click_next(laptop)
    expect(preview.locator(".stage-head__title")).to_have_text(now.inner_text())
    screenshot(laptop, "console-projector-preview")
    laptop.get_by_text("Preview of the projector").click()
    expect(frame).not_to_have_attribute("src", re.compile("."))
