"""A share-out's counts: hidden from the projector until revealed (the console keeps them), and
the order by votes, each shown at once by the screens the change was made for."""

import uuid

import pytest
from django.urls import reverse

from tests.conftest import as_phone
from tests.layer_messages import broadcast_to
from workshop import live, services
from workshop.models import User

pytestmark = pytest.mark.django_db

AGENDA = [
    {"kind": "discussion", "title": "At your table"},
    {"kind": "shareout", "title": "With the room", "source": 0},
]


@pytest.fixture
def shareout():
    facilitator = User.objects.create_user("f@example.com", "x")
    workshop = services.create_workshop(facilitator, "Votes", 2, agenda=AGENDA)
    first, second = workshop.tables.order_by("number")
    anna, ben = services.join(workshop, first, "Anna"), services.join(workshop, second, "Ben")
    older = services.post_takeaway(anna, "Older idea", uuid.uuid4())
    newer = services.post_takeaway(anna, "Newer idea", uuid.uuid4())
    discussion, activity = workshop.activities.all()
    services.go_to_activity(facilitator, workshop, activity, discussion.pk)
    workshop.refresh_from_db()
    return facilitator, workshop, activity, ben, older, newer


def screen(audience, workshop) -> str:
    return live.snapshot_html(audience, workshop)


def test_hidden_counts_leave_the_projector_but_not_the_console(shareout):
    facilitator, workshop, activity, ben, older, _newer = shareout
    services.set_votes_hidden(facilitator, activity, True)
    services.vote(ben, older)
    workshop.refresh_from_db()
    assert "takeaway__votes" not in screen(live.Audience.projector(), workshop)
    assert "+1</span>" in screen(live.Audience.console(), workshop)
    assert "Reveal the counts" in screen(live.Audience.console(), workshop)

    services.set_votes_hidden(facilitator, activity, False)
    workshop.refresh_from_db()
    assert "takeaway__votes" in screen(live.Audience.projector(), workshop)


def test_while_counts_are_hidden_the_projector_keeps_the_order_of_time(shareout):
    facilitator, workshop, activity, ben, older, _newer = shareout
    services.set_votes_hidden(facilitator, activity, True)
    services.set_order_by_votes(facilitator, activity, True)
    services.vote(ben, older)
    workshop.refresh_from_db()
    projector = screen(live.Audience.projector(), workshop)
    assert projector.index("Newer idea") < projector.index("Older idea")
    services.set_votes_hidden(facilitator, activity, False)
    workshop.refresh_from_db()
    projector = screen(live.Audience.projector(), workshop)
    assert projector.index("Older idea") < projector.index("Newer idea")  # revealed: ranked


def test_a_vote_while_hidden_sends_the_projector_nothing_to_draw(
    shareout, django_capture_on_commit_callbacks
):
    facilitator, workshop, activity, ben, older, newer = shareout
    services.set_votes_hidden(facilitator, activity, True)
    projector, console = live.Audience.projector().key, live.Audience.console().key
    capture = django_capture_on_commit_callbacks
    sent = broadcast_to(workshop, projector, lambda: services.vote(ben, older), capture)
    assert sent and "Older idea" not in sent  # the revision moves on, with nothing to draw
    sent = broadcast_to(workshop, console, lambda: services.vote(ben, newer), capture)
    assert "Newer idea" in sent


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda f, a: services.set_order_by_votes(f, a, True), "Order by time"),
        (lambda f, a: services.set_votes_hidden(f, a, True), "Reveal the counts"),
    ],
)
def test_the_console_shows_a_share_out_setting_the_moment_it_changes(
    shareout, change, shown, django_capture_on_commit_callbacks
):
    """The snapshot the change's broadcast rendered (which the console's own answer is) shows
    the new setting: the room's running activity, as the lock read it, is told too."""
    facilitator, workshop, activity, *_ = shareout
    with django_capture_on_commit_callbacks(execute=True):
        change(facilitator, activity)
    assert shown in live.snapshot_html(live.Audience.console(), workshop)


def test_a_plus_one_taken_back_counts_down_and_twice_is_nothing_more(shareout):
    _facilitator, workshop, _activity, ben, older, _newer = shareout
    services.vote(ben, older)
    services.take_back_vote(ben, older)
    older.refresh_from_db()
    assert older.vote_count == 0 and not older.votes.exists()
    workshop.refresh_from_db()
    revision = workshop.revision
    services.take_back_vote(ben, older)  # a retry: nothing to take back, nothing announced
    workshop.refresh_from_db()
    assert workshop.revision == revision
    services.vote(ben, older)  # and it can be given again
    older.refresh_from_db()
    assert older.vote_count == 1


def test_the_phone_asks_for_the_state_it_wants_so_a_repeated_give_stays_one(client, shareout):
    _facilitator, workshop, _activity, ben, older, _newer = shareout
    as_phone(client, ben)
    url = reverse("participants:vote", args=[workshop.code, older.pk])
    assert client.post(url, {"give": "1"}, headers={"HX-Request": "true"}).status_code == 200
    assert client.post(url, {"give": "1"}, headers={"HX-Request": "true"}).status_code == 409
    older.refresh_from_db()
    assert older.vote_count == 1
    assert client.post(url, {"give": "0"}, headers={"HX-Request": "true"}).status_code == 200
    assert client.post(url, {"give": "0"}, headers={"HX-Request": "true"}).status_code == 200
    older.refresh_from_db()
    assert older.vote_count == 0
