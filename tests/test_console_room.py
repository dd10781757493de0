"""The console's strip (workshop.live.room): who is here per table, who is still writing, what
comes next and when each activity began; in the same few queries for any room."""

import uuid

import pytest
from django.utils import timezone

from tests.test_live import Room, cost
from workshop import live, services
from workshop.live.pieces import Stage
from workshop.live.room import WRITING_NAMES, room
from workshop.models import User

pytestmark = pytest.mark.django_db

DAY = [
    {"kind": "slide", "title": "Welcome"},
    {"kind": "solo", "title": "On your own", "duration_minutes": 10,
     "steps": [{"kind": "text", "prompt": "Where?"}]},
    {"kind": "discussion", "title": "At your table", "duration_minutes": 20},
]  # fmt: skip


def a_day(anonymous=False, tables=2):
    facilitator = User.objects.create_user(f"f{uuid.uuid4().hex[:6]}@example.com", "x")
    workshop = services.create_workshop(facilitator, "Day", tables, agenda=DAY)
    if anonymous:
        services.set_data_settings(facilitator, workshop, anonymous=True, retention_days=None)
    return facilitator, workshop


def the_room(workshop):
    stage = Stage.load(workshop.pk)
    return room(stage, list(stage.workshop.activities.all()))


def go(facilitator, workshop, title):
    workshop.refresh_from_db()
    activity = workshop.activities.get(title=title)
    services.go_to_activity(facilitator, workshop, activity, workshop.current_activity_id)


def test_during_a_slide_it_counts_who_joined_at_each_table():
    _facilitator, workshop = a_day(tables=3)
    first, second, _third = workshop.tables.order_by("number")
    for name, table in (("Anna", first), ("Ben", first), ("Chloé", second)):
        services.join(workshop, table, name)
    shown = the_room(workshop)
    assert shown.joined == 3
    assert shown.tables == [("Table 1", 2), ("Table 2", 1), ("Table 3", 0)]
    assert shown.writing is None  # nothing to write during a slide
    assert shown.schedule.next_activity.title == "On your own"


def test_during_a_reflection_it_names_who_is_still_writing_by_table_then_name():
    facilitator, workshop = a_day()
    first, second = workshop.tables.order_by("number")
    people = {
        name: services.join(workshop, table, name)
        for name, table in (("Zoe", first), ("Anna", second), ("Ben", first), ("Dev", second))
    }
    go(facilitator, workshop, "On your own")
    solo = workshop.activities.get(title="On your own")
    services.complete_solo(people["Ben"], solo)
    services.forget_participant(people["Dev"])  # left the room: not someone still writing
    writing = the_room(workshop).writing
    assert (writing.count, writing.names, writing.more) == (2, ["Zoe", "Anna"], 0)


def test_many_still_writing_are_counted_beyond_the_first_names():
    facilitator, workshop = a_day()
    table = workshop.tables.first()
    for n in range(WRITING_NAMES + 5):
        services.join(workshop, table, f"P{n:02}")
    go(facilitator, workshop, "On your own")
    writing = the_room(workshop).writing
    assert (writing.count, len(writing.names), writing.more) == (
        WRITING_NAMES + 5,
        WRITING_NAMES,
        5,
    )


def test_an_anonymous_workshop_counts_who_is_writing_but_names_nobody():
    facilitator, workshop = a_day(anonymous=True)
    table = workshop.tables.first()
    for _ in range(3):
        services.join_anonymously(workshop, table)
    go(facilitator, workshop, "On your own")
    writing = the_room(workshop).writing
    assert (writing.count, writing.names) == (3, [])


def test_the_day_starts_with_the_first_phone_and_a_quick_next_and_back_keeps_the_time():
    facilitator, workshop = a_day()
    assert the_room(workshop).schedule.day_started_ms is None  # nobody here yet
    anna = services.join(workshop, workshop.tables.first(), "Anna")
    schedule = the_room(workshop).schedule
    assert schedule.day_started_ms == int(anna.joined_at.timestamp() * 1000)
    assert schedule.activity_started_ms == schedule.day_started_ms  # the opening runs from then
    assert (schedule.planned_before, schedule.planned_now) == (0, None)

    go(facilitator, workshop, "On your own")
    entered = workshop.activities.get(title="On your own").entered_at
    assert timezone.now() - entered < timezone.timedelta(seconds=5)
    go(facilitator, workshop, "At your table")
    go(facilitator, workshop, "On your own")  # a mis-click undone: the reflection's time goes on
    schedule = the_room(workshop).schedule
    assert schedule.activity_started_ms == int(entered.timestamp() * 1000)
    assert (schedule.planned_before, schedule.planned_now) == (0, 10)
    assert schedule.next_activity.title == "At your table"
    go(facilitator, workshop, "At your table")
    schedule = the_room(workshop).schedule
    assert (schedule.planned_before, schedule.planned_now, schedule.next_activity) == (10, 20, None)


def test_the_strip_is_the_consoles_alone():
    _facilitator, workshop = a_day()
    before = workshop.revision
    services.join(workshop, workshop.tables.first(), "Anna")
    console = live.catch_up(live.Audience.console(), workshop.pk, before)
    assert "room-strip" in console and "1 joined" in console
    for audience in (live.Audience.projector(), live.Audience.table(workshop.tables.first().pk)):
        assert "room-strip" not in live.catch_up(audience, workshop.pk, before)


def test_joining_and_finishing_during_a_reflection_cost_the_same_in_any_room(
    transactional_db, client
):
    def measured(tables, people):
        room_ = Room(tables=tables, people=people, cards=0)
        solo = next(a for a in room_.activities if a.kind == "solo")
        room_.go(client, solo)()
        room_.join(client, 1)()  # as the day has done before
        return cost(room_.join(client, 2))

    assert measured(2, 6) == measured(30, 300)
