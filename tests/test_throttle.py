"""Budgets a real room survives: an eager phone slows down, the room behind one NAT never does,
and guessing join codes gets nowhere."""

import uuid

import pytest
from django.test import Client

from tests.conftest import as_phone
from workshop import agenda_templates, services, throttle
from workshop.access import DEVICE_COOKIE
from workshop.models import Participant, Takeaway, Vote

pytestmark = pytest.mark.django_db

VENUE_NAT = "203.0.113.50"


@pytest.fixture(autouse=True)
def _budgets(settings):
    settings.POST_BUDGET = (10, 3)
    settings.VOTE_BUDGET = (30, 0.5)
    settings.JOIN_BUDGET = (5, 10)
    settings.COOKIELESS_JOIN_BUDGET = (20, 1)
    settings.WRONG_CODE_BUDGET = (10, 3)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The buckets' clock (theirs only), moved by the test instead of waited for: however slow
    the machine, no budget refills between two requests unless the test says so."""

    class Clock:
        now = 1_000_000.0

        def advance(self, seconds):
            self.now += seconds

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(throttle, "time", clock)
    return clock


def phone(participant=None):
    """A phone on the venue's Wi-Fi: every one has the same address."""
    client = Client(REMOTE_ADDR=VENUE_NAT)
    return as_phone(client, participant) if participant else client


def post_json(client, workshop, text):
    return client.post(
        f"/w/{workshop.code}/post/",
        {"text": text, "token": uuid.uuid4()},
        headers={"accept": "application/json"},
    )


# --- Posts ------------------------------------------------------------------------------------


def test_a_phone_posting_in_a_loop_is_told_to_slow_down_while_its_neighbour_posts(
    workshop, anna, ben, clock
):
    eager, neighbour = phone(anna), phone(ben)
    for n in range(10):
        assert post_json(eager, workshop, f"Idea {n}").status_code == 200
    refused = post_json(eager, workshop, "One too many")
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("You are sending a lot at once.")
    assert refused["Retry-After"] == "3"
    assert not Takeaway.objects.filter(text="One too many").exists()
    # Another phone behind the same address has its own budget.
    assert post_json(neighbour, workshop, "From Ben").status_code == 200
    # And the eager one may post again once its budget has room.
    clock.advance(3)
    assert post_json(eager, workshop, "One too many").status_code == 200


def test_three_hundred_phones_behind_one_address_each_post_at_once(workshop, tables):
    people = [services.join(workshop, tables[n % 3], f"P{n}") for n in range(300)]
    answers = [post_json(phone(p), workshop, f"From {p.name}").status_code for p in people]
    assert answers == [200] * 300
    assert Takeaway.objects.count() == 300


def test_a_plain_form_sent_too_fast_gets_a_page_that_sends_it_again(workshop, anna):
    client = phone(anna)
    for n in range(10):
        client.post(f"/w/{workshop.code}/post/", {"text": f"Idea {n}", "token": uuid.uuid4()})
    token = uuid.uuid4()
    page = client.post(f"/w/{workshop.code}/post/", {"text": "Keep <these> words", "token": token})
    assert page.status_code == 429
    html = page.content.decode()
    assert "A little slower, please" in html
    assert f'action="/w/{workshop.code}/post/"' in html
    assert 'value="Keep &lt;these&gt; words"' in html  # what was typed goes again, escaped
    assert f'value="{token}"' in html  # with its token: stored once, however often it goes
    assert 'data-retry-after="6"' in html


# --- Votes ------------------------------------------------------------------------------------


@pytest.fixture
def day(facilitator):
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    return services.create_workshop(facilitator, "Sales leadership day", 2, agenda=agenda)


def go(facilitator, day, activity):
    day.refresh_from_db()
    services.go_to_activity(facilitator, day, activity, day.current_activity_id)


@pytest.fixture
def shareout(facilitator, day):
    """Table 1 posted 35 takeaways; the room is in the share-out that shows them."""
    first, second = day.tables.order_by("number")
    go(facilitator, day, day.activities.get(kind="discussion"))
    writer = services.join(day, first, "Anna")
    posts = [services.post_takeaway(writer, f"T{n}", uuid.uuid4()) for n in range(35)]
    go(facilitator, day, day.activities.get(kind="shareout"))
    return {"posts": posts, "voter": services.join(day, second, "Chloé"), "table": second}


def vote(client, day, takeaway):
    return client.post(f"/w/{day.code}/vote/{takeaway.pk}/", headers={"hx-request": "true"})


def test_votes_beyond_the_burst_are_told_to_slow_down_in_words_not_a_page(day, shareout):
    client = phone(shareout["voter"])
    answers = [vote(client, day, takeaway).status_code for takeaway in shareout["posts"][:31]]
    assert answers == [200] * 30 + [429]
    refused = vote(client, day, shareout["posts"][31])
    assert refused["Content-Type"] == "application/json"  # htmx never swaps it into the page
    assert "a lot of +1s at once" in refused.json()["error"]
    assert int(refused["Retry-After"]) >= 1
    assert Vote.objects.count() == 30
    # A neighbour at the same address votes as before.
    neighbour = services.join(day, shareout["table"], "Dan")
    assert vote(phone(neighbour), day, shareout["posts"][0]).status_code == 200


# --- Joins ------------------------------------------------------------------------------------


def join(client, workshop, name="Anna", table=None):
    table = table or workshop.tables.first()
    return client.post(f"/j/{workshop.code}/", {"name": name, "table": table.pk})


def test_the_join_page_gives_the_phone_its_device_cookie(workshop):
    client = phone()
    page = client.get(f"/j/{workshop.code}/")
    device = page.cookies[DEVICE_COOKIE].value
    assert join(client, workshop).status_code == 200
    assert Participant.objects.get().device == device


def test_a_room_joining_behind_one_address_is_never_held_up(workshop, tables):
    for n in range(60):
        client = phone()
        client.get(f"/j/{workshop.code}/")
        assert join(client, workshop, f"P{n}", tables[n % 3]).status_code == 200, n
    assert Participant.objects.count() == 60


def test_a_phone_sending_the_join_form_again_and_again_slows_down(workshop, tables):
    client = phone()
    client.get(f"/j/{workshop.code}/")
    for _ in range(5):  # no name: the form again, explained
        assert client.post(f"/j/{workshop.code}/", {"table": tables[0].pk}).status_code == 200
    refused = join(client, workshop)
    assert refused.status_code == 429
    assert "Many joins at once" in refused.content.decode()
    assert not Participant.objects.exists()
    # Its neighbour joins.
    neighbour = phone()
    neighbour.get(f"/j/{workshop.code}/")
    assert join(neighbour, workshop, "Ben").status_code == 200


def test_join_forms_without_a_device_cookie_are_counted_by_address_once(workshop, tables):
    """A script that drops cookies, or pages loaded before the join page gave one: 20 at once
    from an address, then each is refused once, given a device cookie, and gets in with it."""
    clients = [phone() for _ in range(25)]
    answers = [join(c, workshop, f"P{n}").status_code for n, c in enumerate(clients)]
    assert answers == [200] * 20 + [429] * 5
    for late in clients[20:]:
        assert DEVICE_COOKIE in late.cookies  # given with the refusal
        assert join(late, workshop, "Late").status_code == 200
    assert Participant.objects.count() == 25


def test_joining_again_from_the_same_phone_cannot_multiply_its_votes(day, shareout):
    client = phone()
    client.get(f"/j/{day.code}/")
    assert join(client, day, "Chloé again", shareout["table"]).status_code == 200
    me = Participant.objects.get(name="Chloé again")
    takeaway = shareout["posts"][0]
    assert vote(client, day, takeaway).status_code == 200
    for _ in range(3):  # the join form sent again, from a tab left open, or a scanned card
        again = join(client, day, "Someone new", shareout["table"])
        assert again.status_code == 302
        assert again["Location"] == f"/w/{day.code}/"
        assert vote(client, day, takeaway).status_code == 409  # already given
    assert Participant.objects.filter(device=me.device).get() == me
    takeaway.refresh_from_db()
    assert takeaway.vote_count == 1
    assert Vote.objects.filter(takeaway=takeaway).count() == 1


# --- Join codes -------------------------------------------------------------------------------


def wrong_codes(count, start=0):
    return [f"ZZZ{n:03d}" for n in range(start, start + count)]


def test_wrong_codes_from_one_address_are_slowed_down(workshop, clock):
    client = phone()
    for code in wrong_codes(10):
        assert client.get(f"/j/{code}/").status_code == 404
    slowed = client.get("/j/ZZZ999/")
    assert slowed.status_code == 429
    assert "Check the code on the screen" in slowed.content.decode()
    assert slowed["Retry-After"] == "3"
    assert 'name="code"' in slowed.content.decode()
    # The form that asks for a code and the board's address say the same.
    assert client.get("/j/", {"code": "ZZZ998"}).status_code == 429
    assert client.get("/w/ZZZ997/").status_code == 429
    # Another address is not affected.
    assert Client(REMOTE_ADDR="198.51.100.9").get("/j/ZZZ999/").status_code == 404
    clock.advance(3)
    assert client.get("/j/ZZZ999/").status_code == 404


def test_a_guesser_gets_one_code_looked_up_every_three_seconds(workshop, clock):
    client = phone()
    looked_up = 0
    for second in range(21):
        for code in wrong_codes(56, start=second * 56):  # 56 guesses a second, for 21 s
            looked_up += client.get(f"/w/{code}/").status_code != 429
        clock.advance(1)
    assert 10 <= looked_up <= 10 + 7  # the burst, then one every 3 s


def test_while_an_address_is_slowed_no_code_is_looked_up_for_it(workshop):
    """Not even the right one: a refusal only for wrong codes would tell a guesser which are."""
    client = phone()
    for code in wrong_codes(10):
        client.get(f"/j/{code}/")
    assert client.get(f"/j/{workshop.code}/").status_code == 429


def test_right_codes_spend_nothing_however_many(workshop):
    client = phone()
    for _ in range(300):
        assert client.get(f"/j/{workshop.code}/").status_code == 200
    assert client.get("/j/", {"code": workshop.code}).status_code == 302
    for code in wrong_codes(9):  # a room's typos still have their whole budget
        assert client.get(f"/j/{code}/").status_code == 404


def test_a_phone_that_has_joined_gets_in_even_while_its_address_is_slowed(workshop, anna):
    client = phone(anna)
    for code in wrong_codes(12):
        client.get(f"/j/{code}/")
    assert client.get(f"/j/{workshop.code}/")["Location"] == f"/w/{workshop.code}/"
    assert client.get(f"/w/{workshop.code}/").status_code == 200
    assert post_json(client, workshop, "Still here").status_code == 200


# --- The bucket itself --------------------------------------------------------------------


def test_a_budget_refills_at_its_rate_and_never_beyond_its_burst(clock):
    budget = throttle.Budget("test", burst=3, every=2)
    assert [throttle.spend(budget, "me") for _ in range(4)] == [0, 0, 0, 2]
    clock.advance(1)
    assert throttle.wait(budget, "me") == 1
    clock.advance(1)
    assert throttle.spend(budget, "me") == 0
    clock.advance(3600)  # an hour later: a burst of 3, not 1800
    assert [throttle.spend(budget, "me") for _ in range(4)] == [0, 0, 0, 2]


def test_a_budget_of_zero_is_no_limit():
    budget = throttle.Budget("test", burst=0, every=1)
    assert all(throttle.spend(budget, "me") == 0 for _ in range(1000))


@pytest.mark.parametrize(
    ("remote", "counted_as"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:db8:1:2::99", "2001:db8:1:2::"),
    ],
)
def test_an_address_is_counted_as_one_subscriber(rf, remote, counted_as):
    assert throttle.client_address(rf.get("/", REMOTE_ADDR=remote)) == counted_as


def test_a_budget_whose_cache_fails_lets_the_room_through_and_says_so_once(settings, caplog):
    """Redis down or stalled: posts and votes go on, unthrottled, rather than failing."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        },
    }
    budget = throttle.Budget("post", 1, 60)
    with caplog.at_level("WARNING", logger="workshop.throttle"):
        assert [throttle.spend(budget, "phone") for _ in range(5)] == [0] * 5
    said = [r for r in caplog.records if "not counted" in r.getMessage()]
    assert len(said) == 1
