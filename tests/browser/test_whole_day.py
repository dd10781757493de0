"""The built-in "Hero to hero-maker" day from start to finish: a facilitator, a projector, and
four phones at two tables, in real Chromium. Its helpers walk the built-in day for the other
browser tests too."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import (
    close_workshop,
    create_workshop,
    join,
    post,
    sign_in,
    wall_column,
)

pytestmark = pytest.mark.browser

# The built-in day: each activity's title, in agenda order.
WELCOME, REFLECTION, ROOM_ANSWERS, DISCUSSION, SHAREOUT, CLOSING = (
    "From hero to hero-maker",
    "Where do I step in?",
    "Where this room plays hero",
    "At your table",
    "With the room",
    "Thank you",
)
# Its reflection's two checklists: the room's answers count them.
SITUATIONS = "In which of these situations do you step in?"
COSTS = "Which of these costs do you recognise in yourself?"
WAITING = "Waiting for at least 5 answers"

SECRETS = {
    "Anna": "I run the Monday meeting for my reps",
    "Ben": "I rewrite every proposal myself",
    "Chloé": "I take over the client call",
    "Dev": "I present the numbers to the VP",
}
# Where each of them steps in: the reflection's first checklist.
STEPS_IN = {
    "Anna": ["Leading team meetings"],
    "Ben": ["Big presentations and customer meetings"],
    "Chloé": ["Working in the field with your people"],
    "Dev": ["Reporting results up the chain", "Leading team meetings"],
}


def seconds(text: str) -> int:
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def timer_left(page) -> int:
    return seconds(page.locator("#timer .timer__value").inner_text())


def read_together(first, second) -> tuple[int, int]:
    """Both timers, read while the first shows one value: on a busy machine the reads may be
    far apart, and a timer that ticked between them would look a second or more off."""
    for _ in range(10):
        before, other, after = timer_left(first), timer_left(second), timer_left(first)
        if before == after:
            return before, other
    raise AssertionError("the first timer ticked during every pair of reads")


def stage_title(page):
    return page.locator("#board .stage-head__title")


def press(laptop, name):
    """Presses Next or Back on the console, and waits until the console shows where the room
    went: a facilitator presses what they see, and a press made from an older view is taken
    as a double tap (it does nothing)."""
    title = laptop.locator(".runbar__title")
    before = title.inner_text()
    laptop.locator(".runbar").get_by_role("button", name=re.compile(name)).click()
    expect(title).not_to_have_text(before)


def click_next(laptop):
    press(laptop, "Next")


def click_back(laptop):
    press(laptop, "Back")


def next_step(phone):
    """Next on the phone's reflection: the step after the one it shows."""
    phone.locator(".solo-step.is-current").get_by_role("button", name=re.compile("Next")).click()


def go_to_step(phone, name, role="textbox"):
    """Pages through the reflection to the step with the field (or checkbox) called `name`."""
    field = phone.get_by_role(role, name=name)
    while not field.is_visible():
        next_step(phone)
    return field


def tick(phone, *options, status="Saved"):
    """Ticks options of a checklist of the reflection, paging to it, and waits until the phone
    says they are saved (or, offline, `status="Not saved yet"`)."""
    for option in options:
        go_to_step(phone, option, role="checkbox").check()
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text(status)


def reflect(phone, name):
    """Answers every step of the solo reflection, one screen at a time, and says it is done."""
    tick(phone, *STEPS_IN[name])
    first = go_to_step(phone, "Leading team meetings")
    first.fill(SECRETS[name])
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text("Saved")
    tick(phone, "Becoming the bottleneck")
    commitment = go_to_step(phone, "My commitment")
    commitment.fill(f"{name} will let the rep lead on Monday")
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text("Saved")
    phone.get_by_role("button", name="I’m done").click()
    expect(phone.locator(".solo-done")).to_contain_text("You’re done")


def test_the_built_in_template_runs_a_whole_day(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Sales leadership day", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()

    projector = open_context(**PROJECTOR).new_page()
    projector.goto(
        server + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    expect(stage_title(projector)).to_have_text(WELCOME)
    projector.evaluate("window.__neverReloaded = true")

    phones = {}
    for name, table in (("Anna", "Table 1"), ("Ben", "Table 1"), ("Chloé", "Table 2")):
        phones[name] = open_context(**PHONE).new_page()
        join(phones[name], f"{server}/j/{code}/", name, table=table)
    # Dev's phone clock is an hour and a half off: its timer must still agree with the room.
    dev_context = open_context(**PHONE)
    dev_context.clock.install(time=datetime.now() + timedelta(minutes=90))
    phones["Dev"] = dev_context.new_page()
    phones["Dev"].clock.resume()
    join(phones["Dev"], f"{server}/j/{code}/", "Dev", table="Table 2")
    for phone in phones.values():
        expect(stage_title(phone)).to_have_text(WELCOME)
    screenshot(projector, "day-1-slide-projector")
    screenshot(phones["Anna"], "day-1-slide-phone")

    # Solo reflection: private answers on the phones, progress only on the big screen.
    click_next(laptop)
    for page in (projector, *phones.values()):
        expect(stage_title(page)).to_have_text(REFLECTION)
    expect(projector.locator("#progress")).to_contain_text("0 of 4 finished")
    # The reflection opens with the situations to tick; a written step for each follows.
    anna_first = phones["Anna"].locator(".solo-step.is-current")
    expect(anna_first.locator(".solo-step__prompt")).to_have_text(SITUATIONS)
    expect(anna_first.get_by_role("checkbox")).to_have_count(4)
    screenshot(phones["Anna"], "day-2-solo-phone")
    for name, phone in phones.items():
        reflect(phone, name)
    expect(projector.locator("#progress")).to_contain_text("4 of 4 finished")
    expect(laptop.locator("#progress")).to_contain_text("4 of 4 finished")
    screenshot(projector, "day-2-solo-projector")
    for secret in SECRETS.values():
        assert secret not in projector.content()
        assert secret not in laptop.content()
    assert SECRETS["Ben"] not in phones["Anna"].content()

    # A mis-clicked Next is undone with Back, and nothing typed is lost.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(ROOM_ANSWERS)
    click_back(laptop)
    expect(stage_title(projector)).to_have_text(REFLECTION)
    # The reflection came back the same for everyone; each phone put its own answers in.
    expect(phones["Anna"].get_by_role("checkbox", name="Leading team meetings")).to_be_checked()
    expect(phones["Anna"].get_by_label("Becoming the bottleneck")).to_be_checked()
    expect(phones["Anna"].locator(".solo-done")).to_contain_text("You’re done")
    expect(go_to_step(phones["Anna"], "Leading team meetings")).to_have_value(SECRETS["Anna"])
    phones["Anna"].reload()
    expect(go_to_step(phones["Anna"], "Leading team meetings")).to_have_value(SECRETS["Anna"])
    expect(projector.locator("#progress")).to_contain_text("4 of 4 finished")

    # Quick hands: Ben adds to his answer as the facilitator presses Next, Next, Back, Back
    # within the autosave delay. His words are kept, and reach his notes.
    ben, more = phones["Ben"], SECRETS["Ben"] + ", and the pipeline review"
    first = go_to_step(ben, "Leading team meetings")  # the room came back to its first step
    first.fill(more)
    for title in (ROOM_ANSWERS, DISCUSSION):
        click_next(laptop)
        expect(stage_title(projector)).to_have_text(title)
    for title in (ROOM_ANSWERS, REFLECTION):
        click_back(laptop)
        expect(stage_title(projector)).to_have_text(title)
    # Paged only once his phone has the reflection again: a board still on its way would be
    # drawn over the step paged to.
    expect(stage_title(ben)).to_have_text(REFLECTION)
    first = go_to_step(ben, "Leading team meetings")
    expect(first).to_have_value(more)  # and on the server: see his notes at the end

    # Closed during the reflection, every phone says so at once; reopened, the day goes on.
    close_workshop(laptop)
    for phone in phones.values():
        expect(phone.locator(".banner--closed")).to_be_visible()
    laptop.get_by_role("button", name="Reopen workshop").click()
    for phone in phones.values():
        expect(phone.locator(".banner--closed")).to_have_count(0)

    # Where this room plays hero: the counts of both checklists, on every screen, and nobody's
    # answer. Four answered, one fewer than the counts wait for: the room waits for a fifth
    # (tests/browser/test_room_pattern.py has a room of eight).
    click_next(laptop)
    for page in (projector, *phones.values()):
        expect(stage_title(page)).to_have_text(ROOM_ANSWERS)
        expect(page.locator("#board")).to_contain_text("Nobody's answers are shown here")
    for page in (projector, *phones.values(), laptop):
        counts = page.locator(".patterns")
        expect(counts.locator(".pattern__prompt")).to_have_text([SITUATIONS, COSTS])
        expect(counts.locator(".pattern__waiting")).to_have_text([WAITING, WAITING])
        expect(counts.locator(".pattern__bar")).to_have_count(0)
    for secret in SECRETS.values():
        for page in (projector, laptop, phones["Anna"]):
            assert secret not in page.content()

    # Table discussion, with a timer everyone sees the same.
    click_next(laptop)
    for page in (projector, *phones.values()):
        expect(stage_title(page)).to_have_text(DISCUSSION)
    laptop.get_by_label("Minutes").fill("20")
    laptop.get_by_role("button", name="Start timer").click()
    for page in (projector, phones["Dev"], phones["Anna"]):
        expect(page.locator("#timer .timer__value")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    projector_left, dev_left = read_together(projector, phones["Dev"])
    assert abs(projector_left - dev_left) <= 1

    post(phones["Anna"], "Coach after the call, not during it")
    post(phones["Ben"], "Let reps present their own proposals")
    post(phones["Chloé"], "Ask before you answer")
    table_1 = wall_column(projector, "Table 1")
    expect(table_1.get_by_text("Coach after the call, not during it")).to_be_visible()
    expect(table_1.get_by_text("Let reps present their own proposals")).to_be_visible()
    expect(wall_column(projector, "Table 2").get_by_text("Ask before you answer")).to_be_visible()
    screenshot(projector, "day-3-discussion-projector")
    screenshot(phones["Chloé"], "day-3-discussion-phone")

    # Share-out: a spotlight fills the screen; votes reorder the wall.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(SHAREOUT)
    laptop.locator(".takeaway", has_text="Ask before you answer").get_by_role(
        "button", name="Spotlight"
    ).click()
    expect(projector.locator("#spotlight")).to_be_visible()
    expect(projector.locator("#spotlight")).to_contain_text("Ask before you answer")
    screenshot(projector, "day-4-spotlight-projector")
    laptop.get_by_role("button", name="Clear spotlight").click()
    expect(projector.locator("#spotlight")).to_be_hidden()

    before = projector.locator("#main").get_attribute("data-revision")
    laptop.get_by_role("button", name="Order by votes").click()
    expect(projector.locator("#main")).not_to_have_attribute("data-revision", before)
    first_card = wall_column(projector, "Table 1").locator(".takeaway").first
    expect(first_card).to_contain_text("Let reps present")  # newest first until votes count
    # The change redraws every screen; tap only once the phones have it, as a person would.
    revision = projector.locator("#main").get_attribute("data-revision")
    for phone in phones.values():
        expect(phone.locator("#main")).to_have_attribute("data-revision", revision)
    older = "Coach after the call, not during it"
    for name in ("Chloé", "Dev"):
        card = phones[name].locator(".takeaway", has_text=older)
        card.get_by_role("button", name=re.compile(r"\+1")).click()
        expect(card.get_by_role("button", name=re.compile(r"\+1"))).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(first_card).to_contain_text(older)
    expect(first_card.locator(".takeaway__votes")).to_have_text("+2")
    # No +1 for one's own table.
    own = phones["Anna"].locator(".takeaway", has_text="Ask before you answer")
    expect(own.get_by_role("button", name=re.compile(r"\+1"))).to_have_count(1)
    expect(phones["Anna"].locator(".takeaway", has_text=older).get_by_role("button")).to_have_count(
        0
    )
    screenshot(phones["Dev"], "day-4-shareout-phone")
    screenshot(projector, "day-4-shareout-projector")

    # Closing slide; every phone takes home its own notes and nobody else's.
    click_next(laptop)
    for page in (projector, *phones.values()):
        expect(stage_title(page)).to_have_text(CLOSING)
    for name, phone in phones.items():
        notes = phone.request.get(f"{server}/w/{code}/notes.md").text()
        assert SECRETS[name] in notes
        assert f"{name} will let the rep lead on Monday" in notes
        assert (more in notes) == (name == "Ben")
        assert "Becoming the bottleneck" in notes
        for situation in STEPS_IN[name]:
            assert f"- {situation}" in notes
        for other, secret in SECRETS.items():
            if other != name:
                assert secret not in notes
    phones["Anna"].get_by_role("link", name="My notes").click()
    expect(phones["Anna"].get_by_text(SECRETS["Anna"])).to_be_visible()
    screenshot(phones["Anna"], "day-5-notes-phone")
    assert projector.evaluate("window.__neverReloaded") is True


def test_the_console_works_as_a_remote_on_the_facilitators_phone(server, open_context):
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server)
    create_workshop(laptop, "Remote control", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    console_url = laptop.url
    projector_path = laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    # The laptop now shows the projector view, and the phone runs the room.
    laptop.goto(server + projector_path)

    remote = open_context(**PHONE).new_page()
    sign_in(remote, server)
    remote.goto(console_url)
    participant = open_context(**PHONE).new_page()
    join(participant, f"{server}/j/{code}/", "Pia", table="Table 2")

    for title in (REFLECTION, ROOM_ANSWERS, DISCUSSION):
        click_next(remote)
        expect(stage_title(laptop)).to_have_text(title)
    remote.get_by_label("Minutes").fill("3")
    remote.get_by_role("button", name="Start timer").click()
    expect(laptop.locator("#timer .timer__value")).to_have_text(re.compile(r"^(3:00|2:5\d)$"))
    remote.get_by_role("button", name="Pause").click()
    expect(laptop.locator("#timer")).to_contain_text("paused")
    post(participant, "Hide me from the wall")
    wall = wall_column(laptop, "Table 2")
    expect(wall.get_by_text("Hide me from the wall")).to_be_visible()
    remote.locator(".takeaway", has_text="Hide me").get_by_role("button", name="Hide").click()
    expect(wall.get_by_text("Hide me from the wall")).to_have_count(0)

    click_next(remote)
    expect(stage_title(laptop)).to_have_text(SHAREOUT)
    remote.locator(".takeaway", has_text="Hide me").get_by_role("button", name="Show").click()
    remote.locator(".takeaway", has_text="Hide me").get_by_role("button", name="Spotlight").click()
    expect(laptop.locator("#spotlight")).to_contain_text("Hide me from the wall")
    # The remote's own board is replaced by the answer to its click: wait for that first.
    expect(remote.locator("#spotlight")).to_contain_text("Hide me from the wall")
    # Live updates may swap the run bar at any moment: find and scroll it in one step.
    remote.evaluate("document.querySelector('.runbar').scrollIntoView({block: 'nearest'})")
    screenshot(remote, "console-remote-phone")
