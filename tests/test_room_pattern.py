"""The room's pattern of a private checklist: the projector shows how many people ticked each
option, never who, and nothing until enough people answered; the counts follow the ticks."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.layer_messages import broadcast_texts
from workshop import aggregates, live, services
from workshop.models import Answer, User

pytestmark = pytest.mark.django_db

COSTS = ["Exhaustion", "Becoming the bottleneck", "Reps who can't function without me"]
AGENDA = [
    {
        "kind": "solo",
        "title": "Where do I step in?",
        "steps": [
            {"kind": "text", "prompt": "In the field"},
            {"kind": "checklist", "prompt": "Which costs do you recognise?", "options": COSTS},
        ],
    },
    {"kind": "pattern", "title": "Where this room plays hero", "source": 0},
    {"kind": "discussion", "title": "At your table"},
]
PROJECTOR, CONSOLE = live.Audience.projector(), live.Audience.console()
NAMES = ["Anna", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace"]


@pytest.fixture
def room():
    facilitator = User.objects.create_user("f@example.com", "x")
    workshop = services.create_workshop(facilitator, "Hero", 2, agenda=AGENDA)
    first, second = workshop.tables.order_by("number")
    people = [services.join(workshop, (first, second)[n % 2], name) for n, name in enumerate(NAMES)]
    solo = workshop.activities.get(kind="solo")
    steps = list(solo.steps.order_by("position"))
    return facilitator, workshop, solo, steps[0], steps[1], people


def tick(person, step, *choices):
    return services.save_answer(person, step, choices=list(choices))


def screen(audience, workshop) -> str:
    workshop.refresh_from_db()
    return live.snapshot_html(audience, workshop)


def test_the_counts_are_the_rooms_most_first_and_ties_keep_the_steps_order(room):
    _facilitator, _workshop, _solo, _text, checklist, people = room
    tick(people[0], checklist, COSTS[1], COSTS[2])
    tick(people[1], checklist, COSTS[2])
    tick(people[2], checklist, COSTS[2], COSTS[1])
    tick(people[3], checklist, COSTS[0])
    tick(people[4], checklist)  # ticked nothing (yet): not counted as an answer
    pattern = aggregates.checklist_pattern(checklist, threshold=4)
    assert not pattern.waiting and pattern.answered == 4
    assert [(bar.label, bar.count) for bar in pattern.bars] == [
        (COSTS[2], 3),
        (COSTS[1], 2),
        (COSTS[0], 1),
    ]
    checklist.options = [COSTS[0], COSTS[2]]  # an option taken off the step counts no more
    checklist.save()
    pattern = aggregates.checklist_pattern(checklist, threshold=4)
    assert [bar.label for bar in pattern.bars] == [COSTS[2], COSTS[0]]


def test_nothing_but_waiting_until_enough_people_answered(room):
    facilitator, workshop, solo, _text, checklist, people = room
    services.reveal_step(facilitator, solo, checklist)
    for person in people[:4]:
        tick(person, checklist, COSTS[1])
    pattern = aggregates.checklist_pattern(checklist, workshop.reveal_threshold)
    assert pattern.waiting and pattern.bars == () and pattern.answered == 4
    projector = screen(PROJECTOR, workshop)
    assert "Waiting for at least 5 answers" in projector
    assert "Becoming the bottleneck" not in projector and "pattern__count" not in projector
    tick(people[4], checklist, COSTS[1])
    projector = screen(PROJECTOR, workshop)
    assert "Waiting for at least" not in projector
    assert '<span class="pattern__count">5</span>' in projector
    assert "5 people answered" in projector


def test_the_facilitator_shows_and_hides_the_counts_from_the_console(room, client):
    facilitator, workshop, solo, _text, checklist, _people = room
    client.force_login(facilitator)
    url = f"/f/w/{workshop.pk}/reveal/{solo.pk}/"
    console = screen(CONSOLE, workshop)
    assert "Show the room’s counts" in console
    assert client.post(url, {"step": checklist.pk}).status_code in (200, 302)
    solo.refresh_from_db()
    assert solo.revealed_step_id == checklist.pk
    assert "Which costs do you recognise?" in screen(PROJECTOR, workshop)
    assert "Hide the counts" in screen(CONSOLE, workshop)
    assert client.post(url, {}).status_code in (200, 302)
    solo.refresh_from_db()
    assert solo.revealed_step_id is None
    assert "Which costs do you recognise?" not in screen(PROJECTOR, workshop)


def test_only_a_checklist_of_this_reflection_can_be_shown(room, client):
    facilitator, workshop, solo, text, _checklist, _people = room
    with pytest.raises(services.Refused):
        services.reveal_step(facilitator, solo, text)  # a written answer is never counted
    discussion = workshop.activities.get(kind="discussion")
    with pytest.raises(services.Refused):
        services.reveal_step(facilitator, discussion, None)
    other = services.create_workshop(facilitator, "Other", 1, agenda=AGENDA)
    foreign = other.activities.get(kind="solo").steps.get(kind="checklist")
    with pytest.raises(services.Refused):
        services.reveal_step(facilitator, solo, foreign)
    client.force_login(facilitator)
    assert client.post(f"/f/w/{workshop.pk}/reveal/{solo.pk}/", {"step": foreign.pk}).status_code
    assert (
        client.post(f"/f/w/{workshop.pk}/reveal/{solo.pk}/", {"step": foreign.pk}).status_code
        == 404
    )
    stranger = User.objects.create_user("s@example.com", "x")
    with pytest.raises(services.NotAllowed):
        services.reveal_step(stranger, solo, None)


def test_a_tick_tells_the_projector_the_new_counts_and_no_message_says_who(
    room, django_capture_on_commit_callbacks
):
    """Every message of a whole reflection with the counts shown: counts, never a name or an
    answer of anyone's, on any screen."""
    facilitator, workshop, solo, text, checklist, people = room
    capture = django_capture_on_commit_callbacks
    phones = {live.Audience.table(table.pk) for table in workshop.tables.all()}
    audiences = {a.key for a in (PROJECTOR, CONSOLE, *phones)}
    sent = [
        broadcast_texts(
            workshop, audiences, lambda: services.reveal_step(facilitator, solo, checklist), capture
        )
    ]
    for n, person in enumerate(people):
        services.save_answer(person, text, text=f"secret words of {person.name}")
        sent.append(
            broadcast_texts(
                workshop, audiences, lambda p=person, n=n: tick(p, checklist, COSTS[n % 2]), capture
            )
        )
        sent.append(
            broadcast_texts(
                workshop, audiences, lambda p=person: services.complete_solo(p, solo), capture
            )
        )
    last = sent[-2][PROJECTOR.key].replace('\\"', '"')  # the envelope is JSON
    assert '<span class="pattern__count">4</span>' in last  # four ticked the first cost
    assert '<span class="pattern__count">3</span>' in last
    assert "7 people answered" in last
    for texts in sent:
        for key, message in texts.items():
            assert "secret words" not in message
            if key != CONSOLE.key:  # the facilitator's strip names who is still writing
                assert not [person.name for person in people if person.name in message], key
        for phone in phones:
            assert "pattern__count" not in texts[phone.key]  # the counts are the big screen's


def test_a_tick_costs_the_same_queries_whatever_the_size_of_the_room(room):
    facilitator, workshop, solo, _text, checklist, people = room
    services.reveal_step(facilitator, solo, checklist)

    def queries_of_a_tick(person) -> int:
        with CaptureQueriesContext(connection) as queries:
            tick(person, checklist, COSTS[0])
        return len(queries)

    small = queries_of_a_tick(people[0])
    table = workshop.tables.first()
    for n in range(60):
        services.join(workshop, table, f"Latecomer {n}")
    latecomer = workshop.participants.get(name="Latecomer 0")
    assert queries_of_a_tick(latecomer) == small


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 6), st.sets(st.sampled_from(COSTS))), max_size=30))
def test_the_counts_equal_a_fresh_count_after_any_ticks_and_changes_of_mind(room, ticks):
    _facilitator, _workshop, _solo, _text, checklist, people = room
    Answer.objects.filter(step=checklist).delete()
    for who, chosen in ticks:
        tick(people[who], checklist, *random.sample(sorted(chosen), len(chosen)))
    latest = {who: chosen for who, chosen in ticks}
    answered = [chosen for chosen in latest.values() if chosen]
    pattern = aggregates.checklist_pattern(checklist, threshold=1)
    assert pattern.answered == len(answered)
    if answered:
        expected = {cost: sum(cost in chosen for chosen in answered) for cost in COSTS}
        assert {bar.label: bar.count for bar in pattern.bars} == expected


def test_the_facilitator_sets_how_many_answers_the_counts_wait_for(room, client):
    facilitator, workshop, solo, _text, checklist, people = room
    client.force_login(facilitator)
    url = f"/f/w/{workshop.pk}/data/"
    assert 'value="5"' in client.get(url).content.decode()
    refused = client.post(url, {"retention_days": "30", "reveal_threshold": "1"})
    assert refused.status_code == 400
    assert "greater than or equal to 2" in refused.content.decode()
    client.post(url, {"retention_days": "30", "reveal_threshold": "3"})
    workshop.refresh_from_db()
    assert workshop.reveal_threshold == 3
    services.reveal_step(facilitator, solo, checklist)
    for person in people[:3]:
        tick(person, checklist, COSTS[0])
    assert "3 people answered" in screen(PROJECTOR, workshop)


def test_my_notes_show_my_ticks_next_to_the_rooms_once_enough_answered(room, client):
    from participants.notes import as_markdown, as_text, notes_for
    from tests.conftest import as_phone

    _facilitator, workshop, _solo, _text, checklist, people = room
    anna = people[0]
    tick(anna, checklist, COSTS[1], COSTS[0])
    for person in people[1:4]:
        tick(person, checklist, COSTS[1])
    notes = notes_for(anna)  # four answered: the room says nothing yet
    assert "other" not in as_markdown(notes) and "Only you" not in as_text(notes)
    tick(people[4], checklist, COSTS[1])
    notes = notes_for(anna)
    assert "Becoming the bottleneck — *You and 4 others*" in as_markdown(notes)
    assert "[x] Exhaustion (Only you, in this room)" in as_text(notes)
    page = as_phone(client, anna).get(f"/w/{workshop.code}/notes/").content.decode()
    assert '<span class="notes-ticks__room">You and 4 others</span>' in page


def test_the_results_carry_the_rooms_counts_and_nothing_below_the_threshold(room, client):
    import json

    from workshop import exports

    facilitator, workshop, _solo, _text, checklist, people = room
    for person in people[:4]:
        tick(person, checklist, COSTS[2])

    def room_in_json():
        agenda = json.loads(exports.workshop_json(workshop))["agenda"]
        return next(s for s in agenda[0]["steps"] if s["kind"] == "checklist")["room"]

    client.force_login(facilitator)
    report = f"/f/w/{workshop.pk}/report/"
    assert room_in_json() is None
    assert "report-pattern" not in client.get(report).content.decode()
    tick(people[4], checklist, COSTS[2], COSTS[0])
    assert room_in_json() == {
        "answered": 5,
        "counts": [
            {"option": COSTS[2], "count": 5},
            {"option": COSTS[0], "count": 1},
            {"option": COSTS[1], "count": 0},
        ],
    }
    page = client.get(report).content.decode()
    assert "(5 people answered)" in page
    assert f"<bdi>{COSTS[2]}</bdi> <strong>5</strong>" in page.replace("&#x27;", "'")


def test_the_workbooks_first_sheet_has_the_rooms_counts(room):
    import io

    from openpyxl import load_workbook

    from workshop import exports

    _facilitator, workshop, _solo, _text, checklist, people = room
    for person in people[:5]:
        tick(person, checklist, COSTS[1])
    sheet = load_workbook(io.BytesIO(exports.takeaways_xlsx(workshop))).worksheets[0]
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    at = rows.index(["Which costs do you recognise?"])
    assert rows[at + 1 : at + 5] == [
        ["Count", "Option"],
        [5, COSTS[1]],
        [0, COSTS[0]],
        [0, COSTS[2]],
    ]
    assert rows[at + 5] == [5, "people answered"]


def move_to(facilitator, workshop, kind: str):
    workshop.refresh_from_db()
    activity = workshop.activities.get(kind=kind)
    services.go_to_activity(facilitator, workshop, activity, workshop.current_activity_id)
    return activity


def test_the_rooms_answers_show_every_checklist_of_the_reflection_on_every_screen(room):
    facilitator, workshop, solo, _text, checklist, people = room
    for n, person in enumerate(people[:5]):
        tick(person, checklist, COSTS[n % 2])
    answers = move_to(facilitator, workshop, "pattern")
    assert answers.source_id == solo.pk
    projector = screen(PROJECTOR, workshop)
    assert "Where this room plays hero" in projector
    assert "Which costs do you recognise?" in projector and "5 people answered" in projector
    assert '<span class="pattern__count">3</span>' in projector  # three ticked the first
    phone = screen(live.Audience.table(people[0].table_id), workshop)
    assert '<span class="pattern__count">3</span>' in phone
    assert not [person.name for person in people if person.name in phone]
    assert '<span class="pattern__count">3</span>' in screen(CONSOLE, workshop)


def test_the_rooms_answers_wait_for_enough_answers_and_follow_a_late_tick(
    room, django_capture_on_commit_callbacks
):
    """A reflection takes answers for a while after the room moved on: a late tick counts."""
    facilitator, workshop, _solo, _text, checklist, people = room
    for person in people[:4]:
        tick(person, checklist, COSTS[2])
    move_to(facilitator, workshop, "pattern")
    assert "Waiting for at least 5 answers" in screen(PROJECTOR, workshop)
    texts = broadcast_texts(
        workshop,
        {PROJECTOR.key, CONSOLE.key},
        lambda: tick(people[4], checklist, COSTS[2]),
        django_capture_on_commit_callbacks,
    )
    assert "5 people answered" in texts[PROJECTOR.key]
    assert "5 people answered" in texts[CONSOLE.key]


def test_a_new_rooms_answers_show_the_last_reflection_before_them_and_only_a_reflection(room):
    facilitator, workshop, solo, _text, _checklist, _people = room
    added = services.add_activity(facilitator, workshop, "pattern", "What we share")
    assert added.source_id == solo.pk
    discussion = workshop.activities.get(kind="discussion")
    with pytest.raises(services.Refused):
        services.update_activity(facilitator, added, title="What we share", source=discussion)
    services.update_activity(facilitator, added, title="What we share", source=None)
    added.refresh_from_db()
    assert added.source_id is None
    workshop.refresh_from_db()
    services.go_to_activity(facilitator, workshop, added, workshop.current_activity_id)
    assert "has no checklist to count" in screen(PROJECTOR, workshop)


def test_the_agenda_editor_offers_the_reflections_to_count(room, client):
    facilitator, workshop, _solo, _text, _checklist, _people = room
    answers = workshop.activities.get(kind="pattern")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/agenda/{answers.pk}/").content.decode()
    assert "Shows the counts of" in page and "Where do I step in?" in page
    agenda = client.get(f"/f/w/{workshop.pk}/agenda/").content.decode()
    assert "Shows the room’s counts of “<bdi>Where do I step in?</bdi>”" in agenda


SCALE_AGENDA = [
    {
        "kind": "solo",
        "title": "How often?",
        "steps": [
            {
                "kind": "scale",
                "prompt": "How often do I take over a customer call?",
                "options": ["Never", "Every call"],
            },
        ],
    },
    {"kind": "pattern", "title": "Where this room plays hero"},
]


@pytest.fixture
def scaled():
    facilitator = User.objects.create_user("s@example.com", "x")
    workshop = services.create_workshop(facilitator, "Scale", 2, agenda=SCALE_AGENDA)
    table = workshop.tables.first()
    people = [services.join(workshop, table, name) for name in NAMES]
    step = workshop.activities.get(kind="solo").steps.get()
    return facilitator, workshop, step, people


def test_a_scale_keeps_one_point_of_its_own_and_shows_its_distribution_and_median(scaled):
    facilitator, workshop, step, people = scaled
    assert step.scale_values == ["1", "2", "3", "4", "5"]
    assert tick(people[0], step, "9").choices == []  # not a point of this scale
    assert tick(people[0], step, "4", "5").choices == ["4"]  # one point only
    for person, point in zip(people[1:5], ["2", "4", "5", "4"], strict=True):
        tick(person, step, point)
    pattern = aggregates.pattern_of(step, workshop.reveal_threshold)
    assert [(bar.label, bar.count) for bar in pattern.bars] == [
        ("1", 0),
        ("2", 1),
        ("3", 0),
        ("4", 3),
        ("5", 1),
    ]
    assert pattern.median == "4"
    services.reveal_step(facilitator, workshop.activities.get(kind="solo"), step)
    projector = screen(PROJECTOR, workshop)
    assert "5 people answered · median 4" in projector
    assert "<bdi>Never</bdi><bdi>Every call</bdi>" in projector
    assert projector.count('class="pattern__point') == 5


def test_a_scale_of_ten_is_asked_on_the_phone_and_its_notes_give_the_rooms_median(scaled, client):
    from participants.notes import as_text, notes_for
    from tests.conftest import as_phone

    facilitator, workshop, step, people = scaled
    solo = workshop.activities.get(kind="solo")
    services.set_steps(
        facilitator,
        solo,
        [{"id": step.pk, "kind": "scale", "prompt": step.prompt, "scale_top": 10}],
    )
    step.refresh_from_db()
    assert step.scale_values == [str(n) for n in range(11)] and step.options == []
    phone = as_phone(client, people[0]).get(f"/w/{workshop.code}/").content.decode()
    assert phone.count('type="radio" name="choices"') == 11
    tick(people[0], step, "0")
    assert "0 on a scale of 0 to 10" in as_text(notes_for(people[0]))
    for person in people[1:5]:
        tick(person, step, "7")
    assert "0 on a scale of 0 to 10 · the room's median: 7" in as_text(notes_for(people[0]))


def test_the_agenda_editor_asks_a_scale_for_both_ends_or_neither(scaled):
    from facilitator.agenda_forms import StepForm

    base = {"kind": "scale", "prompt": "How often?", "help_text": "", "scale_top": "5"}
    assert StepForm(data={**base, "options": "Never\nAlways"}).is_valid()
    assert StepForm(data={**base, "options": ""}).is_valid()
    one_end = StepForm(data={**base, "options": "Never"})
    assert not one_end.is_valid()
    assert "A scale names both its ends, or neither." in one_end.errors["options"]


def test_the_rooms_answers_and_the_json_carry_a_scales_distribution(scaled):
    import json

    from workshop import exports

    facilitator, workshop, step, people = scaled
    for person, point in zip(people[:5], ["1", "1", "2", "5", "5"], strict=True):
        tick(person, step, point)
    move_to(facilitator, workshop, "pattern")
    assert "median 2" in screen(PROJECTOR, workshop)
    data = json.loads(exports.workshop_json(workshop))
    scale = data["agenda"][0]["steps"][0]
    assert scale["scale"] == ["1", "2", "3", "4", "5"]
    assert scale["room"]["median"] == "2"
    assert scale["room"]["counts"][0] == {"option": "1", "count": 2}


WORD_AGENDA = [
    {
        "kind": "solo",
        "title": "One word",
        "steps": [{"kind": "word", "prompt": "One word for a rep who owns the customer"}],
    },
    {"kind": "pattern", "title": "The room's words"},
]


@pytest.fixture
def worded():
    facilitator = User.objects.create_user("w@example.com", "x")
    workshop = services.create_workshop(facilitator, "Words", 1, agenda=WORD_AGENDA)
    people = [services.join(workshop, workshop.tables.get(), name) for name in NAMES]
    return facilitator, workshop, workshop.activities.get(kind="solo").steps.get(), people


def say(person, step, text):
    return services.save_answer(person, step, text=text)


def test_words_fold_case_accents_plurals_and_little_words():
    from workshop.words import fold

    assert fold("Trust!") == fold("trust") == fold("  TRUST ") == "trust"
    assert fold("Élan") == fold("elan") == "elan"
    assert fold("the reps") == "rep" and fold("stories") == "story" and fold("boss") == "boss"
    assert fold("die Verantwortung") == "verantwortung" and fold("la confiance") == "confiance"
    assert fold("the") == "" and fold("!!") == ""


def test_the_room_sees_its_words_most_said_first_never_below_the_threshold(worded, client):
    from participants.notes import as_text, notes_for

    facilitator, workshop, step, people = worded
    assert say(people[0], step, "Trust").choices == ["trust"]
    assert services.save_answer(people[1], step, text="x", choices=["forged"]).choices == ["x"]
    for person, text in zip(people[1:4], ["trust!", "Ownership", "TRUST"], strict=True):
        say(person, step, text)
    assert aggregates.pattern_of(step, workshop.reveal_threshold).waiting  # four answered
    say(people[4], step, "ownership")
    pattern = aggregates.pattern_of(step, workshop.reveal_threshold)
    assert [(bar.label, bar.count) for bar in pattern.bars] == [("trust", 3), ("ownership", 2)]
    services.reveal_step(facilitator, workshop.activities.get(kind="solo"), step)
    projector = screen(PROJECTOR, workshop)
    assert '<bdi>trust</bdi> <span class="pattern__word-count">3</span>' in projector
    assert "Anna" not in projector
    assert "Trust · You and 2 others" in as_text(notes_for(people[0]))
    too_long = "w" * 61
    with pytest.raises(services.Refused):
        say(people[5], step, too_long)


def test_a_one_word_step_is_one_short_field_on_the_phone(worded, client):
    from tests.conftest import as_phone

    _facilitator, workshop, step, people = worded
    say(people[0], step, "Trust")
    page = as_phone(client, people[0]).get(f"/w/{workshop.code}/").content.decode()
    assert f'name="text" id="answer-{step.pk}"' in page and 'maxlength="60"' in page


def test_a_shown_checklist_edited_into_a_written_answer_is_counted_no_more(room):
    facilitator, workshop, solo, text, checklist, people = room
    services.reveal_step(facilitator, solo, checklist)
    tick(people[0], checklist, COSTS[0])
    steps = [
        {"id": text.pk, "kind": "text", "prompt": text.prompt},
        {"id": checklist.pk, "kind": "text", "prompt": "What does it cost you?"},
    ]
    services.set_steps(facilitator, solo, steps)
    projector = screen(PROJECTOR, workshop)
    assert "pattern" not in projector and "0 of 7 finished" in projector
