"""The agenda editor: listing, adding, editing, steps, moving, deleting — and who may do it."""

import uuid

import pytest

from tests.conftest import as_phone
from workshop import agenda_templates, live, services
from workshop.models import Activity, Answer, Takeaway, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(facilitator):
    """A workshop on the built-in agenda: slide, solo, the room's answers, discussion,
    share-out, slide."""
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    return services.create_workshop(facilitator, "Sales leadership day", 2, agenda=agenda)


def activities(workshop):
    return list(workshop.activities.order_by("position", "pk"))


def titles(workshop):
    return [a.title for a in activities(workshop)]


def by_kind(workshop, kind):
    return workshop.activities.filter(kind=kind).first()


def editor_routes(workshop):
    activity = activities(workshop)[0]
    base = f"/f/w/{workshop.pk}/agenda"
    return [
        ("get", f"{base}/", {}),
        ("post", f"{base}/add/", {"kind": "slide", "title": "Intruder"}),
        ("get", f"{base}/{activity.pk}/", {}),
        ("post", f"{base}/{activity.pk}/", {"title": "Intruder"}),
        ("post", f"{base}/{activity.pk}/steps/", {"steps-TOTAL_FORMS": "0"}),
        ("post", f"{base}/{activity.pk}/move/", {"direction": "down"}),
        ("get", f"{base}/{activity.pk}/delete/", {}),
        ("post", f"{base}/{activity.pk}/delete/", {}),
        ("post", f"{base}/template/", {"name": "Stolen"}),
    ]


# --- Who may edit -----------------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in(client, day):
    before = titles(day)
    for method, path, data in editor_routes(day):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/f/login/"), path
    assert titles(day) == before


def test_another_facilitator_finds_nothing_and_changes_nothing(client, day, other_facilitator):
    before = titles(day)
    client.force_login(other_facilitator)
    for method, path, data in editor_routes(day):
        assert getattr(client, method)(path, data).status_code == 404, path
    assert titles(day) == before
    assert not other_facilitator.agenda_templates.exists()


def test_a_participant_cannot_reach_the_agenda_editor(client, day):
    anna = services.join(day, day.tables.first(), "Anna")
    as_phone(client, anna)
    before = titles(day)
    for method, path, data in editor_routes(day):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/f/login/"), path
    assert titles(day) == before


def test_an_activity_of_another_workshop_is_not_found_through_mine(
    client, facilitator, day, workshop
):
    theirs = activities(workshop)[0]
    client.force_login(facilitator)
    assert client.get(f"/f/w/{day.pk}/agenda/{theirs.pk}/").status_code == 404
    response = client.post(f"/f/w/{day.pk}/agenda/{theirs.pk}/move/", {"direction": "up"})
    assert response.status_code == 404
    assert client.post(f"/f/w/{day.pk}/agenda/{theirs.pk}/delete/").status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()


# --- The list ---------------------------------------------------------------------------------


def test_the_agenda_lists_activities_in_order_with_kind_duration_and_what_is_running(
    client, facilitator, day
):
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/").content.decode()
    positions = [page.index(title) for title in titles(day)]
    assert positions == sorted(positions)
    assert "Solo reflection (private)" in page
    assert "Table discussion" in page
    assert "15 min" in page
    assert "7 steps on the phone" in page
    assert "Shows the room’s counts of “<bdi>Where do I step in?</bdi>”" in page
    assert "Shows the takeaways of “<bdi>At your table</bdi>”" in page
    first = activities(day)[0]
    assert page.count("Running now") == 1
    assert (
        f'id="activity-{first.pk}" class="agenda-item agenda-item--slide agenda-item--running"'
        in page
    )
    assert "6 activities · 60 min planned" in page


def test_the_agenda_escapes_titles(client, facilitator, day):
    services.add_activity(facilitator, day, "slide", "<script>alert(1)</script>")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Adding -----------------------------------------------------------------------------------


def test_adding_a_slide_puts_it_at_the_end_of_the_agenda(client, facilitator, day):
    client.force_login(facilitator)
    response = client.post(
        f"/f/w/{day.pk}/agenda/add/",
        {
            "kind": "slide",
            "title": "Lunch",
            "instructions": "Back at 13:30",
            "duration_minutes": 45,
        },
    )
    added = activities(day)[-1]
    assert response.status_code == 302
    assert response["Location"] == f"/f/w/{day.pk}/agenda/#activity-{added.pk}"
    assert (added.kind, added.title, added.instructions, added.duration_minutes) == (
        "slide",
        "Lunch",
        "Back at 13:30",
        45,
    )


def test_adding_a_solo_reflection_leads_to_its_steps(client, facilitator, day):
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/add/", {"kind": "solo", "title": "Afterthought"})
    added = activities(day)[-1]
    assert response["Location"] == f"/f/w/{day.pk}/agenda/{added.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Steps on the phone" in page
    assert "Add a step" in page


def test_a_new_share_out_shows_the_last_discussion_before_it(client, facilitator, day):
    client.force_login(facilitator)
    client.post(f"/f/w/{day.pk}/agenda/add/", {"kind": "shareout", "title": "Round two"})
    assert activities(day)[-1].source == by_kind(day, "discussion")


def test_the_add_form_explains_what_is_missing_and_adds_nothing(client, facilitator, day):
    client.force_login(facilitator)
    before = titles(day)
    response = client.post(
        f"/f/w/{day.pk}/agenda/add/", {"kind": "party", "title": "", "duration_minutes": "999"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Select a valid choice." in page
    assert "less than or equal to 480" in page
    assert titles(day) == before


# --- Editing ----------------------------------------------------------------------------------


def test_editing_an_activity_saves_title_instructions_and_duration(client, facilitator, day):
    discussion = by_kind(day, "discussion")
    client.force_login(facilitator)
    form = client.get(f"/f/w/{day.pk}/agenda/{discussion.pk}/").content.decode()
    assert 'value="At your table"' in form
    response = client.post(
        f"/f/w/{day.pk}/agenda/{discussion.pk}/",
        {"title": "Your table", "instructions": "Post two takeaways.", "duration_minutes": ""},
    )
    assert response["Location"] == f"/f/w/{day.pk}/agenda/#activity-{discussion.pk}"
    discussion.refresh_from_db()
    assert (discussion.title, discussion.instructions, discussion.duration_minutes) == (
        "Your table",
        "Post two takeaways.",
        None,
    )


def test_editing_the_running_activity_tells_every_screen(client, facilitator, day):
    running = activities(day)[0]
    before = Workshop.objects.get(pk=day.pk).stage_revision
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{running.pk}/").content.decode()
    assert "This activity is running now" in page
    client.post(f"/f/w/{day.pk}/agenda/{running.pk}/", {"title": "Welcome, everyone"})
    assert Workshop.objects.get(pk=day.pk).stage_revision > before


def test_the_running_activity_edited_is_drawn_as_saved(
    facilitator, day, django_capture_on_commit_callbacks
):
    """The projector's snapshot, which the edit's broadcast rendered, has the new words: the
    room's running activity, as the lock read it before the write, is told what was saved."""
    running = activities(day)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_activity(facilitator, running, title="Welcome, sales leaders")
    projector = live.snapshot_html(live.Audience.projector(), day)
    assert "Welcome, sales leaders" in projector
    assert "From hero to hero-maker" not in projector


def test_an_edit_saves_only_what_the_form_edits(facilitator, day):
    """What the console or the room changed since the editor read the activity is kept."""
    shareout = by_kind(day, "shareout")
    stale = by_kind(day, "shareout")
    services.go_to_activity(facilitator, day, shareout, day.current_activity_id)
    services.update_activity(facilitator, stale, title="With the whole room")
    shareout.refresh_from_db()
    assert shareout.title == "With the whole room"
    assert shareout.entered_at is not None  # the room's arrival, not the editor's old copy


def test_an_edit_with_a_blank_title_is_refused_with_a_message(client, facilitator, day):
    slide = activities(day)[0]
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/{slide.pk}/", {"title": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    slide.refresh_from_db()
    assert slide.title == "From hero to hero-maker"


def test_a_share_out_chooses_which_discussion_it_shows(client, facilitator, day, workshop):
    second = services.add_activity(facilitator, day, "discussion", "Second round")
    shareout = by_kind(day, "shareout")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{shareout.pk}/").content.decode()
    assert "Shows the takeaways of" in page
    client.post(
        f"/f/w/{day.pk}/agenda/{shareout.pk}/", {"title": "With the room", "source": second.pk}
    )
    shareout.refresh_from_db()
    assert shareout.source == second

    # A discussion of another workshop is no choice at all.
    elsewhere = by_kind(workshop, "discussion")
    response = client.post(
        f"/f/w/{day.pk}/agenda/{shareout.pk}/", {"title": "With the room", "source": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    shareout.refresh_from_db()
    assert shareout.source == second


def test_only_a_share_out_offers_a_discussion_to_show(client, facilitator, day):
    slide = activities(day)[0]
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{slide.pk}/").content.decode()
    assert "Shows the takeaways of" not in page
    assert "Steps on the phone" not in page


# --- Options set ahead of time -----------------------------------------------------------------

# Each kind's options, by the name of the checkbox (and of the Activity field it sets).
OPTIONS = {
    "discussion": ["moderated"],
    "shareout": ["order_by_votes", "votes_hidden"],
    "slide": [],
    "solo": [],
}
LABELS = {
    "moderated": "Approve before showing",
    "order_by_votes": "Order by votes",
    "votes_hidden": "Hide the counts until I reveal them",
}


def edit(client, activity, **options):
    """Posts the activity's details unchanged, with these checkboxes ticked (a browser sends a
    ticked box as "on" and leaves an unticked one out)."""
    data = {"title": activity.title, "instructions": activity.instructions}
    if activity.source_id:
        data["source"] = activity.source_id
    data.update({name: "on" for name, ticked in options.items() if ticked})
    return client.post(f"/f/w/{activity.workshop_id}/agenda/{activity.pk}/", data)


@pytest.mark.parametrize("kind", OPTIONS)
def test_each_option_is_offered_only_for_its_kind_with_its_label_and_help(
    client, facilitator, day, kind
):
    activity = by_kind(day, kind)
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{activity.pk}/").content.decode()
    for name, label in LABELS.items():
        offered = name in OPTIONS[kind]
        assert (f'name="{name}"' in page) is offered, name
        assert (label in page) is offered, name
        if offered:
            # The hint is tied to the box: a screen reader reads it with the label.
            assert f'aria-describedby="id_{name}_helptext"' in page
            assert f'id="id_{name}_helptext"' in page


def test_a_discussion_asks_for_approval_before_showing(client, facilitator, day):
    discussion = by_kind(day, "discussion")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{discussion.pk}/").content.decode()
    assert "New takeaways wait for your approval before the projector" in page
    assert edit(client, discussion, moderated=True).status_code == 302
    discussion.refresh_from_db()
    assert discussion.moderated
    page = client.get(f"/f/w/{day.pk}/agenda/{discussion.pk}/").content.decode()
    assert 'id="id_moderated" checked' in page
    assert "Approve before showing" in client.get(f"/f/w/{day.pk}/agenda/").content.decode()

    edit(client, discussion)  # the box left unticked
    discussion.refresh_from_db()
    assert not discussion.moderated


def test_no_longer_asking_for_approval_approves_what_waits(client, facilitator, day):
    """As the console's switch does: nobody is left waiting for an approval nobody will give."""
    discussion = by_kind(day, "discussion")
    client.force_login(facilitator)
    edit(client, discussion, moderated=True)
    discussion.refresh_from_db()
    services.go_to_activity(facilitator, day, discussion, day.current_activity_id)
    anna = services.join(day, day.tables.first(), "Anna")
    waiting = services.post_takeaway(anna, "Coach first, then step back", uuid.uuid4())
    assert waiting.approval == Takeaway.Approval.WAITING

    edit(client, discussion)
    waiting.refresh_from_db()
    assert waiting.approval == Takeaway.Approval.APPROVED


def test_a_share_out_orders_by_votes_and_hides_the_counts_until_revealed(client, facilitator, day):
    shareout = by_kind(day, "shareout")
    client.force_login(facilitator)
    edit(client, shareout, order_by_votes=True, votes_hidden=True)
    shareout.refresh_from_db()
    assert (shareout.order_by_votes, shareout.votes_hidden) == (True, True)
    agenda = client.get(f"/f/w/{day.pk}/agenda/").content.decode()
    assert "Counts hidden until you reveal them" in agenda

    edit(client, shareout, votes_hidden=True)
    shareout.refresh_from_db()
    assert (shareout.order_by_votes, shareout.votes_hidden) == (False, True)


def test_another_kinds_option_is_never_saved(client, facilitator, day):
    shareout, slide = by_kind(day, "shareout"), by_kind(day, "slide")
    client.force_login(facilitator)
    edit(client, shareout, moderated=True)
    edit(client, slide, moderated=True, votes_hidden=True, order_by_votes=True)
    services.update_activity(facilitator, slide, title=slide.title, moderated=True)
    for activity in (shareout, slide):
        activity.refresh_from_db()
        assert not (activity.moderated or activity.votes_hidden or activity.order_by_votes)
    with pytest.raises(TypeError, match="moderatd"):  # a misspelt option is no option
        services.update_activity(facilitator, shareout, title=shareout.title, moderatd=True)


def test_an_option_set_on_the_running_share_out_reaches_the_screens_at_once(
    client, facilitator, day, django_capture_on_commit_callbacks
):
    """The snapshot the edit's broadcast rendered shows the new setting: the room's running
    activity, as the lock read it before the write, is told too."""
    shareout = by_kind(day, "shareout")
    services.go_to_activity(facilitator, day, shareout, day.current_activity_id)
    client.force_login(facilitator)
    before = Workshop.objects.get(pk=day.pk).stage_revision
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, shareout, votes_hidden=True)
    day.refresh_from_db()
    assert day.stage_revision > before
    assert "Reveal the counts" in live.snapshot_html(live.Audience.console(), day)


def test_the_options_survive_saving_as_a_template_and_starting_from_it(client, facilitator, day):
    client.force_login(facilitator)
    edit(client, by_kind(day, "discussion"), moderated=True)
    edit(client, by_kind(day, "shareout"), votes_hidden=True)
    client.post(f"/f/w/{day.pk}/agenda/template/", {"name": "Moderated day"})
    template = facilitator.agenda_templates.get()
    discussion, shareout = template.agenda[3], template.agenda[4]
    assert discussion["moderated"] is True
    assert (shareout["order_by_votes"], shareout["votes_hidden"]) == (False, True)
    assert "moderated" not in shareout  # each kind carries its own options only
    assert template.agenda[2]["source"] == 1  # the room's answers count the reflection

    client.post("/f/", {"title": "Again", "table_count": "2", "start_from": f"saved:{template.pk}"})
    again = facilitator.workshops.get(title="Again")
    assert by_kind(again, "discussion").moderated
    shareout = by_kind(again, "shareout")
    assert (shareout.order_by_votes, shareout.votes_hidden) == (False, True)
    assert shareout.source == by_kind(again, "discussion")
    assert by_kind(again, "pattern").source == by_kind(again, "solo")


def test_the_built_in_template_carries_its_options():
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    discussion, shareout = agenda[3], agenda[4]
    assert discussion["moderated"] is False
    assert (shareout["order_by_votes"], shareout["votes_hidden"]) == (False, False)


def test_a_template_saved_before_the_options_starts_with_them_off(client, facilitator):
    older = facilitator.agenda_templates.create(
        name="Last year",
        agenda=[
            {"kind": "discussion", "title": "At your table"},
            # Not JSON's true, or another kind's option: off all the same.
            {"kind": "shareout", "title": "With the room", "source": 0, "votes_hidden": "yes"},
            {"kind": "slide", "title": "Thanks", "moderated": True},
        ],
    )
    client.force_login(facilitator)
    client.post("/f/", {"title": "Again", "table_count": "2", "start_from": f"saved:{older.pk}"})
    again = facilitator.workshops.get(title="Again")
    assert [a.title for a in activities(again)] == ["At your table", "With the room", "Thanks"]
    for activity in activities(again):
        assert not (activity.moderated or activity.votes_hidden or activity.order_by_votes)
    assert by_kind(again, "shareout").source == by_kind(again, "discussion")


# --- Steps of a solo reflection -------------------------------------------------------------------


def steps_post(steps, move=""):
    """The steps formset as the browser posts it; each step a dict of its fields."""
    data = {"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": "0"}
    for i, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{i}-{key}"] = value
    if move:
        data["move"] = move
    return data


def current_steps(solo):
    return [
        {
            "id": step.pk,
            "kind": step.kind,
            "prompt": step.prompt,
            "help_text": step.help_text,
            "options": "\n".join(step.options),
        }
        for step in solo.steps.all()
    ]


def test_the_steps_editor_shows_each_step_and_a_blank_one_to_add(client, facilitator, day):
    solo = by_kind(day, "solo")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{solo.pk}/").content.decode()
    assert 'value="Leading team meetings"' in page
    assert "Exhaustion and burn-out\nBecoming the bottleneck" in page
    assert "Step 7" in page
    assert "Add a step" in page


def test_editing_adding_and_removing_steps_keeps_answers_to_unchanged_steps(
    client, facilitator, day
):
    solo = by_kind(day, "solo")
    services.go_to_activity(facilitator, day, solo, day.current_activity_id)
    anna = services.join(day, day.tables.first(), "Anna")
    first = solo.steps.get(prompt="Leading team meetings")
    services.save_answer(anna, first, "I run the Monday meeting myself.")

    steps = current_steps(solo)
    steps[2]["prompt"] = "Field days"
    steps[3]["DELETE"] = "on"
    steps.append({"kind": "text", "prompt": "What will you try first?", "help_text": ""})
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps))
    assert response["Location"] == f"/f/w/{day.pk}/agenda/{solo.pk}/#steps"

    prompts = list(solo.steps.values_list("prompt", flat=True))
    assert prompts == [
        "In which of these situations do you step in?",
        "Leading team meetings",
        "Field days",
        "Reporting results up the chain",
        "Which of these costs do you recognise in yourself?",
        "My commitment",
        "What will you try first?",
    ]
    assert Answer.objects.get(participant=anna).step_id == first.pk


def test_an_untouched_blank_step_is_not_added(client, facilitator, day):
    solo = by_kind(day, "solo")
    steps = [*current_steps(solo), {"kind": "text", "prompt": "", "help_text": "", "options": ""}]
    client.force_login(facilitator)
    client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps))
    assert solo.steps.count() == len(steps) - 1


def test_a_checklist_gets_its_options_one_per_line(client, facilitator, day):
    solo = by_kind(day, "solo")
    steps = current_steps(solo)
    steps[1].update(kind="checklist", options="Monday meeting\n\n  Pipeline review  \n")
    client.force_login(facilitator)
    client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps))
    step = solo.steps.get(pk=steps[1]["id"])
    assert (step.kind, step.options) == ("checklist", ["Monday meeting", "Pipeline review"])


def test_a_checklist_without_options_is_refused_with_a_message(client, facilitator, day):
    solo = by_kind(day, "solo")
    steps = current_steps(solo)
    steps[1].update(kind="checklist", options="")
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps))
    assert response.status_code == 400
    assert "A checklist needs at least one option." in response.content.decode()
    assert solo.steps.get(pk=steps[1]["id"]).kind == "text"


def test_moving_a_step_up_or_down_saves_the_new_order(client, facilitator, day):
    solo = by_kind(day, "solo")
    client.force_login(facilitator)
    steps = current_steps(solo)
    steps[1]["prompt"] = "Team meetings"  # an edit made before moving is saved too
    client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps, move="5:up"))
    prompts = list(solo.steps.values_list("prompt", flat=True))
    assert prompts[1] == "Team meetings"
    assert prompts[4:6] == [
        "Which of these costs do you recognise in yourself?",
        "Reporting results up the chain",
    ]

    client.post(
        f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(current_steps(solo), move="1:down")
    )
    assert list(solo.steps.values_list("prompt", flat=True))[1:3] == [
        "Working in the field with your people",
        "Team meetings",
    ]


def test_moving_the_last_step_down_changes_nothing(client, facilitator, day):
    solo = by_kind(day, "solo")
    before = list(solo.steps.values_list("prompt", flat=True))
    client.force_login(facilitator)
    last = len(before) - 1
    client.post(
        f"/f/w/{day.pk}/agenda/{solo.pk}/steps/",
        steps_post(current_steps(solo), move=f"{last}:down"),
    )
    assert list(solo.steps.values_list("prompt", flat=True)) == before


def test_steps_of_another_activity_are_never_taken_over(client, facilitator, day):
    solo = by_kind(day, "solo")
    other = services.add_activity(facilitator, day, "solo", "Second reflection")
    services.set_steps(facilitator, other, [{"kind": "text", "prompt": "Theirs"}])
    stolen = other.steps.get()
    client.force_login(facilitator)
    steps = [{"id": stolen.pk, "kind": "text", "prompt": "Mine now", "help_text": ""}]
    client.post(f"/f/w/{day.pk}/agenda/{solo.pk}/steps/", steps_post(steps))
    stolen.refresh_from_db()
    assert (stolen.activity_id, stolen.prompt) == (other.pk, "Theirs")
    assert list(solo.steps.values_list("prompt", flat=True)) == ["Mine now"]


# --- Moving and deleting activities ---------------------------------------------------------------


def test_moving_an_activity_up_and_down(client, facilitator, day):
    discussion = by_kind(day, "discussion")
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/{discussion.pk}/move/", {"direction": "up"})
    assert response["Location"] == f"/f/w/{day.pk}/agenda/#activity-{discussion.pk}"
    assert titles(day)[2:4] == ["At your table", "Where this room plays hero"]
    page = client.get(f"/f/w/{day.pk}/agenda/").content.decode()
    assert page.index("At your table") < page.index("Where this room plays hero")
    client.post(f"/f/w/{day.pk}/agenda/{discussion.pk}/move/", {"direction": "down"})
    assert titles(day)[2:4] == ["Where this room plays hero", "At your table"]


def test_moving_the_first_activity_up_changes_nothing(client, facilitator, day):
    before = titles(day)
    client.force_login(facilitator)
    client.post(f"/f/w/{day.pk}/agenda/{activities(day)[0].pk}/move/", {"direction": "up"})
    assert titles(day) == before


def test_moving_needs_a_post(client, facilitator, day):
    client.force_login(facilitator)
    response = client.get(f"/f/w/{day.pk}/agenda/{activities(day)[0].pk}/move/")
    assert response.status_code == 405


def test_deleting_asks_first_and_says_what_is_lost(client, facilitator, day):
    solo = by_kind(day, "solo")
    services.go_to_activity(facilitator, day, solo, day.current_activity_id)
    anna = services.join(day, day.tables.first(), "Anna")
    services.save_answer(anna, solo.steps.first(), "Private words")
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.pk}/agenda/{solo.pk}/delete/").content.decode()
    assert "Delete “<bdi>Where do I step in?</bdi>”?" in page
    assert "It is running now" in page
    assert "1 private answer that participants wrote is deleted" in page
    assert Activity.objects.filter(pk=solo.pk).exists()


def test_deleting_the_running_activity_moves_the_room_on(client, facilitator, day):
    running = activities(day)[0]
    client.force_login(facilitator)
    response = client.post(f"/f/w/{day.pk}/agenda/{running.pk}/delete/")
    assert response["Location"] == f"/f/w/{day.pk}/agenda/"
    assert not Activity.objects.filter(pk=running.pk).exists()
    day.refresh_from_db()
    assert day.current_activity.title == "Where do I step in?"
    assert "“From hero to hero-maker” deleted." in client.get(response["Location"]).content.decode()


def test_the_last_activity_cannot_be_deleted(client, facilitator, workshop):
    only = activities(workshop)[0]
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/agenda/{only.pk}/delete/", follow=True)
    assert "A workshop keeps at least one activity." in response.content.decode()
    assert Activity.objects.filter(pk=only.pk).exists()
