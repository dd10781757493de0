"""A quick poll in a real browser: one tap on the phone, the count on the big screen, the
results revealed once the facilitator has closed the poll."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import join, sign_in
from tests.browser.test_room_pattern import CHART
from tests.browser.test_whole_day import click_next, stage_title

pytestmark = pytest.mark.browser

QUESTION = "When a rep's deal stalls, what do you do first?"
ANSWERS = ["Ask them what they think", "Call the customer myself", "Tell them what to do"]
ASK, CALL, TELL = ANSWERS
# A workshop whose first activity is the poll, and others who answered it already.
POLL_DAY = """
from django.contrib.auth import get_user_model
from workshop import services
facilitator = get_user_model().objects.get(email={email!r})
question = {{"kind": {kind!r}, "prompt": {question!r}, "options": {options!r}}}
agenda = {before!r} + [
    {{"kind": "poll", "title": "Quick poll", "votes_hidden": True, "steps": [question]}},
    {{"kind": "slide", "title": "Thank you"}},
]
workshop = services.create_workshop(facilitator, "Poll", 2, agenda=agenda)
step = workshop.activities.get(kind="poll").steps.get()
for n, choice in enumerate({answers!r}):
    person = services.join(workshop, workshop.tables.order_by("number")[n % 2], f"Person {{n}}")
    services.answer_poll(person, step, choices=[choice])
print(workshop.pk, workshop.code, workshop.projector_key)
"""


def poll_room(server, open_context, answers, kind="choice", options=ANSWERS, before=()):
    """The console, the projector and Anna's phone in a workshop that starts with the poll
    (or with the activities `before` it), which others answered already."""
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    script = POLL_DAY.format(
        email=FACILITATOR_EMAIL,
        kind=kind,
        question=QUESTION,
        options=options,
        answers=answers,
        before=list(before),
    )
    pk, code, key = server.shell(script).split()[-3:]
    laptop.goto(f"{server.url}/f/w/{pk}/")
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/p/{key}/")
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{code}/", "Anna", "Table 1")
    return laptop, projector, phone


def test_a_poll_is_one_tap_and_its_results_show_after_the_facilitator_closes_it(
    module_server, open_context
):
    others = [ASK, ASK, CALL, ASK, TELL, ASK]
    laptop, projector, phone = poll_room(module_server, open_context, others)
    answered = projector.locator(".poll__answered")
    expect(answered).to_have_text("6 people answered")
    expect(projector.locator(".poll-options li")).to_have_text(ANSWERS)
    expect(projector.locator(".pattern__bar")).to_have_count(0)  # results after Reveal

    # One tap: the answer is in, the projector counts it; a change of mind replaces it.
    phone.get_by_label(TELL).check()
    expect(phone.locator(".poll-phone__status")).to_contain_text("Your answer is in")
    expect(answered).to_have_text("7 people answered")
    phone.get_by_label(CALL).check()
    expect(phone.locator(".poll-phone__status")).to_have_attribute(
        "data-poll-choices", f'["{CALL}"]'
    )
    expect(laptop.locator(".poll-controls .pattern__bar", has_text=CALL)).to_contain_text("2")
    expect(answered).to_have_text("7 people answered")
    screenshot(phone, "phone-poll")
    screenshot(projector, "projector-poll")
    # Back on the page later, the phone finds its answer.
    phone.reload()
    expect(phone.get_by_label(CALL)).to_be_checked()

    # Closed: the phones can no longer answer; then the results, on every screen.
    laptop.get_by_role("button", name="Close the poll").click()
    expect(phone.locator(".poll-phone__closed")).to_be_visible()
    expect(phone.get_by_label(ASK)).to_have_count(0)
    expect(projector.locator(".poll__closed")).to_have_text("The poll is closed.")
    expect(laptop.locator(".poll-controls")).to_contain_text("none of them is linked")
    screenshot(laptop, "console-poll")
    laptop.get_by_role("button", name="Show the results").click()
    bars = projector.locator(".pattern__bar")
    expect(bars).to_have_count(3)
    chart = projector.evaluate(CHART)
    assert chart["bars"] == [[ASK, 4], [CALL, 2], [TELL, 1]], chart
    assert chart["smallest"] >= 28 and not chart["overflows"], chart
    expect(phone.locator(".pattern__bar").first).to_contain_text(ASK)
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(projector, "projector-poll-results")
    screenshot(phone, "phone-poll-results")


def test_a_word_poll_shows_its_cloud_as_the_room_answers(module_server, open_context):
    said = ["Trust", "trust", "Patience", "Trust!", "Questions"]
    welcome = [{"kind": "slide", "title": "Welcome"}]
    laptop, projector, phone = poll_room(
        module_server, open_context, [], kind="word", options=[], before=welcome
    )
    # The poll reaches the phone live, in the fragment every phone shares: its form still posts.
    click_next(laptop)
    expect(stage_title(phone)).to_have_text("Quick poll")
    script = f"""
from workshop import services
from workshop.models import Step
step = Step.objects.filter(activity__kind="poll").order_by("-pk").first()
workshop = step.activity.workshop
for n, word in enumerate({said!r}):
    person = services.join(workshop, workshop.tables.first(), f"Word {{n}}")
    services.answer_poll(person, step, text=word)
"""
    module_server.shell(script)
    laptop.get_by_role("button", name="Show the results").click()
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered")
    phone.get_by_label(QUESTION).fill("patience")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".poll-phone__status")).to_contain_text("Your answer is in")
    expect(projector.locator(".pattern__word bdi")).to_have_text(["trust", "patience", "questions"])
    expect(projector.locator(".pattern__word-count")).to_have_text(["3", "2", "1"])


def test_every_screen_of_a_poll_passes_axe(module_server, open_context):
    from tests.browser.test_accessibility import CHECKING, LAPTOP, Audit

    audit, server = Audit(), module_server
    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, server.url)
    script = POLL_DAY.format(
        email=FACILITATOR_EMAIL,
        kind="choice",
        question=QUESTION,
        options=ANSWERS,
        answers=[ASK] * 5,
        before=[],
    )
    pk, code, key = server.shell(script).split()[-3:]
    projector = open_context(**PROJECTOR, **CHECKING).new_page()
    projector.goto(f"{server.url}/p/{key}/")
    phone = open_context(**PHONE, **CHECKING).new_page()
    join(phone, f"{server.url}/j/{code}/", "Anna", "Table 1")
    phone.get_by_label(CALL).check()
    expect(phone.locator(".poll-phone__status")).to_contain_text("Your answer is in")
    laptop.goto(f"{server.url}/f/w/{pk}/")
    audit.check(phone, "poll-phone")
    audit.check(projector, "poll-projector")
    audit.check(laptop, "poll-console")
    laptop.get_by_role("button", name="Close the poll").click()
    laptop.get_by_role("button", name="Hide the results").wait_for(state="detached")
    laptop.get_by_role("button", name="Show the results").click()
    expect(phone.locator(".pattern__bar")).to_have_count(3)
    audit.check(phone, "poll-phone-results")
    audit.check(projector, "poll-projector-results")
    laptop.goto(f"{server.url}/f/w/{pk}/agenda/")
    laptop.get_by_role("link", name="Quick poll", exact=True).click()
    expect(laptop.get_by_role("heading", name="The question")).to_be_visible()
    audit.check(laptop, "poll-editor")
    screenshot(laptop, "poll-editor")
    audit.assert_clean()
