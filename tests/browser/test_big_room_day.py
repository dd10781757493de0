"""Issue #13, done when: a facilitator runs the built-in day for 100 people at 12 tables, every
takeaway on the projector is readable from the back of the room, and the console answers who is
here, who is still writing, what is next and how late the day runs.

One facilitator's console and one projector (1920 by 1080) in real Chromium; the hundred phones
are the services, run in a shell on the server's database. The server hears of those writes as
it hears of another process's: its heartbeat, and the screens catch up without a reload.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PROJECTOR, screenshot
from tests.browser.test_console_strip import BACKDATE
from tests.browser.test_live_loop import create_workshop, sign_in
from tests.browser.test_wall import ROTATE_MS, SHOWN
from tests.browser.test_whole_day import ROOM_ANSWERS, click_next, stage_title

pytestmark = pytest.mark.browser

TABLES = 12
FIRST = ["Anna", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas",
         "Kiri", "Lars", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomás",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Aisha", "Bruno", "Carmen",
         "Dmitri", "Emeka", "Farah", "Giulia", "Hamid"]  # fmt: skip
PEOPLE = [f"{first} {last}." for last in "KMS" for first in FIRST][:100]
# Person n sits at table n % 12 + 1: tables 1 to 4 have nine people, the others eight.
SEATS = [n % TABLES + 1 for n in range(len(PEOPLE))]
JOINED = [SEATS.count(t) for t in range(1, TABLES + 1)]
# Ten still writing when the reflection is nearly over: one at each table but 4 and 9.
WRITING = [n for n in range(84, 96) if SEATS[n] not in (4, 9)]
TAKEAWAYS_PER_TABLE = [3, 5, 8, 4, 6, 7, 3, 8, 5, 4, 6, 7]

ACTIONS = ["Let the rep lead", "Ask two questions before giving any answer",
           "Coach after the call, not during it", "Stay quiet for the first ten minutes",
           "Hand the forecast to the rep who owns the deal", "Book the debrief before the visit",
           "Say what good looks like, then step out of the room", "Let the rep present the numbers",
           "Agree one thing to practise, and check it next week",
           "Resist fixing the proposal yourself", "Name the cost out loud"]  # fmt: skip
PLACES = ["in the Monday pipeline meeting", "on joint customer visits",
          "when preparing the quarterly business review", "when the VP asks for the numbers",
          "in renewal negotiations", "on the big pitch of the quarter"]  # fmt: skip
LONGER = (
    ": each time we take over, the rep learns that we will always step in, the customer learns "
    "to call us instead of them, and we end up working evenings on deals that should not need "
    "us. Next month each of us hands one meeting over completely, prepares the rep the day "
    "before, keeps out of it on the day, and asks the rep afterwards what they would do "
    "differently; the table checks in on it at the next leadership call."
)


def takeaways() -> dict[int, list[str]]:
    """What each table posts: short and long, every text different."""
    texts = [f"{action} {place}" for place in PLACES for action in ACTIONS]
    posted, n = {}, 0
    for table, count in enumerate(TAKEAWAYS_PER_TABLE, start=1):
        posted[table] = []
        for _ in range(count):
            text = texts[n]
            if n % 7 == 3:
                text += LONGER  # the longest is close to the 500 a takeaway may have
            elif n % 7 == 5:
                text += ", because otherwise the rep never owns the customer relationship"
            posted[table].append(text)
            n += 1
    return posted


POSTED = takeaways()
# Votes in the share-out, from people at other tables: (table, index of its takeaway, votes).
VOTES = [(3, 0, 14), (3, 5, 6), (8, 2, 11), (1, 1, 9), (12, 4, 7), (6, 6, 3), (10, 0, 1)]

JOIN = """
from workshop import services
from workshop.models import Workshop
workshop = Workshop.objects.get(code={code!r})
tables = {{t.number: t for t in workshop.tables.all()}}
for name, seat in zip({people!r}, {seats!r}):
    services.join(workshop, tables[seat], name)
print(workshop.participants.count())
"""

# The welcome ran long while people found their tables: the first phone joined 50 minutes ago,
# the reflection (planned for 15) began 18 minutes ago. All but the ten say they are done, each
# having ticked some of the situations and of the costs, for the room's answers.
FINISH = (
    BACKDATE.format(code="{code}", joined=50, entered=18)
    + """
from workshop import services
solo = workshop.current_activity
situations, costs = solo.steps.filter(kind="checklist")
people = {{p.name: p for p in workshop.participants.all()}}
for n, name in enumerate({done!r}):
    services.save_answer(people[name], situations, choices=situations.options[: n % 4 + 1])
    services.save_answer(people[name], costs, choices=costs.options[n % 8 :: 3])
    services.complete_solo(people[name], solo)
"""
)

POST = """
import uuid
from workshop import services
from workshop.models import Workshop
workshop = Workshop.objects.get(code={code!r})
for number, texts in {posted!r}.items():
    people = list(workshop.participants.filter(table__number=number).order_by("pk"))
    for n, text in enumerate(texts):
        services.post_takeaway(people[n % len(people)], text, uuid.uuid4())
"""

VOTE = """
from workshop import services
from workshop.models import Workshop
workshop = Workshop.objects.get(code={code!r})
for number, index, votes in {votes!r}:
    takeaway = workshop.takeaways.get(text={posted!r}[number][index])
    others = workshop.participants.exclude(table__number=number).order_by("pk")[:votes]
    for person in others:
        services.vote(person, takeaway)
"""

# test_wall's measure of the wall, with the table names and the share-out's vote badges among
# the names and counts it holds to 20 px.
NAMES = ".takeaway--wall .takeaway__author, .wall-table__count, .wall-table__more, .wall__pager"
assert NAMES in SHOWN, "test_wall's SHOWN measures other names now: update NAMES"
MEASURED = SHOWN.replace(NAMES, NAMES + ", .wall-table__name, .takeaway--wall .takeaway__votes")

# Anything on the projector whose box hides part of its content (a clipped or ellipsed text).
CLIPPED = """() => [...document.querySelectorAll("#main *")]
  .filter((el) => el.offsetParent !== null && getComputedStyle(el).overflow !== "visible")
  .filter((el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
  .filter((el) => !el.matches(".takeaways--wall"))  // measured card by card: CUT
  .map((el) => `${el.className} clips "${el.textContent.trim().slice(0, 40)}"`)
"""

# The wall's cards that do not fit where they are shown, and by how much.
CUT = """() => [...document.querySelectorAll(".takeaway--wall")]
  .filter((card) => card.offsetParent !== null)
  .map((card) => ({ box: card.getBoundingClientRect(),
    list: card.parentElement.getBoundingClientRect(),
    table: card.closest(".wall-table").querySelector(".wall-table__name").textContent.trim(),
    chars: card.querySelector(".takeaway__text").textContent.trim().length }))
  .filter(({ box, list }) => box.bottom > list.bottom + 1 || box.right > list.right + 1
    || box.top < list.top - 1 || box.left < list.left - 1
    || box.bottom > innerHeight || box.right > innerWidth)
  .map(({ box, list, table, chars }) => `${table}: a takeaway of ${chars} characters, `
    + `${Math.round(box.width)}×${Math.round(box.height)} px at `
    + `(${Math.round(box.left - list.left)}, ${Math.round(box.top - list.top)}) `
    + `in a column of ${Math.round(list.width)}×${Math.round(list.height)} px`)
"""

# The screen once what is arriving has arrived, measured in one go (nothing can swap in
# between): the wall is laid out at its next frame (a card's arrival) or at once (a turn), and
# a card's entrance, a finite animation that moves and scales it, has ended.
LOOK = f"""async () => {{
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  for (let tries = 0; tries < 100; tries++) {{
    await frame();
    await frame();
    const moving = document.getAnimations().filter((animation) =>
      animation.effect?.getTiming().iterations !== Infinity && animation.playState !== "finished");
    if (!moving.length) break;
    await Promise.all(moving.map((animation) => animation.finished.catch(() => null)));
  }}
  return {{ shown: ({MEASURED})(), cut: ({CUT})(), clipped: ({CLIPPED})() }};
}}"""


class BackRow:
    """What the back row of the room could not read, activity by activity: the whole day is
    walked and looked at, and the test fails at its end with everything it found."""

    def __init__(self, projector):
        self.projector = projector
        self.problems: list[str] = []

    def look(self, activity: str) -> dict:
        """The screen as it is now: nothing scrolls, is cut off or clipped; on a wall, every
        takeaway in 28 px type or more, every name and count in 20 px or more."""
        looked = self.projector.evaluate(LOOK)
        frame, found = looked["shown"], [*looked["cut"], *looked["clipped"]]
        if frame["scrolls"]:
            found.append("the screen or a table's column scrolls")
        if frame["texts"] and frame["smallestText"] < 28:
            found.append(f"a takeaway in {frame['smallestText']:.1f} px type")
        if frame["texts"] and frame["smallestName"] < 20:
            found.append(f"a name or count in {frame['smallestName']:.1f} px type")
        self.problems += [f"{activity}: {problem}" for problem in found]
        return frame

    def watch_the_wall(self, activity: str, expected: set[str], most_turns=40) -> list[dict]:
        """Each frame of the wall's rotation (a turn is a fast-forward of the projector's
        clock) until every expected takeaway has been on the screen."""
        seen, frames = set(), []
        for _ in range(most_turns):
            frame = self.look(activity)
            frames.append(frame)
            seen.update(frame["texts"])
            if seen >= expected:
                break
            self.projector.context.clock.fast_forward(ROTATE_MS)
        if never := expected - seen:
            self.problems.append(f"{activity}: {len(never)} takeaways never came round")
        return frames


# The console's strip, as it is laid out.
STRIP = """() => {
  const strip = document.querySelector(".room-strip").getBoundingClientRect();
  const chips = [...document.querySelectorAll(".room-strip__tables li")];
  const boxes = chips.map((chip) => chip.getBoundingClientRect());
  const line = parseFloat(getComputedStyle(chips[0]).lineHeight)
    || parseFloat(getComputedStyle(chips[0]).fontSize) * 1.5;
  return {
    bottom: strip.bottom, height: strip.height, viewport: innerHeight,
    rows: new Set(boxes.map((box) => Math.round(box.top))).size,
    broken: chips.filter((chip, i) => boxes[i].height > line * 1.8).map((c) => c.textContent),
    outside: boxes.filter((box) => box.left < strip.left || box.right > strip.right
      || box.bottom > strip.bottom).length,
  };
}"""


def shell(server, script, **values) -> list[str]:
    """The last line the script printed, if any."""
    return server.shell(script.format(**values)).strip().splitlines()[-1:]


def test_a_hundred_people_at_twelve_tables_run_the_built_in_day(module_server, open_context):
    server = module_server
    laptop = open_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(laptop, server.url)
    create_workshop(laptop, "Sales leadership day", TABLES, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    strip = laptop.locator("#room")
    # The wall turns on Playwright's clock (a fast-forward is a turn), and without the cards'
    # entrance glide, which would make each turn wait 1.6 s before the wall can be measured.
    projector_context = open_context(**PROJECTOR, reduced_motion="reduce")
    projector_context.clock.install()
    projector = projector_context.new_page()
    projector.goto(
        server.url + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    expect(projector.locator("#live-status")).to_have_attribute("data-state", "live")
    projector.evaluate("window.__neverReloaded = true")
    back_row = BackRow(projector)

    # The welcome slide: the room fills, table by table, on the console as it happens.
    assert shell(server, JOIN, code=code, people=PEOPLE, seats=SEATS) == ["100"]
    expect(strip.locator(".room-strip__joined")).to_have_text("100 joined")
    expect(strip.locator(".room-strip__tables li")).to_have_text(
        [f"Table {t} {JOINED[t - 1]}" for t in range(1, TABLES + 1)]
    )
    expect(strip.locator(".room-strip__next")).to_contain_text("Where do I step in?")
    expect(stage_title(projector)).to_have_text("From hero to hero-maker")
    back_row.look("From hero to hero-maker")

    # The reflection: ninety finish; the console names the ten still writing.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text("Where do I step in?")
    expect(projector.locator("#progress")).to_contain_text("0 of 100 finished")
    writing = strip.locator(".room-strip__writing")
    expect(writing).to_have_text(re.compile(r"^\s*100 still writing:\s+.+ and 88 more\s*$"))
    still = [PEOPLE[n] for n in WRITING]
    done = [name for name in PEOPLE if name not in still]
    shell(server, FINISH, code=code, done=done)
    expect(projector.locator("#progress")).to_contain_text("90 of 100 finished")
    # By table, then name: whom to walk over to first.
    by_table = sorted(WRITING, key=lambda n: (SEATS[n], PEOPLE[n]))
    names = ", ".join(PEOPLE[n] for n in by_table)
    expect(writing).to_have_text(re.compile(rf"^\s*10 still writing:\s+{re.escape(names)}\s*$"))
    expect(strip.locator(".room-strip__tables li")).to_have_count(TABLES)
    expect(strip.locator(".room-strip__joined")).to_have_text("100 joined")
    expect(strip.locator(".room-strip__next")).to_have_text(
        re.compile(r"^\s*Next\s+Where this room plays hero\s+The room's answers · 10 min\s*$")
    )
    # 50 minutes into a day whose agenda planned 15 by now (the slide has no length).
    expect(strip.locator("[data-late]")).to_have_text(re.compile(r"^3[45] min behind$"))
    expect(strip.locator("[data-elapsed]")).to_have_text(re.compile(r"^1[89] of 15 min$"))
    expect(strip.locator(".room-strip__clock--over")).to_have_count(1)
    laid_out = laptop.evaluate(STRIP)
    assert laid_out["broken"] == [] and laid_out["outside"] == 0, laid_out
    assert laid_out["rows"] <= 2, laid_out  # twelve tables read in a line or two
    assert laid_out["bottom"] <= laid_out["viewport"], laid_out  # at a glance, no scrolling
    screenshot(laptop, "big-room-reflection-console")
    back_row.look("Where do I step in?")

    # Where this room plays hero: the ninety's ticks, two charts read from the back row.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text(ROOM_ANSWERS)
    expect(projector.locator(".pattern__answered")).to_have_text(["90 people answered"] * 2)
    expect(projector.locator(".pattern__bar")).to_have_count(4 + 8)
    expect(strip.locator(".room-strip__next")).to_have_text(
        re.compile(r"^\s*Next\s+At your table\s+Table discussion · 20 min\s*$")
    )
    back_row.look(ROOM_ANSWERS)
    sizes = projector.locator(".pattern__label, .pattern__count").evaluate_all(
        "(els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize))"
    )
    if min(sizes) < 28:
        back_row.problems.append(f"{ROOM_ANSWERS}: a bar's words in {min(sizes):.1f} px type")
    screenshot(projector, "big-room-room-answers-projector")

    # The table discussion, with its timer; the takeaways come onto the wall live.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text("At your table")
    laptop.get_by_label("Minutes").fill("20")
    laptop.get_by_role("button", name="Start timer").click()
    expect(projector.locator("#timer .timer__value")).to_be_visible()
    expect(projector.locator(".wall-table")).to_have_count(TABLES)
    shell(server, POST, code=code, posted=POSTED)
    every = {text for texts in POSTED.values() for text in texts}
    expect(projector.locator(".takeaway--wall")).to_have_count(len(every))
    frames = back_row.watch_the_wall("At your table", every)
    assert len(frames) > 1  # more than a screenful: it rotated
    assert max(frame["tables"] for frame in frames) < TABLES  # in pages of tables
    screenshot(projector, "big-room-discussion-projector")

    # The share-out: votes come in as badges, and the strongest goes on the big screen.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text("With the room")
    shell(server, VOTE, code=code, votes=VOTES, posted=POSTED)
    for table, index, votes in VOTES:
        card = projector.locator(".takeaway--wall", has_text=POSTED[table][index])
        expect(card.locator(".takeaway__votes")).to_have_text(f"+{votes}")
    laptop.get_by_role("button", name="Order by votes").click()
    top = projector.locator(".wall-table", has_text="Table 8").locator(".takeaway__text").first
    expect(top).to_have_text(POSTED[8][2])
    back_row.watch_the_wall("With the room", every)
    screenshot(projector, "big-room-shareout-projector")
    longest = max(every, key=len)
    laptop.locator(".takeaway", has_text=longest).get_by_role("button", name="Spotlight").click()
    spotlight = projector.locator("#spotlight")
    expect(spotlight).to_contain_text(longest)
    back_row.look("With the room, the spotlight")
    fitted = spotlight.locator(".spotlight__card").evaluate(
        """card => ({ px: parseFloat(getComputedStyle(card.querySelector(".spotlight__text"))
            .fontSize), hidden: card.scrollHeight - card.clientHeight })"""
    )
    if fitted["px"] < 40 or fitted["hidden"] > 1:  # live.js goes below 64 px for the longest
        back_row.problems.append(
            f"With the room: the spotlight shows a takeaway of {len(longest)} characters in "
            f"{fitted['px']:.0f} px type, with {fitted['hidden']} px of it cut off"
        )
    screenshot(projector, "big-room-spotlight-projector")
    laptop.get_by_role("button", name="Clear spotlight").click()
    expect(spotlight).to_be_hidden()

    # The closing slide: the last activity of the day.
    click_next(laptop)
    expect(stage_title(projector)).to_have_text("Thank you")
    expect(strip.locator(".room-strip__next")).to_have_text("This is the last activity of the day")
    back_row.look("Thank you")
    assert projector.evaluate("window.__neverReloaded") is True
    unreadable = list(dict.fromkeys(back_row.problems))  # once each, not once per turn
    assert unreadable == [], "What the back row cannot read:\n" + "\n".join(unreadable)
