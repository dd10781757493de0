"""Approve before showing: a discussion's new takeaways wait in the console's queue; the
projector and the other tables see only what the facilitator approved, and the downloads say
which were never approved."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.layer_messages import broadcast_texts
from workshop import exports, live, services
from workshop.models import Takeaway, User

pytestmark = pytest.mark.django_db

AGENDA = [
    {"kind": "discussion", "title": "At your table"},
    {"kind": "shareout", "title": "With the room", "source": 0},
]
PROJECTOR, CONSOLE = live.Audience.projector(), live.Audience.console()


@pytest.fixture
def room():
    facilitator = User.objects.create_user("f@example.com", "x")
    workshop = services.create_workshop(facilitator, "Moderated", 2, agenda=AGENDA)
    first, second = workshop.tables.order_by("number")
    anna, ben = services.join(workshop, first, "Anna"), services.join(workshop, second, "Ben")
    discussion = workshop.activities.get(kind="discussion")
    services.set_moderated(facilitator, discussion, True)
    workshop.refresh_from_db()
    return facilitator, workshop, discussion, anna, ben


def screen(audience, workshop) -> str:
    return live.snapshot_html(audience, workshop)


def post(participant, text: str) -> Takeaway:
    return services.post_takeaway(participant, text, uuid.uuid4())


def keys(*audiences) -> set:
    return {audience.key for audience in audiences}


def test_a_new_takeaway_waits_in_the_queue_and_only_its_own_table_sees_it(room):
    facilitator, workshop, _discussion, anna, ben = room
    card = post(anna, "Ask before you fix")
    assert card.approval == Takeaway.Approval.WAITING
    workshop.refresh_from_db()
    console = screen(CONSOLE, workshop)
    assert f'id="queue-takeaway-{card.pk}"' in console
    assert f'id="takeaway-{card.pk}"' not in console  # in the queue, not yet on its table
    assert "Ask before you fix" not in screen(PROJECTOR, workshop)
    own = screen(live.Audience.table(anna.table_id), workshop)
    assert "Ask before you fix" in own and "Waiting for the facilitator" in own
    assert "Ask before you fix" not in screen(live.Audience.table(ben.table_id), workshop)

    services.approve(facilitator, card)
    workshop.refresh_from_db()
    assert "Ask before you fix" in screen(PROJECTOR, workshop)
    assert f'id="queue-takeaway-{card.pk}"' not in screen(CONSOLE, workshop)
    assert "Waiting for the facilitator" not in screen(live.Audience.table(anna.table_id), workshop)


def test_a_waiting_takeaway_is_in_no_projector_message_until_approved(
    room, django_capture_on_commit_callbacks
):
    """Every broadcast while it waits: posted, edited, deleted, hidden from the queue, shown."""
    facilitator, workshop, _discussion, anna, _ben = room
    capture = django_capture_on_commit_callbacks
    audiences = keys(PROJECTOR, CONSOLE, live.Audience.table(anna.table_id))
    sent = []

    def send(action) -> dict:
        sent.append(broadcast_texts(workshop, audiences, action, capture))
        return sent[-1]

    holder = {}
    send(lambda: holder.update(card=post(anna, "First words")))
    card = holder["card"]
    send(lambda: services.edit_takeaway(anna, card, "Second words"))
    send(lambda: services.set_takeaway_hidden(facilitator, card, True))
    other = {}
    send(lambda: other.update(card=post(anna, "Deleted before anyone saw it")))
    send(lambda: services.delete_takeaway(anna, other["card"]))
    for texts in sent:
        projector = texts[PROJECTOR.key]
        assert "words" not in projector and "anyone" not in projector
        assert f"takeaway-{card.pk}" not in projector
        assert f"takeaway-{other['card'].pk}" not in projector
    assert "Second words" in sent[1][CONSOLE.key]
    assert "Second words" in sent[1][live.Audience.table(anna.table_id).key]

    shown = send(lambda: services.set_takeaway_hidden(facilitator, card, False))
    assert "Second words" in shown[PROJECTOR.key]  # showing it is approving it
    card.refresh_from_db()
    assert card.approval == Takeaway.Approval.APPROVED


def test_an_edit_of_an_approved_takeaway_waits_again_and_leaves_the_projector(
    room, django_capture_on_commit_callbacks
):
    facilitator, workshop, _discussion, anna, _ben = room
    card = post(anna, "Approved words")
    services.approve(facilitator, card)
    texts = broadcast_texts(
        workshop,
        keys(PROJECTOR),
        lambda: services.edit_takeaway(anna, card, "Unchecked words"),
        django_capture_on_commit_callbacks,
    )
    assert "Unchecked words" not in texts[PROJECTOR.key]
    assert f"takeaway-{card.pk}" in texts[PROJECTOR.key]  # told to drop it, by its id alone
    workshop.refresh_from_db()
    assert "words" not in screen(PROJECTOR, workshop)
    assert f'id="queue-takeaway-{card.pk}"' in screen(CONSOLE, workshop)


def test_approve_all_empties_the_queue_with_the_same_queries_for_three_or_twelve(
    room, django_capture_on_commit_callbacks
):
    facilitator, workshop, _discussion, anna, ben = room

    def approve_all_of(count: int) -> int:
        for n in range(count):
            post(anna if n % 2 else ben, f"Idea {n}")
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert services.approve_all(facilitator, workshop) == count
        return len(queries)

    assert approve_all_of(3) == approve_all_of(12)
    workshop.refresh_from_db()
    projector = screen(PROJECTOR, workshop)
    assert all(f"Idea {n}<" in projector for n in range(12))
    assert "queue-takeaway-" not in screen(CONSOLE, workshop)
    assert services.approve_all(facilitator, workshop) == 0  # nothing waits: nothing changes


def test_turning_approval_off_shows_what_waits_and_new_posts_go_straight_up(room):
    facilitator, workshop, discussion, anna, _ben = room
    waiting = post(anna, "Was waiting")
    services.set_moderated(facilitator, discussion, False)
    waiting.refresh_from_db()
    assert waiting.approval == Takeaway.Approval.APPROVED
    fresh = post(anna, "Straight up")
    assert fresh.approval == Takeaway.Approval.NOT_NEEDED
    workshop.refresh_from_db()
    projector = screen(PROJECTOR, workshop)
    assert "Was waiting" in projector and "Straight up" in projector
    assert "Approve before showing" in screen(CONSOLE, workshop)


def test_a_waiting_takeaway_cannot_be_spotlit_or_voted_for(room):
    facilitator, workshop, _discussion, anna, ben = room
    card = post(anna, "Not yet")
    with pytest.raises(services.Refused):
        services.set_spotlight(facilitator, workshop, card)
    shareout = workshop.activities.get(kind="shareout")
    services.go_to_activity(facilitator, workshop, shareout, workshop.current_activity_id)
    workshop.refresh_from_db()
    assert "Not yet" not in screen(live.Audience.table(anna.table_id), workshop)
    assert "Not yet" not in screen(PROJECTOR, workshop)
    assert f'id="queue-takeaway-{card.pk}"' in screen(CONSOLE, workshop)  # still approvable
    ben.refresh_from_db()
    with pytest.raises(services.NotAllowed):
        services.vote(ben, card)


def test_downloads_say_which_were_never_approved_and_shared_ones_leave_them_out(room):
    facilitator, workshop, _discussion, anna, _ben = room
    approved, refused = post(anna, "Kept"), post(anna, "Never shown")
    services.approve(facilitator, approved)
    services.set_takeaway_hidden(facilitator, refused, True)
    own = {t["text"]: t for t in json.loads(exports.workshop_json(workshop))["takeaways"]}
    assert own["Kept"]["never_approved"] is False
    assert own["Never shown"]["never_approved"] is True
    shared = json.loads(exports.workshop_json(workshop, include_hidden=False))["takeaways"]
    assert [t["text"] for t in shared] == ["Kept"]
    csv_lines = exports.takeaways_csv(workshop).splitlines()
    assert csv_lines[0].endswith("Hidden,Never approved")
    assert any(line.startswith("Moderated") and line.endswith("yes,yes") for line in csv_lines)
    assert "Never shown" not in exports.takeaways_csv(workshop, include_hidden=False)
    workshop.refresh_from_db()
    assert "never approved" in screen(CONSOLE, workshop)


def test_the_console_switch_and_queue_actions(client, room):
    facilitator, workshop, discussion, anna, _ben = room
    client.force_login(facilitator)
    card = post(anna, "From the queue")
    response = client.post(
        f"/f/w/{workshop.pk}/t/{card.pk}/approve/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "queue-takeaway-" not in response.text
    post(anna, "Second")
    response = client.post(f"/f/w/{workshop.pk}/approve/", headers={"HX-Request": "true"})
    assert "Approve all" not in response.text
    response = client.post(
        f"/f/w/{workshop.pk}/moderation/{discussion.pk}/",
        {"moderated": "0"},
        headers={"HX-Request": "true"},
    )
    discussion.refresh_from_db()
    assert not discussion.moderated
    shareout = workshop.activities.get(kind="shareout")
    assert client.post(f"/f/w/{workshop.pk}/moderation/{shareout.pk}/").status_code == 404
