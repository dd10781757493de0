"""The room's pattern on the big screen: the facilitator shows how many people ticked each
cost of the built-in reflection's checklist; the projector waits for five answers, then draws
the bars, longest first, in type read from the back row, and follows each new tick."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import create_workshop, join, sign_in
from tests.browser.test_whole_day import click_next, stage_title

pytestmark = pytest.mark.browser

CHECKLIST = "Which of these costs do you recognise in yourself?"
# Ticked by phones run in a shell on the server's database: the server hears of each write.
TICK = """
from workshop import services
from workshop.models import Step, Workshop
workshop = Workshop.objects.get(code={code!r})
step = Step.objects.get(activity=workshop.current_activity, kind="checklist")
tables = list(workshop.tables.order_by("number"))
for n, (name, choices) in enumerate({ticks!r}):
    person = services.join(workshop, tables[n % len(tables)], name)
    services.save_answer(person, step, choices=choices)
"""
# The room's answers, added after the reflection while the day runs, and the room moved to it.
ROOM_ANSWERS = """
from workshop import services
from workshop.models import Workshop
workshop = Workshop.objects.get(code={code!r})
answers = services.add_activity(
    workshop.facilitator, workshop, "pattern", "Where this room plays hero"
)
services.go_to_activity(workshop.facilitator, workshop, answers, workshop.current_activity_id)
"""
BOTTLENECK, ALONE, BURN_OUT = (
    "Becoming the bottleneck",
    "Reps who can't function without me",
    "Exhaustion and burn-out",
)

# The chart as the back row sees it: its bars' texts and the smallest type on it.
CHART = """() => {
  const bars = [...document.querySelectorAll(".pattern__bar")];
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const texts = [...document.querySelectorAll(".pattern__label, .pattern__count")];
  return {
    bars: bars.map((bar) => [bar.querySelector(".pattern__label").textContent.trim(),
      Number(bar.querySelector(".pattern__count").textContent)]),
    smallest: Math.min(...texts.map(px)),
    overflows: document.documentElement.scrollHeight > innerHeight
      || document.documentElement.scrollWidth > innerWidth,
  };
}"""


def test_the_projector_shows_the_rooms_counts_only_once_five_have_answered(
    module_server, open_context
):
    server = module_server
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    create_workshop(laptop, "Counts", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(
        server.url + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{code}/", "Anna", "Table 1")
    click_next(laptop)
    expect(stage_title(projector)).to_have_text("Where do I step in?")

    # The console offers the reflection's checklist; the projector waits for five answers.
    laptop.get_by_role("button", name="Show the room’s counts").focus()
    laptop.keyboard.press("Enter")
    # The button redrawn as Hide keeps the keyboard's focus.
    expect(laptop.get_by_role("button", name="Hide the counts")).to_be_focused()
    waiting = projector.locator(".pattern__waiting")
    expect(waiting).to_have_text("Waiting for at least 5 answers")
    expect(projector.locator(".pattern__prompt")).to_have_text(CHECKLIST)

    # Anna ticks on her phone, three more in the shell: four answers, still nothing to see.
    for _ in range(4):
        phone.locator(".solo-step.is-current").get_by_role(
            "button", name=re.compile("Next")
        ).click()
    phone.get_by_label(BOTTLENECK).check()
    phone.get_by_label(ALONE).check()
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text("Saved")
    server.shell(
        TICK.format(
            code=code,
            ticks=[("Ben", [BOTTLENECK]), ("Chloé", [BURN_OUT]), ("Dev", [BOTTLENECK, ALONE])],
        )
    )
    expect(projector.locator("#progress")).to_contain_text("0 of 4 finished")
    expect(waiting).to_be_visible()
    expect(projector.locator(".pattern__bar")).to_have_count(0)

    # The fifth answer: the bars, longest first, each count as the room gave it.
    server.shell(TICK.format(code=code, ticks=[("Elif", [BOTTLENECK])]))
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered")
    chart = projector.evaluate(CHART)
    assert chart["bars"][:3] == [[BOTTLENECK, 4], [ALONE, 2], [BURN_OUT, 1]], chart
    assert [count for _label, count in chart["bars"][3:]] == [0] * 5
    assert chart["smallest"] >= 28 and not chart["overflows"], chart
    screenshot(projector, "projector-room-pattern")

    # A change of mind on a phone moves the bars at once.
    phone.get_by_label(BOTTLENECK).uncheck()
    expect(
        projector.locator(".pattern__bar", has_text=BOTTLENECK).locator(".pattern__count")
    ).to_have_text("3")
    expect(laptop.locator(".pattern-controls .pattern__bar").first).to_contain_text(BOTTLENECK)
    screenshot(laptop, "console-room-pattern")

    # Hidden again: the projector is back to the reflection's progress.
    laptop.get_by_role("button", name="Hide the counts").click()
    expect(projector.locator(".pattern")).to_have_count(0)
    expect(projector.locator("#progress")).to_contain_text("0 of 5 finished")

    # After the reflection, the room's answers: the same counts on the big screen and phones.
    server.shell(ROOM_ANSWERS.format(code=code))
    expect(stage_title(projector)).to_have_text("Where this room plays hero")
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered")
    expect(stage_title(phone)).to_have_text("Where this room plays hero")
    expect(phone.locator(".pattern__bar").first).to_contain_text(BOTTLENECK)
    assert projector.evaluate(CHART)["smallest"] >= 28
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(projector, "projector-room-answers")
    screenshot(phone, "phone-room-answers")


# A one-step reflection that others answered already (through the services).
ONE_STEP_DAY = """
from django.contrib.auth import get_user_model
from workshop import services
facilitator = get_user_model().objects.get(email={email!r})
agenda = [{{"kind": "solo", "title": {title!r}, "steps": [{step!r}]}}]
workshop = services.create_workshop(facilitator, {title!r}, 1, agenda=agenda)
step = workshop.activities.get().steps.get()
for n, answer in enumerate({answers!r}):
    person = services.join(workshop, workshop.tables.get(), f"Person {{n}}")
    services.save_answer(person, step, **answer)
print(workshop.pk, workshop.code, workshop.projector_key)
"""


def one_step_room(server, open_context, title: str, step: dict, answers: list[dict]):
    """The facilitator signed in, and Anna's phone in the reflection the others answered."""
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    script = ONE_STEP_DAY.format(email=FACILITATOR_EMAIL, title=title, step=step, answers=answers)
    pk, code, key = server.shell(script).split()[-3:]
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{code}/", "Anna")
    return laptop, phone, pk, key


def show_the_counts(server, open_context, laptop, pk: str, key: str):
    """The console shows the room's counts; the projector that shows them."""
    laptop.goto(f"{server.url}/f/w/{pk}/")
    laptop.get_by_role("button", name="Show the room’s counts").click()
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/p/{key}/")
    return projector


def test_a_scale_is_one_tap_on_the_phone_and_a_distribution_on_the_big_screen(
    module_server, open_context
):
    scale = {
        "kind": "scale",
        "prompt": "How often do I take over a customer call?",
        "options": ["Never", "Every call"],
    }
    answers = [{"choices": [point]} for point in ["2", "4", "4", "5"]]
    laptop, phone, pk, key = one_step_room(
        module_server, open_context, "How often?", scale, answers
    )
    phone.get_by_role("radio", name="4").check()
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text("Saved")
    screenshot(phone, "phone-scale-step")
    projector = show_the_counts(module_server, open_context, laptop, pk, key)
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered · median 4")
    columns = projector.locator(".pattern__point")
    expect(columns).to_have_count(5)
    expect(columns.locator(".pattern__count")).to_have_text(["0", "1", "0", "3", "1"])
    assert projector.evaluate(CHART.replace(".pattern__bar", ".pattern__point"))["smallest"] >= 28
    screenshot(projector, "projector-room-scale")


def test_a_one_word_step_is_typed_on_the_phone_and_a_word_cloud_on_the_big_screen(
    module_server, open_context
):
    prompt = "One word for a rep who owns the customer"
    said = ["Trust", "ownership", "trust", "Courage", "TRUST", "Ownership", "Calm", "Trust!"]
    answers = [{"text": word} for word in said]
    word = {"kind": "word", "prompt": prompt}
    laptop, phone, pk, key = one_step_room(module_server, open_context, "One word", word, answers)
    phone.get_by_label(prompt).fill("courage")
    expect(phone.locator(".solo-step.is-current .saved")).to_contain_text("Saved")
    projector = show_the_counts(module_server, open_context, laptop, pk, key)
    expect(projector.locator(".pattern__answered")).to_have_text("9 people answered")
    words = projector.locator(".pattern__word bdi")
    expect(words).to_have_text(["trust", "courage", "ownership", "calm"])
    counts = projector.locator(".pattern__word-count").evaluate_all(
        "(els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert min(counts) >= 20, counts  # a count is read from the back row too
    sizes = words.evaluate_all(
        "(els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] >= 28, sizes
    screenshot(projector, "projector-room-words")
