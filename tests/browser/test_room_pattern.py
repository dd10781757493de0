"""The room's pattern on the big screen: the facilitator shows how many people ticked each
cost of the built-in reflection's checklist; the projector waits for five answers, then draws
the bars, longest first, in type read from the back row, and follows each new tick. Then the
built-in day's own reveal, "Where this room plays hero", with a room of eight phones."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, screenshot
from tests.browser.test_live_loop import create_workshop, join, sign_in
from tests.browser.test_whole_day import (
    COSTS,
    REFLECTION,
    ROOM_ANSWERS,
    SITUATIONS,
    WAITING,
    click_next,
    go_to_step,
    stage_title,
    tick,
)

pytestmark = pytest.mark.browser

# Ticked by phones run in a shell on the server's database: the server hears of each write.
TICK = """
from workshop import services
from workshop.models import Step, Workshop
workshop = Workshop.objects.get(code={code!r})
step = Step.objects.get(activity=workshop.current_activity, prompt={prompt!r})
tables = list(workshop.tables.order_by("number"))
for n, (name, choices) in enumerate({ticks!r}):
    person = services.join(workshop, tables[n % len(tables)], name)
    services.save_answer(person, step, choices=choices)
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


def hero_day(server, open_context, title: str):
    """The built-in day on the console, its projector live: (console, join code, projector)."""
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    create_workshop(laptop, title, 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector = open_context(**PROJECTOR).new_page()
    projector.goto(
        server.url + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    return laptop, code, projector


def test_the_projector_shows_the_rooms_counts_only_once_five_have_answered(
    module_server, open_context
):
    server = module_server
    laptop, code, projector = hero_day(server, open_context, "Counts")
    phone = open_context(**PHONE).new_page()
    join(phone, f"{server.url}/j/{code}/", "Anna", "Table 1")
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(REFLECTION)

    # The console offers each of the reflection's checklists: the costs' goes on the projector,
    # which waits for five answers.
    offers = laptop.locator(".pattern-controls__steps li")
    expect(offers.locator(".pattern-controls__prompt")).to_have_text([SITUATIONS, COSTS])
    offers.filter(has_text=COSTS).get_by_role("button", name="Show the room’s counts").focus()
    laptop.keyboard.press("Enter")
    # The button redrawn as Hide keeps the keyboard's focus.
    expect(laptop.get_by_role("button", name="Hide the counts")).to_be_focused()
    waiting = projector.locator(".pattern__waiting")
    expect(waiting).to_have_text("Waiting for at least 5 answers")
    expect(projector.locator(".pattern__prompt")).to_have_text(COSTS)

    # Anna ticks on her phone, three more in the shell: four answers, still nothing to see.
    tick(phone, BOTTLENECK, ALONE)
    server.shell(
        TICK.format(
            code=code,
            prompt=COSTS,
            ticks=[("Ben", [BOTTLENECK]), ("Chloé", [BURN_OUT]), ("Dev", [BOTTLENECK, ALONE])],
        )
    )
    expect(projector.locator("#progress")).to_contain_text("0 of 4 finished")
    expect(waiting).to_be_visible()
    expect(projector.locator(".pattern__bar")).to_have_count(0)

    # The fifth answer: the bars, longest first, each count as the room gave it.
    server.shell(TICK.format(code=code, prompt=COSTS, ticks=[("Elif", [BOTTLENECK])]))
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered")
    chart = projector.evaluate(CHART)
    assert chart["bars"][:3] == [[BOTTLENECK, 4], [ALONE, 2], [BURN_OUT, 1]], chart
    assert [count for _label, count in chart["bars"][3:]] == [0] * 5
    assert chart["smallest"] >= 28 and not chart["overflows"], chart
    screenshot(projector, "projector-room-pattern")

    # A change of mind on a phone moves the bars at once.
    go_to_step(phone, BOTTLENECK, role="checkbox").uncheck()
    expect(
        projector.locator(".pattern__bar", has_text=BOTTLENECK).locator(".pattern__count")
    ).to_have_text("3")
    expect(laptop.locator(".pattern-controls .pattern__bar").first).to_contain_text(BOTTLENECK)
    screenshot(laptop, "console-room-pattern")

    # Hidden again: the projector is back to the reflection's progress.
    laptop.get_by_role("button", name="Hide the counts").click()
    expect(projector.locator(".pattern")).to_have_count(0)
    expect(projector.locator("#progress")).to_contain_text("0 of 5 finished")

    # After the reflection, the room's answers: the same counts on the big screen and phones;
    # nobody ticked a situation, and those counts wait.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(ROOM_ANSWERS)
    expect(projector.locator(".pattern__waiting")).to_have_text(WAITING)
    expect(projector.locator(".pattern__answered")).to_have_text("5 people answered")
    expect(stage_title(phone)).to_have_text(ROOM_ANSWERS)
    expect(phone.locator(".pattern__bar").first).to_contain_text(BOTTLENECK)
    assert projector.evaluate(CHART)["smallest"] >= 28
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(projector, "projector-room-answers")
    screenshot(phone, "phone-room-answers")


# The built-in day's reveal in a room of eight. Its two checklists' options, in their order:
MEETINGS, FIELD, PRESENTATIONS, REPORTING = SITUATION_OPTIONS = (
    "Leading team meetings",
    "Working in the field with your people",
    "Big presentations and customer meetings",
    "Reporting results up the chain",
)
SCALE, TOP, CYCLE = (
    "A team that doesn't scale",
    "Top performers driven away",
    "A cycle that keeps itself going",
)
COST_OPTIONS = (
    BURN_OUT,
    BOTTLENECK,
    ALONE,
    "Reps losing credibility with their own accounts",
    SCALE,
    TOP,
    "My own growth and promotability stalled",
    CYCLE,
)
# What each phone ticks, situations then costs: most step in in the field, all are bottlenecks.
ROOM = [
    ("Anna", [FIELD, PRESENTATIONS, MEETINGS], [BURN_OUT, BOTTLENECK, ALONE]),
    ("Ben", [FIELD, PRESENTATIONS], [BURN_OUT, BOTTLENECK, SCALE]),
    ("Chloé", [FIELD, MEETINGS], [BOTTLENECK, ALONE, CYCLE]),
    ("Dev", [FIELD, PRESENTATIONS, REPORTING], [BURN_OUT, BOTTLENECK]),
    # From here on, in a dead spot of the venue's Wi-Fi: their ticks wait on their phones.
    ("Elif", [FIELD, PRESENTATIONS], [BOTTLENECK, SCALE, TOP]),
    ("Femi", [FIELD, MEETINGS], [BURN_OUT, BOTTLENECK, ALONE]),
    ("Grace", [FIELD, PRESENTATIONS], [BURN_OUT, BOTTLENECK, SCALE]),
    ("Hugo", [PRESENTATIONS], [BOTTLENECK, ALONE, CYCLE]),
]
ONLINE = 4

# Each chart on the page as the back row sees it, once the bars have grown or shrunk to their
# counts: its bars in the order shown (label, count, length of the filled bar), and the
# smallest type on any of them.
CHARTS = """async () => {
  await Promise.all(document.getAnimations()
    .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
    .map((animation) => animation.finished.catch(() => null)));
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const texts = [...document.querySelectorAll(".pattern__label, .pattern__count")];
  return {
    charts: [...document.querySelectorAll(".patterns .pattern")].map((chart) =>
      [...chart.querySelectorAll(".pattern__bar")].map((bar) => [
        bar.querySelector(".pattern__label").textContent.trim(),
        Number(bar.querySelector(".pattern__count").textContent),
        bar.querySelector(".pattern__fill").getBoundingClientRect().width,
      ])),
    smallest: Math.min(...texts.map(px)),
    overflows: document.documentElement.scrollHeight > innerHeight
      || document.documentElement.scrollWidth > innerWidth,
  };
}"""


def bars_of(people, checklist: int, options) -> list[tuple[str, int]]:
    """What a chart shows of these people's ticks of one checklist (0 the situations, 1 the
    costs): every option with its count, most ticked first, ties in the step's order."""
    ticks = [option for _name, *ticked in people for option in ticked[checklist]]
    return sorted(((option, ticks.count(option)) for option in options), key=lambda b: -b[1])


def assert_charts(projector, people):
    """Both charts show these people's ticks, each bar as long as its count (longest first),
    in type read from the back row, and the big screen does not scroll."""
    seen = projector.evaluate(CHARTS)
    for checklist, (chart, options) in enumerate(
        zip(seen["charts"], (SITUATION_OPTIONS, COST_OPTIONS), strict=True)
    ):
        assert [(label, count) for label, count, _ in chart] == bars_of(
            people, checklist, options
        ), chart
        widths = [width for _label, _count, width in chart]
        assert widths == sorted(widths, reverse=True) and widths[0] > 0, chart
    assert seen["smallest"] >= 28 and not seen["overflows"], seen
    return seen["charts"]


def test_where_this_room_plays_hero_waits_for_five_then_shows_the_bars_longest_first(
    module_server, open_context
):
    server = module_server
    laptop, code, projector = hero_day(server, open_context, "Sales leadership day")
    phones = {}
    for n, (name, _situations, _costs) in enumerate(ROOM):
        phones[name] = open_context(**PHONE).new_page()
        join(phones[name], f"{server.url}/j/{code}/", name, table=f"Table {n % 2 + 1}")

    # The reflection: four phones tick and are saved; four tick offline and keep their ticks.
    click_next(laptop)
    for n, (name, situations, costs) in enumerate(ROOM):
        phone = phones[name]
        expect(stage_title(phone)).to_have_text(REFLECTION)
        if n >= ONLINE:
            phone.context.set_offline(True)
        status = "Saved" if n < ONLINE else "Not saved yet"
        tick(phone, *situations, status=status)
        tick(phone, *costs, status=status)
    expect(projector.locator("#progress")).to_contain_text("0 of 8 finished")

    # Where this room plays hero: four answers, so both checklists wait, and show nothing.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(ROOM_ANSWERS)
    charts = projector.locator(".patterns .pattern")
    expect(charts.locator(".pattern__prompt")).to_have_text([SITUATIONS, COSTS])
    expect(charts.locator(".pattern__waiting")).to_have_text([WAITING, WAITING])
    expect(charts.locator(".pattern__bar")).to_have_count(0)
    for name, _situations, _costs in ROOM[:ONLINE]:
        expect(phones[name].locator(".phone-patterns .pattern__waiting")).to_have_count(2)

    # Elif's phone is back: its ticks go in (the reflection still takes them for a while), the
    # fifth answer to each checklist, and the bars appear.
    phones["Elif"].context.set_offline(False)
    answered = charts.locator(".pattern__answered")
    expect(answered).to_have_text(["5 people answered", "5 people answered"])
    expect(charts.locator(".pattern__waiting")).to_have_count(0)
    situations, costs = assert_charts(projector, ROOM[:5])
    assert situations[0][:2] == [FIELD, 5] and costs[0][:2] == [BOTTLENECK, 5]

    # The other three come back: each late tick moves the bars.
    for name, _situations, _costs in ROOM[5:]:
        phones[name].context.set_offline(False)
    expect(answered).to_have_text(["8 people answered", "8 people answered"])
    situations, costs = assert_charts(projector, ROOM)
    assert [bar[:2] for bar in situations] == [
        [FIELD, 7],
        [PRESENTATIONS, 6],
        [MEETINGS, 3],
        [REPORTING, 1],
    ]
    assert [bar[:2] for bar in costs[:3]] == [[BOTTLENECK, 8], [BURN_OUT, 5], [ALONE, 4]]
    # A phone shows the same counts (as they are when it draws them: the phones are not sent
    # each late tick); no name is on the big screen.
    phones["Anna"].reload()
    expect(stage_title(phones["Anna"])).to_have_text(ROOM_ANSWERS)
    expect(phones["Anna"].locator(".phone-patterns .pattern__answered")).to_have_text(
        ["8 people answered", "8 people answered"]
    )
    expect(phones["Anna"].locator(".phone-patterns .pattern__bar").first).to_contain_text(FIELD)
    board = projector.locator("#board").inner_text()
    assert not [name for name, _situations, _costs in ROOM if name in board]
    screenshot(projector, "projector-hero-pattern")


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
