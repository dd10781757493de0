"""Quick polls: one question the room answers in a tap, its results on the big screen; one
answer per phone, changeable until the poll closes, and nobody's once it has."""

import json
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.layer_messages import broadcast_texts
from workshop import aggregates, live, services
from workshop.models import Activity, PollAnswer, User

pytestmark = pytest.mark.django_db

CHOICES = ["Coaching", "Telling", "Doing it myself"]
NAMES = ["Anna", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace"]
PROJECTOR, CONSOLE = live.Audience.projector(), live.Audience.console()
# A bar of the chart as a screen draws it: its label and its count.
BAR = re.compile(
    r'pattern__label" dir="auto">([^<]*)</span>\s*<span class="pattern__track"[^>]*>'
    r'<span class="pattern__fill"></span></span>\s*<span class="pattern__count">(\d+)<'
)


def agenda(kind="choice", options=CHOICES, hidden=False, **step):
    question = {"kind": kind, "prompt": "What do you do first?", "options": options, **step}
    return [
        {"kind": "slide", "title": "Welcome"},
        {"kind": "poll", "title": "Quick poll", "votes_hidden": hidden, "steps": [question]},
        {"kind": "discussion", "title": "At your table"},
    ]


def make_room(anonymous=False, people=NAMES, **question):
    facilitator = User.objects.create_user(f"f{random.random()}@example.com", "x")
    workshop = services.create_workshop(facilitator, "Hero", 2, agenda=agenda(**question))
    if anonymous:
        services.set_data_settings(facilitator, workshop, anonymous=True, retention_days=30)
    first, second = workshop.tables.order_by("number")
    joined = [
        services.join(workshop, (first, second)[n % 2], name) for n, name in enumerate(people)
    ]
    poll = workshop.activities.get(kind="poll")
    services.go_to_activity(facilitator, workshop, poll, workshop.current_activity_id)
    workshop.refresh_from_db()
    return facilitator, workshop, poll, poll.steps.get(), joined


@pytest.fixture
def room():
    return make_room()


def answer(person, question, *choices, text=""):
    person.workshop.refresh_from_db()
    return services.answer_poll(person, question, choices=list(choices), text=text)


def screen(audience, workshop) -> str:
    workshop.refresh_from_db()
    return live.snapshot_html(audience, workshop)


def counts(question, threshold=1) -> dict:
    return {bar.label: bar.count for bar in aggregates.poll_pattern(question, threshold).bars}


def test_one_answer_per_phone_changeable_until_the_poll_closes(room):
    _facilitator, _workshop, _poll, question, people = room
    answer(people[0], question, "Telling")
    answer(people[0], question, "Coaching")  # a change of mind replaces the first
    answer(people[0], question, "Coaching")  # a double tap counts once
    answer(people[1], question, "Coaching", "Telling")  # one choice: the first kept
    answer(people[2], question, "Not an option")  # nothing kept: no answer
    assert counts(question) == {"Coaching": 2, "Telling": 0, "Doing it myself": 0}
    assert PollAnswer.objects.filter(step=question).count() == 2


def test_several_choices_and_taking_an_answer_back():
    _facilitator, _workshop, _poll, question, people = make_room(kind="checklist")
    answer(people[0], question, "Telling", "Coaching", "Telling")
    answer(people[1], question, "Telling")
    assert counts(question) == {"Telling": 2, "Coaching": 1, "Doing it myself": 0}
    answer(people[1], question)  # every box unticked: the answer is taken back
    assert counts(question) == {"Telling": 1, "Coaching": 1, "Doing it myself": 0}
    assert aggregates.poll_pattern(question, 1).answered == 1


def test_a_scale_and_a_word_poll_are_counted_like_a_reflections():
    _f, _w, _p, scale, people = make_room(kind="scale", options=["Never", "Always"])
    for person, point in zip(people, ["1", "2", "2", "5", "4"], strict=False):
        answer(person, scale, point)
    pattern = aggregates.poll_pattern(scale, 5)
    assert [bar.count for bar in pattern.bars] == [1, 2, 0, 1, 1] and pattern.median == "2"
    _f, _w, _p, word, people = make_room(kind="word", options=[])
    for person, said in zip(people, ["Trust", "trust!", "Trusts", "Speed", "Café"], strict=False):
        answer(person, word, text=said)
    cloud = {bar.key: bar.count for bar in aggregates.poll_pattern(word, 5).bars}
    assert cloud == {"trust": 3, "speed": 1, "cafe": 1}


def test_nothing_is_shown_below_the_threshold(room):
    _facilitator, workshop, _poll, question, people = room
    for person in people[:4]:
        answer(person, question, "Telling")
    assert aggregates.poll_pattern(question, workshop.reveal_threshold).waiting
    assert "Waiting for at least 5 answers" in screen(PROJECTOR, workshop)
    answer(people[4], question, "Coaching")
    projector = screen(PROJECTOR, workshop)
    assert "Waiting for" not in projector and "5 people answered" in projector


def test_the_facilitator_chooses_results_after_reveal(room):
    facilitator, workshop, poll, question, people = room
    services.show_results(facilitator, poll, False)
    for person in people[:6]:
        answer(person, question, "Telling")
    projector = screen(PROJECTOR, workshop)
    assert "6 people answered" in projector and "pattern__bars" not in projector
    assert "The results appear when the facilitator shows them." in projector
    assert "pattern__bars" in screen(CONSOLE, workshop)  # the console always sees them
    services.show_results(facilitator, poll, True)
    assert "pattern__bars" in screen(PROJECTOR, workshop)


def test_a_poll_with_reveal_after_closing_shows_the_phones_its_results(room):
    facilitator, workshop, poll, question, people = room
    services.show_results(facilitator, poll, False)
    for person in people:
        answer(person, question, "Coaching")
    phone = live.Audience.table(people[0].table_id)
    assert "pattern__bars" not in screen(phone, workshop)
    services.close_poll(facilitator, poll)
    with pytest.raises(services.Refused, match="closed"):
        answer(people[0], question, "Telling")
    board = screen(phone, workshop)
    assert "The poll is closed" in board and "pattern__bars" not in board
    services.show_results(facilitator, poll, True)
    board = screen(phone, workshop)
    assert "pattern__bars" in board and "7 people answered" in board


def test_closing_leaves_no_answer_linked_to_anyone(room):
    facilitator, _workshop, poll, question, people = room
    for person in people:
        answer(person, question, "Telling")
    columns = {field.name for field in PollAnswer._meta.get_fields()}
    assert not columns & {"participant", "participant_id", "device", "updated_at"}
    assert PollAnswer.objects.filter(voter="").count() == 0  # linked while open: changeable
    services.close_poll(facilitator, poll)
    poll.refresh_from_db()
    assert poll.poll_key == "" and poll.closed_at is not None
    assert set(PollAnswer.objects.values_list("voter", flat=True)) == {""}
    assert counts(question)["Telling"] == len(people)  # the results stay


def test_moving_on_or_closing_the_workshop_closes_the_poll(room):
    facilitator, workshop, poll, question, people = room
    answer(people[0], question, "Telling")
    discussion = workshop.activities.get(kind="discussion")
    services.go_to_activity(facilitator, workshop, discussion, poll.pk)
    poll.refresh_from_db()
    assert not poll.poll_is_open and set(PollAnswer.objects.values_list("voter", flat=True)) == {""}
    services.go_to_activity(facilitator, workshop, poll, discussion.pk)  # Back: still closed
    with pytest.raises(services.Refused, match="closed"):
        answer(people[1], question, "Telling")
    _f, other, other_poll, other_question, others = make_room()
    answer(others[0], other_question, "Telling")
    services.set_workshop_open(_f, other, False)
    other_poll.refresh_from_db()
    assert other_poll.closed_at is not None
    assert set(PollAnswer.objects.filter(step=other_question).values_list("voter", flat=True)) == {
        ""
    }


def test_an_anonymous_workshop_stores_poll_answers_unlinked():
    _facilitator, _workshop, _poll, question, people = make_room(anonymous=True)
    answer(people[0], question, "Telling")
    stored = PollAnswer.objects.get()
    # Neither the participant nor their phone is in the row: only a digest keyed by the site's
    # secret and the poll's own key, which closing throws away.
    assert len(stored.voter) == 64 and stored.voter not in (str(people[0].pk), people[0].device)
    assert not PollAnswer._meta.get_field("step").related_model._meta.get_field("activity").null


def test_a_poll_answer_is_refused_outside_its_poll(room):
    facilitator, workshop, poll, question, people = room
    services.go_to_activity(facilitator, workshop, workshop.activities.get(kind="slide"), poll.pk)
    with pytest.raises(services.Refused):
        answer(people[0], question, "Telling")
    _f, _w, _p, elsewhere, _people = make_room()
    with pytest.raises(services.NotAllowed):
        answer(people[0], elsewhere, "Telling")  # another workshop's question


def test_no_answer_and_no_name_reaches_a_screen(room, django_capture_on_commit_callbacks):
    """Every message of a poll with its results on: counts only, never who chose what."""
    facilitator, workshop, poll, question, people = room
    keys = {"projector", "console", *(f"t{p.table_id}" for p in people)}
    said = []
    for n, person in enumerate(people):
        texts = broadcast_texts(
            workshop,
            keys,
            lambda person=person, n=n: answer(person, question, CHOICES[n % 3]),
            django_capture_on_commit_callbacks,
        )
        said.append(texts)
        # Each answer moves the staff's counts, and no phone is sent anything.
        assert texts["projector"] and not any(texts[f"t{p.table_id}"] for p in people)
    closing = broadcast_texts(
        workshop,
        keys,
        lambda: services.close_poll(facilitator, poll),
        django_capture_on_commit_callbacks,
    )
    for texts in [*said, closing]:
        for key in keys - {"console"}:
            assert not any(name in texts[key] for name in NAMES)
        # The console names who is at each table (its strip), never next to an answer.
        assert "data-author" not in texts["console"]


def test_an_answer_costs_the_same_in_a_big_room(room):
    _facilitator, workshop, _poll, question, people = room

    def queries_of_an_answer(person) -> int:
        with CaptureQueriesContext(connection) as seen:
            answer(person, question, "Telling")
        return len(seen)

    small = queries_of_an_answer(people[0])
    for n in range(40):
        services.join(workshop, workshop.tables.first(), f"Extra {n}")
    for person in people[1:4]:
        answer(person, question, "Coaching")
    assert queries_of_an_answer(people[4]) == small


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.tuples(st.integers(0, 6), st.sets(st.sampled_from(CHOICES))), max_size=30))
def test_the_live_counts_equal_a_fresh_count(room, moves):
    """After random answers, changes and take-backs, what the projector is sent equals a count
    of every phone's last answer."""
    _facilitator, workshop, _poll, question, people = room
    PollAnswer.objects.filter(step=question).delete()
    question.kind = "checklist"
    question.save(update_fields=["kind"])
    last = {}
    for who, chosen in moves:
        answer(people[who], question, *chosen)
        last[who] = chosen
    expected = {c: sum(c in chosen for chosen in last.values()) for c in CHOICES}
    assert counts(question, threshold=0) == expected
    pattern = aggregates.poll_pattern(question, 0)
    assert pattern.answered == sum(bool(chosen) for chosen in last.values())
    # A projector that reconnects catches up with the same counts (once enough answered).
    if pattern.answered >= workshop.reveal_threshold:
        content = json.loads(live.catch_up(PROJECTOR, workshop.pk, None))["content"]
        shown = dict(BAR.findall(content))
        assert {label: int(n) for label, n in shown.items()} == expected


def test_the_phone_answers_in_a_tap_and_finds_its_answer_again(client, room):
    _facilitator, workshop, _poll, question, people = room
    person = people[0]
    client.cookies["device"] = person.device
    session = client.session
    session.save()
    url = reverse("participants:poll_answer", args=[workshop.code, question.pk])
    board = reverse("participants:board", args=[workshop.code])
    response = client.post(url, {"choices": "Telling"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Your answer is in" in response.text and 'data-poll-choices="[&quot;Telling&quot;]"' in (
        response.text
    )
    page = client.get(board).text
    assert 'value="Telling" checked' in page


def test_a_poll_is_edited_in_the_agenda(client, room):
    facilitator, workshop, poll, question, _people = room
    client.force_login(facilitator)
    page = client.get(reverse("facilitator:activity", args=[workshop.pk, poll.pk])).text
    assert "The question" in page and "Several choices" in page
    data = {
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "1",
        "steps-0-id": str(question.pk),
        "steps-0-kind": "scale",
        "steps-0-prompt": "How sure are you?",
        "steps-0-options": "Not at all\nCompletely",
        "steps-0-scale_top": "10",
    }
    url = reverse("facilitator:activity_steps", args=[workshop.pk, poll.pk])
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert (question.kind, question.scale_top, question.options) == (
        "scale",
        10,
        ["Not at all", "Completely"],
    )
    data["steps-0-kind"] = "text"  # a written answer is no poll question
    assert client.post(url, data).status_code == 400
    with pytest.raises(services.Refused):
        services.set_steps(facilitator, poll, [{"kind": "choice", "options": ["a"]}] * 2)
    assert Activity.objects.get(pk=poll.pk).steps.count() == 1


def test_the_results_carry_a_polls_counts_and_nothing_below_the_threshold(client, room):
    import csv
    import io

    from openpyxl import load_workbook

    from workshop import exports

    facilitator, workshop, poll, question, people = room
    client.force_login(facilitator)
    for person in people[:4]:
        answer(person, question, "Coaching")
    report = f"/f/w/{workshop.pk}/report/"
    counts = f"/f/w/{workshop.pk}/counts.csv"

    def downloads():
        data = json.loads(exports.workshop_json(workshop))
        room = next(a for a in data["agenda"] if a["kind"] == "poll")["steps"][0]["room"]
        table = list(csv.reader(io.StringIO(b"".join(client.get(counts)).decode("utf-8-sig"))))
        return room, table, client.get(report).content.decode()

    room_json, table, page = downloads()
    assert room_json is None and len(table) == 1  # four answered: nothing but the header
    assert "fewer than 5 people answered it" in page
    answer(people[4], question, "Telling")
    services.close_poll(facilitator, poll)  # closed, unlinked: still counted
    room_json, table, page = downloads()
    assert room_json["answered"] == 5 and room_json["counts"][0] == {
        "option": "Coaching",
        "count": 4,
    }
    assert table[0][:6] == ["Workshop", "Activity", "Kind", "Question", "Answer", "Count"]
    assert table[1:] == [
        ["Hero", "Quick poll", "Quick poll", "What do you do first?", "Coaching", "4", "5", ""],
        ["Hero", "Quick poll", "Quick poll", "What do you do first?", "Telling", "1", "5", ""],
        [
            "Hero",
            "Quick poll",
            "Quick poll",
            "What do you do first?",
            "Doing it myself",
            "0",
            "5",
            "",
        ],
    ]
    assert "The poll “<bdi>Quick poll</bdi>”" in page and "<strong>4</strong>" in page
    sheet = load_workbook(io.BytesIO(exports.takeaways_xlsx(workshop))).worksheets[0]
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    at = rows.index(["What do you do first?"])
    assert rows[at + 2] == [4, "Coaching"] and rows[at + 5] == [5, "people answered"]
    assert f"/f/w/{workshop.pk}/counts.csv" in client.get(f"/f/w/{workshop.pk}/results/").text


def test_a_double_tap_tells_no_screen_twice(room, django_capture_on_commit_callbacks):
    _facilitator, workshop, _poll, question, people = room
    answer(people[0], question, "Telling")
    revision = workshop.revision
    with django_capture_on_commit_callbacks() as sent:
        answer(people[0], question, "Telling")
        answer(people[1], question)  # nothing to take back
    workshop.refresh_from_db()
    assert not sent and workshop.revision == revision


def test_a_word_too_long_or_a_hostile_phone_gets_a_clear_answer(client, room, settings):
    _facilitator, workshop, _poll, question, people = room
    question.kind = "word"
    question.save(update_fields=["kind"])
    client.cookies["device"] = people[0].device
    url = reverse("participants:poll_answer", args=[workshop.code, question.pk])
    hx = {"HX-Request": "true"}
    response = client.post(url, {"text": "x" * 10_000}, headers=hx)
    assert response.status_code == 200 and "poll-phone__status--error" in response.text
    assert not PollAnswer.objects.exists()
    response = client.post(url, {"text": "<script>alert(1)</script>"}, headers=hx)
    assert "<script>" not in response.text and "Your answer is in" in response.text
    settings.VOTE_BUDGET = (3, 60)
    statuses = [client.post(url, {"text": f"w{n}"}, headers=hx).status_code for n in range(6)]
    assert 429 in statuses and 500 not in statuses


def test_a_saved_template_carries_a_poll_and_its_question(room):
    facilitator, workshop, _poll, _question, _people = room
    template = services.save_as_template(facilitator, workshop, "With a poll")
    copy = services.create_workshop(facilitator, "Again", 1, agenda=template.agenda)
    poll = copy.activities.get(kind="poll")
    question = poll.steps.get()
    assert (poll.votes_hidden, poll.poll_is_open) == (False, True)
    assert (question.kind, question.prompt, question.options) == (
        "choice",
        "What do you do first?",
        CHOICES,
    )
