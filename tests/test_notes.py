"""My notes: a participant's own answers, commitment and table takeaways, to read and take home."""

import uuid

import pytest

from participants import notes
from tests.conftest import as_phone
from workshop import agenda_templates, services

pytestmark = pytest.mark.django_db

XSS = "<script>window.__pwned = 1</script> **loud** # not a heading"


@pytest.fixture
def day(facilitator):
    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    return services.create_workshop(facilitator, "Sales / leadership: day 1", 2, agenda=agenda)


def go_to(facilitator, workshop, kind):
    workshop.refresh_from_db()
    activity = workshop.activities.get(kind=kind)
    services.go_to_activity(facilitator, workshop, activity, workshop.current_activity_id)
    return activity


@pytest.fixture
def people(day):
    table_1, table_2 = day.tables.order_by("number")
    return {
        "anna": services.join(day, table_1, "Anna"),
        "chloe": services.join(day, table_1, "Chloé"),
        "ben": services.join(day, table_2, "Ben"),
    }


@pytest.fixture
def reflected(facilitator, day, people):
    """Anna and Ben answered the solo reflection; the tables then posted takeaways."""
    solo = go_to(facilitator, day, "solo")
    steps = {step.kind + str(step.position): step for step in solo.steps.all()}
    anna, ben, chloe = people["anna"], people["ben"], people["chloe"]
    services.save_answer(
        anna, steps["checklist0"], choices=["Big presentations and customer meetings"]
    )
    services.save_answer(
        anna, steps["text1"], "I answer for my reps in the Monday meeting.\nEvery week."
    )
    services.save_answer(anna, steps["text2"], "")  # started, left empty: not in the notes
    services.save_answer(
        anna, steps["checklist5"], choices=["Becoming the bottleneck", "Top performers driven away"]
    )
    services.save_answer(anna, steps["commitment6"], "Sam runs the pipeline review from Monday.")
    services.save_answer(ben, steps["text1"], "Ben's private words")
    services.save_answer(ben, steps["commitment6"], "Ben's private commitment")

    go_to(facilitator, day, "discussion")
    services.post_takeaway(anna, "Coach after the call, not during it", uuid.uuid4())
    services.post_takeaway(chloe, XSS, uuid.uuid4())
    hidden = services.post_takeaway(chloe, "Hidden by the facilitator", uuid.uuid4())
    services.set_takeaway_hidden(facilitator, hidden, True)
    deleted = services.post_takeaway(anna, "Deleted by its author", uuid.uuid4())
    services.delete_takeaway(anna, deleted)
    services.post_takeaway(ben, "Table 2 only", uuid.uuid4())
    return people


def sign_in_as(client, participant):
    as_phone(client, participant)


def notes_routes(workshop):
    return [
        f"/w/{workshop.code}/notes/",
        f"/w/{workshop.code}/notes.md",
        f"/w/{workshop.code}/notes.txt",
    ]


# --- Who gets the notes -------------------------------------------------------------------------


def test_someone_without_a_seat_is_sent_to_join_and_sees_no_answers(client, day, reflected):
    for path in notes_routes(day):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/j/{day.code}/", path
        assert "Monday meeting" not in client.get(path, follow=True).content.decode()


def test_a_facilitator_is_not_a_participant_and_gets_no_notes(client, facilitator, day, reflected):
    client.force_login(facilitator)
    for path in notes_routes(day):
        assert client.get(path)["Location"] == f"/j/{day.code}/", path


def test_a_participant_of_another_workshop_gets_no_notes_here(client, day, reflected, anna):
    sign_in_as(client, anna)  # seated in another workshop
    for path in notes_routes(day):
        assert client.get(path)["Location"] == f"/j/{day.code}/", path


def test_an_unknown_code_is_not_found(client, db):
    assert client.get("/w/NOPE42/notes/").status_code == 404


def test_two_participants_each_get_only_their_own_answers(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    anna_page = client.get(f"/w/{day.code}/notes/").content.decode()
    anna_download = client.get(f"/w/{day.code}/notes.txt").content.decode()
    assert "I answer for my reps" in anna_page
    assert "Sam runs the pipeline review" in anna_download
    for page in (anna_page, anna_download):
        assert "Ben's private" not in page

    client.cookies.clear()
    sign_in_as(client, reflected["ben"])
    ben_page = client.get(f"/w/{day.code}/notes/").content.decode()
    ben_download = client.get(f"/w/{day.code}/notes.md").content.decode()
    assert "Ben&#x27;s private commitment" in ben_page
    assert "Ben's private words" in ben_download
    for page in (ben_page, ben_download):
        assert "Monday meeting" not in page
        assert "Sam runs the pipeline review" not in page
        assert "Coach after the call" not in page  # another table's takeaway


# --- What the notes hold ------------------------------------------------------------------------


def test_the_notes_page_shows_answers_ticks_the_commitment_and_the_tables_takeaways(
    client, day, reflected
):
    sign_in_as(client, reflected["anna"])
    response = client.get(f"/w/{day.code}/notes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "My notes" in page
    assert "Leading team meetings" in page
    assert "I answer for my reps in the Monday meeting.<br>Every week." in page
    assert "Working in the field" not in page  # left empty
    assert "<li><bdi>Big presentations and customer meetings</bdi></li>" in page
    assert "<li><bdi>Becoming the bottleneck</bdi></li>" in page
    assert "<li><bdi>Top performers driven away</bdi></li>" in page
    assert "Exhaustion and burn-out" not in page  # not ticked
    commitment = page.index('class="notes-commitment"')
    assert page.index("Sam runs the pipeline review from Monday.") > commitment
    assert page.index("Sam runs the pipeline review") < page.index("Leading team meetings")
    assert "Takeaways of <bdi>Table 1</bdi>" in page
    assert "At your table" in page
    assert "Coach after the call, not during it" in page
    assert "Hidden by the facilitator" not in page
    assert "Deleted by its author" not in page
    assert "Table 2 only" not in page


def test_participant_text_is_escaped_on_the_page(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    page = client.get(f"/w/{day.code}/notes/").content.decode()
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page


def test_the_page_links_both_downloads_and_back_to_the_workshop(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    page = client.get(f"/w/{day.code}/notes/").content.decode()
    assert f'href="/w/{day.code}/notes.md" download' in page
    assert f'href="/w/{day.code}/notes.txt" download' in page
    assert f'href="/w/{day.code}/"' in page


def test_notes_before_anything_was_written_say_so(client, day, people):
    sign_in_as(client, people["chloe"])
    page = client.get(f"/w/{day.code}/notes/").content.decode()
    assert "Nothing here yet." in page
    assert "Nothing here yet." in client.get(f"/w/{day.code}/notes.txt").content.decode()


def test_the_notes_stay_after_the_workshop_is_closed(client, facilitator, day, reflected):
    services.set_workshop_open(facilitator, day, False)
    sign_in_as(client, reflected["anna"])
    assert "Sam runs the pipeline review" in client.get(f"/w/{day.code}/notes/").content.decode()


def test_takeaways_whose_activity_was_deleted_are_kept_at_the_end(
    client, facilitator, day, reflected
):
    services.delete_activity(facilitator, day.activities.get(kind="discussion"))
    sign_in_as(client, reflected["anna"])
    page = client.get(f"/w/{day.code}/notes/").content.decode()
    assert "Other takeaways" in page
    assert "Coach after the call, not during it" in page


# --- Downloads ----------------------------------------------------------------------------------


def test_the_markdown_download_reads_back_as_the_notes(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    response = client.get(f"/w/{day.code}/notes.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sales-leadership-day-1-my-notes.md"'
    )
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    assert text.startswith("# My notes: Sales / leadership: day 1\n")
    assert "Anna · Table 1 · " in text
    assert "## My commitment\n\n> Sam runs the pipeline review from Monday.\n" in text
    assert "## Where do I step in?\n" in text
    assert (
        "**Leading team meetings**\n\nI answer for my reps in the Monday meeting.  \nEvery week.\n"
        in text
    )
    assert "- Big presentations and customer meetings\n" in text
    assert "- Becoming the bottleneck\n- Top performers driven away\n" in text
    assert "## Takeaways of Table 1\n\n### At your table\n" in text
    assert "- Coach after the call, not during it — *Anna*" in text
    assert "Hidden by the facilitator" not in text
    assert "Deleted by its author" not in text
    # The commitment comes first, then the reflection, then the takeaways.
    assert text.index("## My commitment") < text.index("## Where do I step in?")
    assert text.index("## Where do I step in?") < text.index("## Takeaways")


def test_the_markdown_download_shows_participant_markup_as_text(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    text = client.get(f"/w/{day.code}/notes.md").content.decode()
    assert "<script>" not in text
    assert r"\<script\>window.\_\_pwned = 1\</script\> \*\*loud\*\* # not a heading" in text


def test_the_text_download_reads_back_as_the_notes(client, day, reflected):
    sign_in_as(client, reflected["anna"])
    response = client.get(f"/w/{day.code}/notes.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sales-leadership-day-1-my-notes.txt"'
    )
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "My notes: Sales / leadership: day 1"
    assert set(lines[1]) == {"="} and len(lines[1]) == len(lines[0])
    assert lines[2].startswith("Anna · Table 1 · ")
    assert "My commitment\n-------------\n\nSam runs the pipeline review from Monday.\n" in text
    assert (
        "Leading team meetings\n    I answer for my reps in the Monday meeting.\n    Every week.\n"
        in text
    )
    assert "    [x] Big presentations and customer meetings\n" in text
    assert "    [x] Becoming the bottleneck\n    [x] Top performers driven away\n" in text
    assert "At your table\n  - Coach after the call, not during it\n    (Anna)\n" in text
    assert XSS in text  # plain text is shown as written: nothing reads it as markup
    assert "Hidden by the facilitator" not in text


def test_a_file_name_is_safe_whatever_the_title(client, facilitator):
    workshop = services.create_workshop(facilitator, '../../etc/"passwd"\r\nX: ü', 1)
    someone = services.join(workshop, workshop.tables.get(), "Dana")
    sign_in_as(client, someone)
    disposition = client.get(f"/w/{workshop.code}/notes.txt")["Content-Disposition"]
    assert disposition == 'attachment; filename="etc-passwd-x-ü-my-notes.txt"' or (
        "filename*=utf-8''etc-passwd-x-%C3%BC-my-notes.txt" in disposition
    )


# --- The rendering module on its own --------------------------------------------------------------


def test_markdown_escape_keeps_words_and_neutralises_structure():
    assert notes.markdown_escape("1. first\n- item\n> quote\n3.5 stays") == (
        "1\\. first\n\\- item\n\\> quote\n3.5 stays"
    )
    assert notes.markdown_escape("[link](http://x) `code` a_b |t|") == (
        "\\[link\\](http://x) \\`code\\` a\\_b \\|t\\|"
    )


def test_a_commitment_with_its_own_prompt_keeps_it(facilitator, day, people):
    solo = go_to(facilitator, day, "solo")
    services.set_steps(
        facilitator, solo, [{"kind": "commitment", "prompt": "Where will I step back?"}]
    )
    services.save_answer(people["anna"], solo.steps.get(), "Monday's meeting")
    mine = notes.notes_for(people["anna"])
    assert mine.commitment_title == "My commitment"
    assert [(e.prompt, e.text) for e in mine.commitments] == [
        ("Where will I step back?", "Monday's meeting")
    ]
    assert "**Where will I step back?**\n\n> Monday's meeting\n" in notes.as_markdown(mine)
