"""A form's errors are tied to their fields: the field says it is invalid and names, in
aria-describedby, the element that says why, which is on the page with that id. The sign-in
address is typed as an email address."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import PASSWORD, as_phone, post
from tests.results_day import go_to
from workshop import agenda_templates, services
from workshop.models import User

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every element's attributes, and every id on the page."""

    def __init__(self, page: str):
        super().__init__()
        self.elements, self.ids = [], set()
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if attrs.get("id"):
            self.ids.add(attrs["id"])

    def invalid(self):
        return [(tag, attrs) for tag, attrs in self.elements if attrs.get("aria-invalid")]

    def invalid_groups(self):
        """Fieldsets of radios that name their error: one error for the group of choices,
        read as the group is entered, rather than once on every choice."""
        return [
            attrs
            for tag, attrs in self.elements
            if tag == "fieldset" and "_error" in (attrs.get("aria-describedby") or "")
        ]


def assert_errors_tied(response, at_least=1):
    page = Elements(response.content.decode())
    for tag, attrs in page.elements:
        for target in (attrs.get("aria-describedby") or "").split():
            assert target in page.ids, f"<{tag} id={attrs.get('id')}> names #{target}, not there"
    invalid = page.invalid()
    assert len(invalid) >= at_least, "no field says it is invalid"
    radios = [attrs for tag, attrs in invalid if attrs.get("type") == "radio"]
    assert not radios or page.invalid_groups(), "invalid choices in no group that says why"
    for tag, attrs in invalid:
        if attrs.get("type") == "radio":
            continue
        described = (attrs.get("aria-describedby") or "").split()
        assert any(target.endswith(("_error", "-error")) for target in described), (tag, attrs)
    return page


def test_sign_in_errors_and_an_email_field(client):
    page = Elements(client.get("/f/login/").content.decode())
    email = next(attrs for tag, attrs in page.elements if attrs.get("name") == "username")
    assert (email["type"], email["autocomplete"]) == ("email", "username")
    assert "autofocus" in email
    password = next(attrs for tag, attrs in page.elements if attrs.get("name") == "password")
    assert password["autocomplete"] == "current-password"

    response = client.post("/f/login/", {"username": "", "password": ""})
    page = assert_errors_tied(response, at_least=2)
    assert page.ids >= {"id_username_error", "id_password_error"}


def test_the_organizers_sign_in_has_the_same_email_field(client):
    page = Elements(client.get("/o/login/").content.decode())
    email = next(attrs for tag, attrs in page.elements if attrs.get("name") == "username")
    assert (email["type"], email["autocomplete"]) == ("email", "username")


def test_the_email_field_still_signs_in_with_the_right_password_only(client, facilitator):
    wrong = client.post("/f/login/", {"username": facilitator.email, "password": "wrong"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post("/f/login/", {"username": facilitator.email, "password": PASSWORD})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(facilitator.pk)


def test_join_errors_are_tied_to_the_name_and_the_table(client, workshop, tables):
    response = client.post(f"/j/{workshop.code}/", {"name": ""})
    page = assert_errors_tied(response, at_least=2)
    assert {"id_name_error", "id_table_error"} <= page.ids
    fieldset = next(attrs for tag, attrs in page.elements if tag == "fieldset")
    assert fieldset["aria-describedby"] == "id_table_error"
    radios = [attrs for tag, attrs in page.elements if attrs.get("type") == "radio"]
    assert radios and all(attrs.get("aria-invalid") == "true" for attrs in radios)


def test_a_join_without_errors_says_nothing_is_invalid(client, workshop, tables):
    page = Elements(client.get(f"/j/{workshop.code}/").content.decode())
    assert page.invalid() == []
    assert not any("_error" in (attrs.get("aria-describedby") or "") for _t, attrs in page.elements)


def test_a_code_that_is_not_one_is_tied_to_the_code_field(client):
    response = client.get("/j/", {"code": "x" * 30})
    page = assert_errors_tied(response)
    code = next(attrs for tag, attrs in page.elements if attrs.get("name") == "code")
    assert code["aria-describedby"] == "code-hint id_code_error"


def test_the_agenda_editors_errors_are_tied_to_their_fields(client, facilitator, workshop):
    client.force_login(facilitator)
    activity = workshop.activities.first()
    response = client.post(
        f"/f/w/{workshop.pk}/agenda/{activity.pk}/",
        {"title": "", "instructions": "", "duration_minutes": "-5"},
    )
    assert response.status_code in (200, 400, 422)
    page = assert_errors_tied(response, at_least=2)
    assert {"id_title_error", "id_duration_minutes_error"} <= page.ids


def test_a_new_workshops_errors_are_tied_to_their_fields(client, facilitator):
    client.force_login(facilitator)
    response = client.post("/f/", {"title": "", "table_count": "0"})
    page = assert_errors_tied(response, at_least=2)
    assert {"id_title_error", "id_table_count_error"} <= page.ids


def test_an_edit_left_empty_is_tied_to_its_error(client, workshop, anna):
    takeaway = post(anna, "First thought")
    as_phone(client, anna)
    response = client.post(f"/w/{workshop.code}/t/{takeaway.pk}/edit/", {"text": ""})
    assert_errors_tied(response)


def test_adding_an_activity_without_a_kind_ties_the_error_to_the_choices(
    client, facilitator, workshop
):
    client.force_login(facilitator)
    response = client.post(f"/f/w/{workshop.pk}/agenda/add/", {"title": "", "kind": ""})
    page = assert_errors_tied(response, at_least=2)
    assert {"id_kind_error", "id_title_error"} <= page.ids


def test_every_hint_a_phones_reflection_names_is_on_the_page(client, facilitator):
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    workshop = services.create_workshop(facilitator, "Reflecting", 2, agenda=agenda)
    solo = go_to(facilitator, workshop, "solo")
    checklist = solo.steps.filter(kind="checklist").last()  # the costs
    checklist.help_text = "Tick every one you recognise."
    checklist.save()
    anna = services.join(workshop, workshop.tables.first(), "Anna")
    page = Elements(as_phone(client, anna).get(f"/w/{workshop.code}/").content.decode())
    described = [attrs for tag, attrs in page.elements if attrs.get("aria-describedby")]
    hint = f"answer-{checklist.pk}-hint"
    assert any(attrs["aria-describedby"] == hint for attrs in described)
    for attrs in described:
        assert set(attrs["aria-describedby"].split()) <= page.ids, attrs


def test_an_organizers_new_password_errors_are_tied_to_their_fields(client, facilitator):
    organizer = User.objects.create_user("learning@example.com", None, is_organizer=True)
    uid = urlsafe_base64_encode(force_bytes(organizer.pk))
    path = f"/o/welcome/{uid}/{default_token_generator.make_token(organizer)}/"
    response = client.post(path, {"new_password1": "one long phrase", "new_password2": "another"})
    page = assert_errors_tied(response)
    assert "id_new_password2_error" in page.ids


def test_a_table_left_without_a_name_is_tied_to_its_error(client, facilitator, workshop, tables):
    client.force_login(facilitator)
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}
    for index, table in enumerate(tables):
        data |= {f"form-{index}-id": table.pk, f"form-{index}-name": table.name}
    data["form-1-name"] = ""
    response = client.post(f"/f/w/{workshop.pk}/tables/", data)
    page = assert_errors_tied(response)
    assert "id_form-1-name_error" in page.ids
