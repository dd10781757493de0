"""Running a day: moving through the agenda, the timer, private reflections, votes, spotlight."""

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import as_phone
from workshop import agenda_templates, live, services
from workshop.models import Activity, Answer, Completion, Takeaway, Vote, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(facilitator):
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    return services.create_workshop(facilitator, "Sales leadership day", 2, agenda=agenda)


# Where each activity of the built-in day is in the `agenda` fixture.
WELCOME, SOLO, ROOM_ANSWERS, DISCUSSION, SHAREOUT, CLOSING = range(6)


@pytest.fixture
def agenda(day):
    return list(day.activities.all())


def written(solo):
    """The reflection's first written answer (its first step is a checklist)."""
    return solo.steps.filter(kind="text").first()


@pytest.fixture
def people(day):
    first, second = day.tables.order_by("number")
    return {
        "anna": services.join(day, first, "Anna"),
        "ben": services.join(day, first, "Ben"),
        "chloe": services.join(day, second, "Chloé"),
    }


def go(facilitator, day, activity):
    day.refresh_from_db()
    return services.go_to_activity(facilitator, day, activity, day.current_activity_id)


def test_the_built_in_template_makes_the_whole_exercise(day, agenda):
    assert [a.kind for a in agenda] == [
        "slide",
        "solo",
        "pattern",
        "discussion",
        "shareout",
        "slide",
    ]
    assert day.current_activity == agenda[WELCOME]
    solo = agenda[SOLO]
    assert [s.kind for s in solo.steps.all()] == [
        "checklist",
        "text",
        "text",
        "text",
        "text",
        "checklist",
        "commitment",
    ]
    situations, costs = solo.steps.filter(kind="checklist")
    # The situations to tick are the four the written steps then ask about.
    assert situations.options == [s.prompt for s in solo.steps.filter(kind="text")]
    assert "Becoming the bottleneck" in costs.options
    assert agenda[ROOM_ANSWERS].title == "Where this room plays hero"
    assert agenda[ROOM_ANSWERS].source == solo
    assert agenda[SHAREOUT].source == agenda[DISCUSSION]


def test_where_this_room_plays_hero_counts_the_situations_and_the_costs(
    facilitator, day, agenda, people
):
    go(facilitator, day, agenda[SOLO])
    situations, costs = agenda[SOLO].steps.filter(kind="checklist")
    tables = list(day.tables.order_by("number"))
    room = [*people.values(), *(services.join(day, tables[1], name) for name in ("Dev", "Elif"))]
    for person in room:
        services.save_answer(person, situations, choices=["Leading team meetings"])
        services.save_answer(person, costs, choices=["Becoming the bottleneck"])
    services.save_answer(people["anna"], written(agenda[SOLO]), "Anna's private words")
    go(facilitator, day, agenda[ROOM_ANSWERS])
    for audience in (
        live.Audience.projector(),
        live.Audience.console(),
        live.Audience.table(people["anna"].table_id),
    ):
        screen = live.catch_up(audience, day.pk, None)
        assert "Where this room plays hero" in screen
        assert "In which of these situations do you step in?" in screen
        assert "Which of these costs do you recognise in yourself?" in screen
        assert screen.count("5 people answered") == 2
        assert "Anna's private words" not in screen


def test_a_template_with_no_activities_is_refused(facilitator):
    with pytest.raises(services.Refused, match="no activities"):
        services.create_workshop(facilitator, "Empty", 2, agenda=[])
    assert not Workshop.objects.exists()


def test_two_devices_pressing_next_at_once_move_one_step(facilitator, day, agenda):
    seen = day.current_activity_id
    services.go_to_activity(facilitator, day, agenda[SOLO], seen)
    services.go_to_activity(facilitator, day, services.neighbour(day, seen, 1), seen)
    day.refresh_from_db()
    assert day.current_activity == agenda[SOLO]


def test_back_after_a_mis_click_loses_nothing(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    services.save_answer(people["anna"], step, "Still here after Back")
    services.complete_solo(people["anna"], agenda[SOLO])
    go(facilitator, day, agenda[ROOM_ANSWERS])
    go(facilitator, day, agenda[SOLO])
    assert Answer.objects.get(step=step).text == "Still here after Back"
    assert Completion.objects.filter(activity=agenda[SOLO]).count() == 1
    services.save_answer(people["anna"], step, "And it can be changed again")


def test_moving_on_raises_the_stage_revision_and_clears_timer_and_spotlight(
    facilitator, day, agenda
):
    services.start_timer(facilitator, day, 5)
    before = Workshop.objects.get(pk=day.pk).stage_revision
    go(facilitator, day, agenda[SOLO])
    day.refresh_from_db()
    assert day.stage_revision > before
    assert day.timer_ends_at is None and day.timer_paused_seconds is None


def test_only_the_facilitator_moves_the_room(other_facilitator, day, agenda):
    with pytest.raises(services.NotAllowed):
        services.go_to_activity(other_facilitator, day, agenda[SOLO], day.current_activity_id)


def test_a_participants_forged_next_is_refused(client, day, people):
    as_phone(client, people["anna"])
    response = client.post(
        f"/f/w/{day.pk}/step/", {"seen": day.current_activity_id, "direction": "next"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/f/login/")
    day.refresh_from_db()
    assert day.current_activity.kind == "slide"


def test_the_timer_starts_pauses_resumes_gains_a_minute_and_stops(facilitator, day):
    services.start_timer(facilitator, day, 10)
    assert 599 <= services.timer_remaining(day) <= 600
    services.pause_timer(facilitator, day)
    day.refresh_from_db()
    paused = day.timer_paused_seconds
    assert day.timer_ends_at is None and 599 <= paused <= 600
    services.add_minute(facilitator, day)
    day.refresh_from_db()
    assert day.timer_paused_seconds == paused + 60
    services.resume_timer(facilitator, day)
    day.refresh_from_db()
    assert day.timer_paused_seconds is None
    assert 658 <= services.timer_remaining(day) <= 660
    services.stop_timer(facilitator, day)
    day.refresh_from_db()
    assert services.timer_remaining(day) is None


def test_a_timer_that_ran_out_shows_zero_and_a_minute_more_starts_from_now(facilitator, day):
    Workshop.objects.filter(pk=day.pk).update(timer_ends_at=timezone.now() - timedelta(minutes=3))
    day.refresh_from_db()
    assert services.timer_remaining(day) == 0
    assert live.timer_state(day)["display"] == "0:00"
    services.add_minute(facilitator, day)
    assert 59 <= services.timer_remaining(day) <= 60


def test_a_timer_needs_a_sensible_length(facilitator, day):
    with pytest.raises(services.Refused):
        services.start_timer(facilitator, day, 0)


def test_answers_are_saved_only_while_the_reflection_runs(facilitator, day, agenda, people):
    step = written(agenda[SOLO])
    with pytest.raises(services.Refused, match="closed"):
        services.save_answer(people["anna"], step, "Too early")
    go(facilitator, day, agenda[SOLO])
    services.save_answer(people["anna"], step, "Just right")
    go(facilitator, day, agenda[ROOM_ANSWERS])
    # Words typed as the facilitator pressed Next still count, for a short grace period.
    services.save_answer(people["anna"], step, "Just in time")
    Activity.objects.filter(pk=agenda[SOLO].pk).update(
        left_at=timezone.now() - timedelta(seconds=settings.ANSWER_GRACE_SECONDS + 1)
    )
    with pytest.raises(services.Refused, match="closed"):
        services.save_answer(people["anna"], step, "Too late")
    assert Answer.objects.get().text == "Just in time"


def test_done_counts_in_the_grace_period_only(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    go(facilitator, day, agenda[ROOM_ANSWERS])
    services.complete_solo(people["anna"], agenda[SOLO])
    Activity.objects.filter(pk=agenda[SOLO].pk).update(
        left_at=timezone.now() - timedelta(seconds=settings.ANSWER_GRACE_SECONDS + 1)
    )
    with pytest.raises(services.Refused, match="closed"):
        services.complete_solo(people["ben"], agenda[SOLO])
    assert list(Completion.objects.values_list("participant__name", flat=True)) == ["Anna"]


def test_an_answer_over_its_limit_is_refused(facilitator, day, agenda, people, settings):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    with pytest.raises(services.Refused, match="limit"):
        services.save_answer(people["anna"], step, "x" * (settings.ANSWER_MAX_LENGTH + 1))
    assert not Answer.objects.exists()


def test_checklist_answers_keep_only_the_steps_options(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    checklist = agenda[SOLO].steps.filter(kind="checklist").last()  # the costs
    answer = services.save_answer(
        people["anna"], checklist, choices=["Becoming the bottleneck", "<script>made up</script>"]
    )
    assert answer.choices == ["Becoming the bottleneck"]


def test_private_answers_never_reach_a_shared_screen(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    services.save_answer(people["anna"], written(agenda[SOLO]), "My secret habit")
    services.complete_solo(people["anna"], agenda[SOLO])
    for audience in [
        live.Audience.projector(),
        live.Audience.console(),
        live.Audience.table(people["anna"].table_id),
    ]:
        for after in (None, 0):
            assert "My secret habit" not in live.catch_up(audience, day.pk, after)
    projector = live.catch_up(live.Audience.projector(), day.pk, None)
    assert "1 of 3 finished" in projector


def test_the_reflection_every_phone_gets_holds_no_answer_and_each_asks_for_its_own(
    client, facilitator, day, agenda, people
):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    services.save_answer(people["anna"], step, "Anna's own words")
    services.complete_solo(people["anna"], agenda[SOLO])
    shared = live.catch_up(live.Audience.table(people["ben"].table_id), day.pk, None)
    assert f'id="step-{step.pk}"' in shared.replace("\\", "")  # the form itself, for everyone
    assert "Anna's own words" not in shared and "data-own" not in shared

    mine = as_phone(client, people["anna"]).get(f"/w/{day.code}/solo/mine.json")
    assert mine["Cache-Control"] == "private, no-store"
    assert mine.json()["answers"][str(step.pk)]["text"] == "Anna's own words"
    assert "You’re done" in mine.json()["done"]
    bens = as_phone(client, people["ben"]).get(f"/w/{day.code}/solo/mine.json").json()
    assert bens == {"answers": {}, "done": ""}  # Ben's phone gets Ben's, that is nothing


def test_sharing_an_answer_makes_it_a_takeaway_of_the_next_discussion(
    facilitator, day, agenda, people
):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    services.save_answer(people["anna"], step, "Worth sharing")
    takeaway = services.share_answer(people["anna"], step)
    assert takeaway.activity == agenda[DISCUSSION]
    assert takeaway.from_reflection
    assert takeaway.table == people["anna"].table
    assert services.share_answer(people["anna"], step).pk == takeaway.pk  # once


def test_an_edit_after_the_discussion_closed_is_refused(facilitator, day, agenda, people):
    go(facilitator, day, agenda[DISCUSSION])
    takeaway = services.post_takeaway(people["anna"], "Said in time", uuid.uuid4())
    go(facilitator, day, agenda[SHAREOUT])
    with pytest.raises(services.Refused, match="over"):
        services.edit_takeaway(people["anna"], takeaway, "Changed afterwards")
    takeaway.refresh_from_db()
    assert takeaway.text == "Said in time"


def test_posting_outside_a_discussion_is_refused(day, people):
    with pytest.raises(services.Refused, match="discussion"):
        services.post_takeaway(people["anna"], "Not now", uuid.uuid4())
    assert not Takeaway.objects.exists()


@pytest.fixture
def shareout(facilitator, day, agenda, people):
    go(facilitator, day, agenda[DISCUSSION])
    posts = {
        "anna": services.post_takeaway(people["anna"], "From table one", uuid.uuid4()),
        "chloe": services.post_takeaway(people["chloe"], "From table two", uuid.uuid4()),
    }
    go(facilitator, day, agenda[SHAREOUT])
    return posts


def test_votes_go_to_other_tables_once_each(people, shareout):
    services.vote(people["chloe"], shareout["anna"])
    with pytest.raises(services.Refused, match="already"):
        services.vote(people["chloe"], shareout["anna"])
    with pytest.raises(services.Refused, match="other tables"):
        services.vote(people["ben"], shareout["anna"])
    assert Vote.objects.count() == 1


def test_a_spotlight_on_a_hidden_takeaway_is_refused(facilitator, day, shareout):
    services.set_takeaway_hidden(facilitator, shareout["anna"], True)
    shareout["anna"].refresh_from_db()
    with pytest.raises(services.Refused, match="hidden"):
        services.set_spotlight(facilitator, day, shareout["anna"])
    services.set_spotlight(facilitator, day, shareout["chloe"])
    day.refresh_from_db()
    assert day.spotlight == shareout["chloe"]


def test_the_share_out_wall_can_be_ordered_by_votes(facilitator, day, agenda, people):
    go(facilitator, day, agenda[DISCUSSION])
    older = services.post_takeaway(people["anna"], "Older but loved", uuid.uuid4())
    newer = services.post_takeaway(people["ben"], "Newer", uuid.uuid4())
    go(facilitator, day, agenda[SHAREOUT])

    def table_one_order():
        fresh = Workshop.objects.get(pk=day.pk)  # as a request reads it
        wall = live.page_context(live.Audience.projector(), fresh, fresh.revision)
        table = next(t for t in wall["tables"] if t.pk == people["anna"].table_id)
        return [k.pk for k in table.shown_takeaways]

    assert table_one_order() == [newer.pk, older.pk]
    services.vote(people["chloe"], older)
    services.set_order_by_votes(facilitator, agenda[SHAREOUT], True)
    assert table_one_order() == [older.pk, newer.pk]
    message = live.catch_up(live.Audience.projector(), day.pk, None)
    assert message.index("Older but loved") < message.index("Newer")


def test_phones_in_a_share_out_see_every_table(facilitator, day, people, shareout):
    message = live.catch_up(live.Audience.table(people["anna"].table_id), day.pk, None)
    assert "From table one" in message and "From table two" in message


def test_editing_the_running_activity_updates_the_screens(facilitator, day, agenda):
    before = Workshop.objects.get(pk=day.pk).stage_revision
    services.update_activity(facilitator, agenda[WELCOME], title="Welcome, managers")
    assert Workshop.objects.get(pk=day.pk).stage_revision > before
    assert "Welcome, managers" in live.catch_up(live.Audience.projector(), day.pk, before)


def test_only_activities_of_this_workshop_can_be_gone_to(facilitator, day, agenda):
    elsewhere = services.create_workshop(facilitator, "Elsewhere", 1)
    with pytest.raises(services.NotAllowed):
        services.go_to_activity(
            facilitator, day, elsewhere.activities.first(), day.current_activity_id
        )
    assert Activity.objects.filter(workshop=day).count() == len(agenda)


# --- A phone's outbox for answers: saves sent late or out of order keep the newest words ----

JSON = {"HTTP_ACCEPT": "application/json"}


def now_ms() -> int:
    return int(time.time() * 1000)


def test_a_save_typed_earlier_never_replaces_one_typed_later(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    typed = now_ms()
    services.save_answer(people["anna"], step, "Typed later, on the laptop", edited_at=typed)
    # The phone was offline: its older words arrive last.
    kept = services.save_answer(
        people["anna"], step, "Typed first, on the phone", edited_at=typed - 5000
    )
    assert kept.text == "Typed later, on the laptop"
    assert Answer.objects.get().text == "Typed later, on the laptop"
    services.save_answer(people["anna"], step, "Typed after both", edited_at=typed + 1)
    assert Answer.objects.get().text == "Typed after both"


def test_an_edit_cannot_claim_to_come_from_the_future(facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    services.save_answer(people["anna"], step, "A clock a year ahead", edited_at=now_ms() + 3e10)
    assert Answer.objects.get().edited_at <= now_ms()
    services.save_answer(people["anna"], step, "Typed just now")  # a plain form post
    assert Answer.objects.get().text == "Typed just now"


def test_the_phone_is_told_what_the_server_holds(client, facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    phone = as_phone(client, people["anna"])
    url = f"/w/{day.code}/answer/{step.pk}/"
    typed = now_ms() - 1000
    saved = phone.post(url, {"text": "My words", "edited_at": typed}, **JSON)
    assert saved.status_code == 200
    assert saved.json() == {"saved": True, "text": "My words", "choices": [], "edited_at": typed}
    late = phone.post(url, {"text": "Older words", "edited_at": typed - 1}, **JSON).json()
    assert late["text"] == "My words" and late["edited_at"] == typed
    mine = phone.get(f"/w/{day.code}/solo/mine.json").json()
    assert mine["answers"][str(step.pk)]["edited_at"] == typed


def test_a_closed_reflection_is_a_refusal_for_now_and_too_long_one_for_good(
    client, facilitator, day, agenda, people, settings
):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    phone = as_phone(client, people["anna"])
    url = f"/w/{day.code}/answer/{step.pk}/"
    too_long = phone.post(url, {"text": "x" * (settings.ANSWER_MAX_LENGTH + 1)}, **JSON)
    assert too_long.status_code == 422 and "limit" in too_long.json()["error"]
    settings.ANSWER_GRACE_SECONDS = 0
    go(facilitator, day, agenda[ROOM_ANSWERS])
    closed = phone.post(url, {"text": "Typed as the room moved on"}, **JSON)
    assert closed.status_code == 409
    assert closed.json()["open"] is False and "closed" in closed.json()["error"]
    assert not Answer.objects.exists()


def test_done_says_so_when_it_is_refused(client, facilitator, day, agenda, people, settings):
    go(facilitator, day, agenda[SOLO])
    services.set_workshop_open(facilitator, day, False)
    phone = as_phone(client, people["anna"])
    response = phone.post(f"/w/{day.code}/solo/{agenda[SOLO].pk}/done/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "This workshop is closed." in body
    assert "You’re done" not in body and "I’m done" in body  # the button stays
    assert not Completion.objects.exists()


def test_a_refused_share_keeps_the_button_and_says_why(client, facilitator, day, agenda, people):
    go(facilitator, day, agenda[SOLO])
    step = written(agenda[SOLO])
    services.save_answer(people["anna"], step, "Worth sharing")
    services.set_workshop_open(facilitator, day, False)
    phone = as_phone(client, people["anna"])
    response = phone.post(f"/w/{day.code}/share/{step.pk}/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "This workshop is closed." in body and "Share this answer" in body
    assert not Takeaway.objects.exists()


def test_a_private_autosave_raises_no_revision_and_tells_no_screen(
    facilitator, day, agenda, people
):
    go(facilitator, day, agenda[SOLO])
    day.refresh_from_db()
    before = day.revision
    services.save_answer(people["anna"], written(agenda[SOLO]), "Only mine")
    day.refresh_from_db()
    assert day.revision == before
