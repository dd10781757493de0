"""Every screen, checked by axe-core in real Chromium, on a phone and on a 1080p screen: the
phone from joining to its notes, the projector and the console in every activity, the desk's
editor, results and report, sign-in, the organizers' pages and the error pages. Zero violations
of axe's default rules and of WCAG 2.2 A and AA.

One server and one day for the whole module: walking the day once and checking each screen
where it is keeps this file to about a minute.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR_EMAIL, PHONE, PROJECTOR, ROOT, screenshot
from tests.browser.test_live_loop import close_workshop, create_workshop, join, post, sign_in
from tests.browser.test_whole_day import ROOM_ANSWERS, click_next, go_to_step, stage_title
from tests.results_day import SHOWCASE_TITLE

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe's defaults leave some of these off: they are turned on by name. Not its experimental rules,
# which a run by tag leaves out too.
WCAG = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
SIZES = {"phone": {"width": 390, "height": 844}, "1080p": {"width": 1920, "height": 1080}}
# The app's pages forbid inline scripts (CSP): axe is injected as one, so the checking browser
# lets it in. Reduced motion: a card still fading in would be measured half transparent.
CHECKING = {"bypass_csp": True, "reduced_motion": "reduce"}
LAPTOP = {"viewport": {"width": 1440, "height": 900}, **CHECKING}

RUN_AXE = """async (tags) => {
  const rules = axe.getRules(tags).filter((rule) => !rule.tags.includes("experimental"));
  const wanted = Object.fromEntries(rules.map((rule) => [rule.ruleId, {enabled: true}]));
  const result = await axe.run(document, {rules: wanted, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => [n.target.join(" "), n.failureSummary]),
  }));
}"""

SETTLED = """() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))"""


class Audit:
    """Runs axe on a page at both sizes and keeps what it found, screen by screen: the test
    fails once, at its end, with everything that is wrong."""

    def __init__(self):
        self.found = {}

    def check(self, page, name):
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            # The new size laid out (the wall and the console's strip measure themselves).
            page.evaluate(SETTLED)
            if not page.evaluate("typeof window.axe === 'object'"):
                page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE, WCAG)
            if violations:  # the picture of what axe saw, to look at
                screenshot(page, f"a11y-{name}-{size_name}")
                self.found[f"{name} at {size_name}"] = violations

    def assert_clean(self):
        """One line per rule and element, with the screens where it was found."""
        where = {}
        for screen, violations in self.found.items():
            for violation in violations:
                for target, summary in violation["nodes"]:
                    key = (violation["id"], target, summary.splitlines()[-1].strip())
                    where.setdefault(key, []).append(screen)
        report = [
            f"{rule}: {target} ({why}) on {', '.join(screens)}"
            for (rule, target, why), screens in where.items()
        ]
        assert not report, "\n".join(report)


@pytest.fixture(scope="module")
def showcase(module_server):
    """A finished day on the module's server, for results, report and organizers' pages."""
    workshop_id = module_server.shell(
        f"from tests.results_day import seed_showcase; print(seed_showcase({FACILITATOR_EMAIL!r}))"
    )
    return int(workshop_id.split()[-1])  # after what the shell says as it starts


def live(page):
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def test_a_live_day_on_the_phone_projector_and_console(module_server, open_context):
    server, audit = module_server.url, Audit()
    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, server)
    audit.check(laptop, "workshops")
    create_workshop(laptop, "Accessible day", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    projector = open_context(**PROJECTOR, **CHECKING).new_page()
    projector.goto(
        server + laptop.get_by_role("link", name="Open projector view").get_attribute("href")
    )
    live(projector)

    phone = open_context(**PHONE, **CHECKING).new_page()
    phone.goto(f"{server}/j/")
    audit.check(phone, "phone-enter-code")
    phone.get_by_label("Workshop code").fill("NOPE42")
    phone.get_by_role("button", name="Continue").click()
    audit.check(phone, "phone-unknown-code")
    phone.goto(f"{server}/j/{code}/")
    phone.get_by_role("button", name="Join").click()  # no name, no table: the errors
    expect(phone.locator(".form-error").first).to_be_visible()
    audit.check(phone, "phone-join-errors")
    join(phone, f"{server}/j/{code}/", "Anna", table="Table 1")
    phone.goto(f"{server}/w/{code}/no-such-page/")
    audit.check(phone, "phone-not-found")
    phone.get_by_role("link", name="Rejoin the workshop").click()  # straight back to its board
    expect(phone.locator("#board")).to_be_visible()

    def every_screen(kind):
        for page in (phone, projector, laptop):
            live(page)
        expect(stage_title(phone)).to_have_text(stage_title(projector).inner_text())
        audit.check(phone, f"phone-{kind}")
        audit.check(projector, f"projector-{kind}")
        audit.check(laptop, f"console-{kind}")

    every_screen("slide")
    click_next(laptop)
    expect(phone.get_by_role("checkbox", name="Leading team meetings")).to_be_visible()
    every_screen("solo")
    go_to_step(phone, "Leading team meetings")
    audit.check(phone, "phone-solo-written")

    click_next(laptop)
    expect(stage_title(phone)).to_have_text(ROOM_ANSWERS)
    expect(phone.locator(".pattern__waiting")).to_have_count(2)
    every_screen("room-answers")

    click_next(laptop)
    expect(stage_title(phone)).to_have_text("At your table")
    post(phone, "Coach after the call, not during it")
    post(phone, "Hide me from the wall")
    laptop.locator(".takeaway", has_text="Hide me").get_by_role("button", name="Hide").click()
    expect(
        laptop.locator(".takeaway", has_text="Hide me").get_by_role("button", name="Show")
    ).to_be_visible()
    laptop.get_by_label("Minutes").fill("20")
    laptop.get_by_role("button", name="Start timer").click()
    expect(phone.locator("#timer .timer__value")).to_be_visible()
    every_screen("discussion")
    # Approval before showing: the console's queue, and a card waiting on its table's phones.
    laptop.get_by_role("button", name="Approve before showing").click()
    post(phone, "Waiting for approval")
    expect(laptop.locator("#queue .queue__item")).to_have_count(1)
    expect(phone.locator(".takeaway__waiting")).to_be_visible()
    audit.check(laptop, "console-approval-queue")
    audit.check(phone, "phone-takeaway-waiting")
    laptop.get_by_role("button", name="Stop approving: show new takeaways at once").click()
    expect(laptop.locator("#queue .queue__item")).to_have_count(0)
    phone.locator(".takeaway", has_text="Coach after").get_by_role("link", name="Edit").click()
    edit = phone.get_by_role("textbox", name="Edit your takeaway")
    edit.fill("")
    phone.get_by_role("button", name="Save").click()
    expect(edit).to_have_attribute("aria-invalid", "true")
    audit.check(phone, "phone-edit-error")

    click_next(laptop)
    expect(stage_title(phone)).to_have_text("With the room")
    every_screen("shareout")
    laptop.locator(".takeaway", has_text="Coach after").get_by_role(
        "button", name="Spotlight"
    ).click()
    expect(projector.locator("#spotlight")).to_be_visible()
    audit.check(projector, "projector-spotlight")

    click_next(laptop)
    expect(stage_title(phone)).to_have_text("Thank you")
    every_screen("closing")
    phone.get_by_role("link", name="My notes").click()
    expect(phone.get_by_role("heading", name="My notes")).to_be_visible()
    audit.check(phone, "phone-notes")

    close_workshop(laptop)
    phone.goto(f"{server}/w/{code}/")
    expect(phone.locator(".banner--closed")).to_be_visible()
    audit.check(phone, "phone-board-closed")
    audit.check(laptop, "console-closed")
    latecomer = open_context(**PHONE, **CHECKING).new_page()
    latecomer.goto(f"{server}/j/{code}/")
    expect(latecomer.get_by_role("heading", name="This workshop is closed")).to_be_visible()
    audit.check(latecomer, "phone-closed")
    audit.assert_clean()


def test_the_desk_results_report_and_organizers_pages(module_server, showcase, open_context):
    server, audit = module_server.url, Audit()
    visitor = open_context(**LAPTOP).new_page()
    visitor.goto(f"{server}/f/login/")
    audit.check(visitor, "sign-in")
    visitor.get_by_label("Email address").fill("nobody@example.com")
    visitor.get_by_label("Password").fill("wrong")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.locator(".form-error")).to_be_visible()
    audit.check(visitor, "sign-in-error")
    visitor.goto(f"{server}/o/login/")
    audit.check(visitor, "organizer-sign-in")
    visitor.goto(f"{server}/no/such/page/")
    audit.check(visitor, "not-found")

    laptop = open_context(**LAPTOP).new_page()
    sign_in(laptop, server)
    desk = f"{server}/f/w/{showcase}"
    for name, path in (
        ("agenda", "/agenda/"),
        ("tables", "/tables/"),
        ("results", "/results/"),
        ("report", "/report/"),
        ("data", "/data/"),
    ):
        laptop.goto(desk + path)
        audit.check(laptop, name)
    laptop.goto(desk + "/agenda/")
    laptop.get_by_role("link", name="Edit “Where do I step in?”").click()
    expect(laptop.get_by_role("heading", name="Steps on the phone")).to_be_visible()
    audit.check(laptop, "activity-editor")
    laptop.goto(f"{server}/f/profile/")
    audit.check(laptop, "profile")

    laptop.goto(desk + "/results/")
    laptop.get_by_label("Organizer's email address").fill("learning@example.com")
    laptop.get_by_role("button", name="Share with this organizer").click()
    expect(
        laptop.get_by_role("heading", name="Send this link to learning@example.com")
    ).to_be_visible()
    audit.check(laptop, "results-organizer-added")
    welcome = laptop.locator("#show-once-url").input_value()
    laptop.get_by_role("button", name="Make a share link").click()
    expect(laptop.locator("#show-once-url")).not_to_have_value(welcome)
    shared = laptop.locator("#show-once-url").input_value()

    organizer = open_context(**LAPTOP).new_page()
    organizer.goto(welcome)
    audit.check(organizer, "organizer-welcome")
    organizer.get_by_label("New password", exact=True).fill("a long organizer password")
    organizer.get_by_label("New password confirmation").fill("a long organizer password")
    organizer.get_by_role("button", name="Save and continue").click()
    expect(organizer.get_by_role("link", name=SHOWCASE_TITLE)).to_be_visible()
    audit.check(organizer, "organizer-home")
    organizer.get_by_role("link", name=SHOWCASE_TITLE).click()
    audit.check(organizer, "organizer-results")

    client = open_context(**LAPTOP).new_page()
    client.goto(shared)
    expect(client.get_by_role("heading", name=SHOWCASE_TITLE)).to_be_visible()
    audit.check(client, "shared-results")
    client.get_by_role("link", name="Report").click()
    expect(client.get_by_role("heading", name="Most voted takeaways")).to_be_visible()
    audit.check(client, "shared-report")
    audit.assert_clean()


# Reflow (WCAG 1.4.10): the narrowest phones, a 390 px one, a 1280 px laptop at 200 % zoom.
WIDTHS = (320, 390, 640)
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const sticksOut = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5;
  };
  // Where it starts: what sticks out inside something that does not.
  const out = [...document.querySelectorAll("body *")].filter(
    (element) => sticksOut(element) && !sticksOut(element.parentElement));
  return {
    overflow: document.documentElement.scrollWidth - width,
    from: out.slice(0, 4).map((element) =>
      `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`),
  };
}"""
# A phone's text at 200 % (its text-size setting): every rem and em of the page doubles.
TEXT_200 = "html { font-size: 200% !important; }"


class Reflow:
    def __init__(self):
        self.found = []

    def check(self, page, name, widths=WIDTHS, height=800):
        for width in widths:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate(SETTLED)
            measured = page.evaluate(SIDEWAYS)
            if measured["overflow"] > 0:
                self.found.append(f"{name} at {width} px: {measured}")
                screenshot(page, f"reflow-{name}-{width}")

    def post_button_inside(self, page, how):
        composer = page.locator("#composer").bounding_box()
        button = page.get_by_role("button", name="Post").bounding_box()
        inside = composer["x"] <= button["x"]
        inside &= button["x"] + button["width"] <= composer["x"] + composer["width"] + 0.5
        if not inside:
            self.found.append(f"{how}, the Post button {button} sticks out of its card {composer}")

    def assert_clean(self):
        assert not self.found, "\n".join(self.found)


def test_desk_and_phone_pages_reflow_without_sideways_scrolling(
    module_server, showcase, open_context
):
    server, reflow = module_server.url, Reflow()
    laptop = open_context(**LAPTOP).new_page()
    laptop.goto(f"{server}/f/login/")
    reflow.check(laptop, "sign-in")
    sign_in(laptop, server)
    reflow.check(laptop, "workshops")
    desk = f"{server}/f/w/{showcase}"
    for name, path in (
        ("console-finished", "/"),
        ("agenda", "/agenda/"),
        ("tables", "/tables/"),
        ("cards", "/cards/"),
        ("results", "/results/"),
        ("report", "/report/"),
        ("data", "/data/"),
    ):
        laptop.goto(desk + path)
        reflow.check(laptop, name)
    laptop.goto(desk + "/agenda/")
    laptop.get_by_role("link", name="Edit “Where do I step in?”").click()
    reflow.check(laptop, "activity-editor")
    laptop.goto(f"{server}/f/profile/")
    reflow.check(laptop, "profile")

    laptop.goto(f"{server}/f/")
    create_workshop(laptop, "Narrow day", 2, template="Hero to hero-maker")
    code = laptop.locator(".console__join .code-inline").inner_text()
    phone = open_context(**PHONE, **CHECKING).new_page()
    phone.goto(f"{server}/j/")
    reflow.check(phone, "phone-enter-code")
    phone.goto(f"{server}/j/{code}/")
    reflow.check(phone, "phone-join")
    join(phone, f"{server}/j/{code}/", "Anna", table="Table 1")
    reflow.check(phone, "phone-slide")
    click_next(laptop)
    reflow.check(laptop, "console-solo")
    reflow.check(phone, "phone-solo")
    click_next(laptop)
    expect(stage_title(phone)).to_have_text(ROOM_ANSWERS)
    reflow.check(laptop, "console-room-answers")
    reflow.check(phone, "phone-room-answers")
    click_next(laptop)
    expect(stage_title(phone)).to_have_text("At your table")
    post(phone, "A takeaway long enough to wrap onto a second line on a narrow phone")
    reflow.check(laptop, "console-discussion")
    reflow.check(phone, "phone-discussion")
    notes = phone.context.new_page()
    notes.goto(f"{server}/w/{code}/notes/")
    reflow.check(notes, "phone-notes")
    notes.close()

    # The phone's text at 200 %: the page still fits, and the Post button stays in its card.
    phone.add_style_tag(content=TEXT_200)
    reflow.check(phone, "phone-discussion-text-200", widths=(390,))
    reflow.post_button_inside(phone, "text at 200 %")
    phone.locator("#composer").scroll_into_view_if_needed()
    screenshot(phone, "reflow-phone-composer-text-200")

    # The whole phone zoomed to 200 %: a 390 x 844 screen is 195 x 422 CSS pixels.
    zoomed = open_context(**{**PHONE, "viewport": {"width": 195, "height": 422}}, **CHECKING)
    zoomed.add_cookies(phone.context.cookies())  # the same participant
    zoomed = zoomed.new_page()
    zoomed.goto(f"{server}/w/{code}/")
    live(zoomed)
    reflow.check(zoomed, "phone-zoom-200", widths=(195,), height=422)
    reflow.post_button_inside(zoomed, "zoomed to 200 %")
    # Its header scrolls away rather than stay over a screen this short.
    header = zoomed.locator(".phone-header").evaluate("(e) => getComputedStyle(e).position")
    if header == "sticky":
        reflow.found.append("zoomed to 200 %, the phone's header stays over the page")
    zoomed.locator("#composer").scroll_into_view_if_needed()
    screenshot(zoomed, "reflow-phone-zoom-200")
    reflow.assert_clean()
