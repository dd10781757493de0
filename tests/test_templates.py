"""Agenda templates: starting a workshop from one, and saving an agenda as one."""

import pytest

from workshop import agenda_templates, services
from workshop.models import Activity, AgendaTemplate, Workshop

pytestmark = pytest.mark.django_db


def new_workshop(client, start_from, title="Kick-off"):
    return client.post("/f/", {"title": title, "table_count": "3", "start_from": start_from})


def agenda_of(workshop):
    return [(a.kind, a.title) for a in workshop.activities.order_by("position", "pk")]


@pytest.fixture
def saved(facilitator):
    agenda = [
        {"kind": "slide", "title": "Welcome"},
        {"kind": "discussion", "title": "Quarter in review"},
        {"kind": "shareout", "title": "Highlights", "source": 1},
    ]
    return AgendaTemplate.objects.create(owner=facilitator, name="Quarterly review", agenda=agenda)


@pytest.fixture
def theirs(other_facilitator):
    agenda = [{"kind": "slide", "title": "Their secret plan"}]
    return AgendaTemplate.objects.create(owner=other_facilitator, name="Theirs", agenda=agenda)


def test_the_home_page_offers_blank_the_built_in_and_only_my_own_templates(
    client, facilitator, saved, theirs
):
    client.force_login(facilitator)
    page = client.get("/f/").content.decode()
    assert "Start from" in page
    assert "Blank workshop" in page
    assert 'value="blank"' in page
    assert "Hero to hero-maker" in page
    assert "6 activities · 60 min: From hero to hero-maker, Where do I step in?" in page
    assert "Quarterly review" in page
    assert f'value="saved:{saved.pk}"' in page
    assert "Theirs" not in page
    assert f"saved:{theirs.pk}" not in page


def test_a_blank_workshop_has_one_table_discussion(client, facilitator):
    client.force_login(facilitator)
    new_workshop(client, "blank")
    workshop = facilitator.workshops.get()
    assert agenda_of(workshop) == [("discussion", "Table discussion")]
    assert workshop.current_activity.kind == "discussion"


def test_without_a_choice_a_workshop_starts_blank(client, facilitator):
    client.force_login(facilitator)
    client.post("/f/", {"title": "Kick-off", "table_count": "2"})
    assert agenda_of(facilitator.workshops.get()) == [("discussion", "Table discussion")]


def test_the_built_in_template_gives_the_hero_to_hero_maker_day(client, facilitator):
    client.force_login(facilitator)
    response = new_workshop(client, "built-in:hero-to-hero-maker")
    workshop = facilitator.workshops.get()
    assert response["Location"] == f"/f/w/{workshop.pk}/"
    assert agenda_of(workshop) == [
        ("slide", "From hero to hero-maker"),
        ("solo", "Where do I step in?"),
        ("pattern", "Where this room plays hero"),
        ("discussion", "At your table"),
        ("shareout", "With the room"),
        ("slide", "Thank you"),
    ]
    solo = workshop.activities.get(kind="solo")
    assert solo.duration_minutes == 15
    assert [s.kind for s in solo.steps.all()] == [
        "checklist",
        *["text"] * 4,
        "checklist",
        "commitment",
    ]
    situations, costs = solo.steps.filter(kind="checklist")
    assert "Working in the field with your people" in situations.options
    assert "Becoming the bottleneck" in costs.options
    assert workshop.activities.get(kind="pattern").source == solo
    shareout = workshop.activities.get(kind="shareout")
    assert shareout.source == workshop.activities.get(kind="discussion")
    assert workshop.current_activity.title == "From hero to hero-maker"


def test_my_saved_template_gives_its_agenda(client, facilitator, saved):
    client.force_login(facilitator)
    new_workshop(client, f"saved:{saved.pk}", title="Q3 review")
    workshop = facilitator.workshops.get()
    assert agenda_of(workshop) == [
        ("slide", "Welcome"),
        ("discussion", "Quarter in review"),
        ("shareout", "Highlights"),
    ]
    assert workshop.activities.get(kind="shareout").source.title == "Quarter in review"


def test_another_facilitators_template_is_refused(client, facilitator, theirs):
    client.force_login(facilitator)
    response = new_workshop(client, f"saved:{theirs.pk}")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Workshop.objects.exists()


def test_an_unknown_choice_is_refused(client, facilitator):
    client.force_login(facilitator)
    for choice in ("built-in:nothing-like-it", "saved:999999", "saved:abc", "elsewhere"):
        response = new_workshop(client, choice)
        assert "Select a valid choice." in response.content.decode(), choice
    assert not Workshop.objects.exists()


def test_a_template_with_no_activities_is_refused_with_a_clear_message(client, facilitator):
    empty = AgendaTemplate.objects.create(owner=facilitator, name="Nothing yet", agenda=[])
    client.force_login(facilitator)
    response = new_workshop(client, f"saved:{empty.pk}")
    assert "This template has no activities." in response.content.decode()
    assert not Workshop.objects.exists()


# --- Saving an agenda as a template -----------------------------------------------------------


def test_saving_the_agenda_as_a_template_keeps_it_for_my_next_workshop(client, facilitator):
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    workshop = services.create_workshop(facilitator, "Sales day", 2, agenda=agenda)
    services.add_activity(facilitator, workshop, "slide", "Lunch", duration_minutes=45)
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/agenda/").content.decode()
    assert "Save this agenda as a template" in page

    response = client.post(f"/f/w/{workshop.pk}/agenda/template/", {"name": "Sales day v2"})
    assert response["Location"] == f"/f/w/{workshop.pk}/agenda/"
    template = AgendaTemplate.objects.get()
    assert (template.owner, template.name) == (facilitator, "Sales day v2")
    assert [item["title"] for item in template.agenda][-1] == "Lunch"
    assert "Saved as the template “Sales day v2”" in client.get("/f/").content.decode()

    new_workshop(client, f"saved:{template.pk}", title="Sales day, again")
    again = facilitator.workshops.get(title="Sales day, again")
    assert agenda_of(again) == agenda_of(workshop)
    steps = again.activities.get(kind="solo").steps.values_list("kind", "prompt")
    assert list(steps) == list(
        workshop.activities.get(kind="solo").steps.values_list("kind", "prompt")
    )
    assert again.activities.get(kind="pattern").source == again.activities.get(kind="solo")


def test_a_template_keeps_the_agenda_and_never_what_participants_wrote(
    client, facilitator, workshop, anna
):
    from tests.conftest import post

    post(anna, "A takeaway that stays in this workshop")
    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/agenda/template/", {"name": "Plain"})
    assert "A takeaway that stays" not in str(AgendaTemplate.objects.get().agenda)
    assert "Anna" not in str(AgendaTemplate.objects.get().agenda)


def test_a_template_needs_a_name(client, facilitator, workshop):
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/agenda/template/", {"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not AgendaTemplate.objects.exists()


def test_the_template_form_suggests_the_workshop_title(client, facilitator, workshop):
    client.force_login(facilitator)
    page = client.get(f"/f/w/{workshop.pk}/agenda/").content.decode()
    assert f'value="{workshop.title}"' in page


def test_a_template_i_saved_is_not_offered_to_another_facilitator(
    client, facilitator, workshop, other_facilitator
):
    client.force_login(facilitator)
    client.post(f"/f/w/{workshop.pk}/agenda/template/", {"name": "Mine alone"}, follow=True)
    template = AgendaTemplate.objects.get()
    client.force_login(other_facilitator)
    page = client.get("/f/").content.decode()
    assert "Mine alone" not in page
    assert f"saved:{template.pk}" not in page
    new_workshop(client, f"saved:{template.pk}")
    assert not Activity.objects.filter(workshop__facilitator=other_facilitator).exists()
