"""The agenda editor and the take-home notes, in real Chromium against the real server."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_live_loop import create_workshop, join, post, sign_in
from tests.browser.test_whole_day import (
    CLOSING,
    DISCUSSION,
    REFLECTION,
    ROOM_ANSWERS,
    SHAREOUT,
    WELCOME,
)

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1440, "height": 900}}


def agenda_titles(page):
    return page.locator(".agenda-item__title").all_inner_texts()


def test_building_the_day_from_the_built_in_template(server, open_context):
    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, server)

    # Start from the built-in template.
    create_workshop(
        laptop, "Regional sales leadership day", 4, template="^Hero to hero-maker Built-in"
    )

    laptop.goto(f"{server}/f/")
    laptop.locator(".workshop-list__item", has_text="Regional sales leadership day").get_by_role(
        "link", name="Edit agenda"
    ).click()
    expect(laptop.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    assert agenda_titles(laptop) == [
        WELCOME,
        REFLECTION,
        ROOM_ANSWERS,
        DISCUSSION,
        SHAREOUT,
        CLOSING,
    ]
    running = laptop.locator(".agenda-item--running")
    expect(running).to_contain_text("From hero to hero-maker")

    # Add a slide: it goes to the end.
    laptop.get_by_label("Slide", exact=True).check()
    laptop.get_by_label("Title", exact=True).fill("Lunch break")
    laptop.get_by_label("Instructions").fill("Back in the room at 13:30.")
    laptop.get_by_label("Duration (minutes)").fill("45")
    laptop.get_by_role("button", name="Add to the agenda").click()
    expect(laptop.get_by_text("“Lunch break” added.")).to_be_visible()
    assert agenda_titles(laptop)[-1] == "Lunch break"

    # Edit a written step of the solo reflection (the first after its checklist of situations),
    # then move it down.
    laptop.get_by_role("link", name="Edit “Where do I step in?”").click()
    expect(laptop.get_by_role("heading", name="Steps on the phone")).to_be_visible()
    written = laptop.get_by_role("group", name="Step 2")
    written.get_by_label("Prompt").fill("Running the Monday team meeting")
    written.get_by_label("Help text").fill("Who talks most? Who decides?")
    laptop.get_by_role("button", name="Save steps").click()
    expect(laptop.get_by_text("Steps saved.")).to_be_visible()
    expect(laptop.get_by_role("group", name="Step 2").get_by_label("Prompt")).to_have_value(
        "Running the Monday team meeting"
    )
    laptop.get_by_role("group", name="Step 2").get_by_role("button", name="Move down").click()
    expect(laptop.get_by_role("group", name="Step 3").get_by_label("Prompt")).to_have_value(
        "Running the Monday team meeting"
    )
    # A checklist shows its options; a written answer does not need any.
    for number in (1, 6):
        checklist = laptop.get_by_role("group", name=f"Step {number}", exact=True)
        expect(checklist.get_by_label("Checklist options")).to_be_visible()
    expect(
        laptop.get_by_role("group", name="Step 3").get_by_label("Checklist options")
    ).to_be_hidden()

    # Move the lunch break before the closing slide.
    laptop.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Agenda").click()
    laptop.get_by_role("button", name="Move “Lunch break” up").click()
    expect(laptop.locator(".agenda-item__title").nth(5)).to_have_text("Lunch break")
    assert agenda_titles(laptop)[-1] == "Thank you"

    # Delete the opening slide, which is running: the room moves on to the reflection.
    laptop.get_by_role("link", name="Delete “From hero to hero-maker”").click()
    expect(laptop.get_by_text("It is running now")).to_be_visible()
    laptop.get_by_role("button", name="Delete activity").click()
    expect(laptop.get_by_text("“From hero to hero-maker” deleted.")).to_be_visible()
    assert agenda_titles(laptop) == [
        "Where do I step in?",
        "Where this room plays hero",
        "At your table",
        "With the room",
        "Lunch break",
        "Thank you",
    ]
    expect(running).to_contain_text("Where do I step in?")

    # Keep it for next time.
    laptop.get_by_label("Template name").fill("Sales leadership day")
    laptop.get_by_role("button", name="Save as template").click()
    expect(laptop.get_by_text("Saved as the template “Sales leadership day”")).to_be_visible()
    laptop.evaluate("window.scrollTo(0, 0)")
    screenshot(laptop, "agenda-editor")

    laptop.goto(f"{server}/f/")
    expect(
        laptop.get_by_role("radio", name=re.compile("^Sales leadership day Your template"))
    ).to_be_visible()


def test_a_participant_takes_their_notes_home(server, open_context, tmp_path):
    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Spring kick-off", 2)
    code = laptop.locator(".console__join .code-inline").inner_text()

    amira = open_context(**PHONE).new_page()
    jonas = open_context(**PHONE).new_page()
    join(amira, f"{server}/j/{code}/", "Amira", table="Table 1")
    join(jonas, f"{server}/j/{code}/", "Jonas", table="Table 1")
    post(amira, "Ask the rep what they would do first, then wait.")
    post(jonas, "Pipeline reviews: ask, don't answer.")
    post(amira, "Book a weekly coaching slot with each rep — and protect it.")
    # Every post has reached the server: Jonas's phone heard of it from there.
    expect(jonas.get_by_text("Book a weekly coaching slot")).to_be_visible()
    expect(amira.locator(".takeaway--pending")).to_have_count(0)

    amira.goto(f"{server}/w/{code}/notes/")
    expect(amira.get_by_role("heading", name="My notes")).to_be_visible()
    expect(amira.get_by_text("Pipeline reviews: ask, don't answer.")).to_be_visible()
    expect(amira.get_by_role("button", name="Print")).to_be_visible()
    screenshot(amira, "phone-notes")

    with amira.expect_download() as download_info:
        amira.get_by_role("link", name="Download (Markdown)").click()
    download = download_info.value
    assert download.suggested_filename == "spring-kick-off-my-notes.md"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    markdown = saved.read_text("utf-8")
    assert markdown.startswith("# My notes: Spring kick-off\n")
    assert "- Pipeline reviews: ask, don't answer. — *Jonas*" in markdown

    # Printed, the page keeps the notes and drops the buttons.
    amira.emulate_media(media="print")
    expect(amira.get_by_role("button", name="Print")).to_be_hidden()
    expect(amira.get_by_role("link", name="Download (Markdown)")).to_be_hidden()
    expect(amira.get_by_text("Book a weekly coaching slot")).to_be_visible()
