"""The printable report: a document a client would forward, with nothing private in it."""

import html
import re
import uuid

import pytest
from django.utils.html import escape

from tests.results_day import SHARED, TRICKY, run_a_day
from workshop import services

pytestmark = pytest.mark.django_db

XSS = '<script>window.__pwned = 1</script><img src=x onerror="alert(1)">'


@pytest.fixture
def day(facilitator):
    facilitator.first_name, facilitator.last_name = "Maria", "Lopez"
    facilitator.save()
    return run_a_day(facilitator, title="Sales leadership offsite")


@pytest.fixture
def report(client, facilitator, day):
    client.force_login(facilitator)
    response = client.get(f"/f/w/{day.workshop.pk}/report/")
    assert response.status_code == 200
    return response.content.decode()


def text_of(markup: str) -> str:
    # <bdi> is inline and adds no space: “<bdi>Title</bdi>” reads “Title”.
    markup = re.sub(r"</?bdi>", "", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_the_report_has_title_date_facilitator_and_agenda(report, day):
    page = text_of(report)
    assert "Workshop report" in page
    assert "Sales leadership offsite" in page
    assert "Facilitated by Maria Lopez" in page
    assert day.workshop.created_at.strftime("%Y") in page
    agenda = re.search(r'<ol class="report-agenda">(.*?)</ol>', report, re.S).group(1)
    assert re.findall(r'report-agenda__title"[^>]*>([^<]+)<', agenda) == [
        "From hero to hero-maker",
        "Where do I step in?",
        "Where this room plays hero",
        "At your table",
        "With the room",
        "Thank you",
    ]


def test_the_report_groups_each_activitys_takeaways_by_table(report):
    section = report[
        report.index('id="activity-1-title"') : report.index('id="participation-title"')
    ]
    groups = re.findall(r'<section class="report-table"[^>]*>(.*?)</section>', section, re.S)
    by_table = {
        text_of(re.search(r"<h3[^>]*>(.*?)</h3>", g, re.S)[1]): re.findall(
            r'report-item__text"[^>]*>(.*?)</p>', g, re.S
        )
        for g in groups
    }
    assert by_table == {
        "Table 1 3 takeaways": [
            escape(SHARED),
            escape(TRICKY).replace("\n", "<br>"),
            "Coach after the call, not during it",
        ],
        "Table 2 1 takeaway": ["Pipeline reviews: ask, don&#x27;t answer."],
    }


def test_the_report_shows_the_most_voted_first_and_a_participation_summary(report):
    voted = re.search(r'<ol class="report-voted">(.*?)</ol>', report, re.S).group(1)
    quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", voted, re.S)
    assert [text_of(quote) for quote in quotes] == [
        "Pipeline reviews: ask, don't answer.",
        text_of(TRICKY),
        "Coach after the call, not during it",
    ]
    assert "2 votes" in text_of(voted)
    numbers = text_of(re.search(r'<table class="report-numbers">(.*?)</table>', report, re.S)[0])
    assert "Table 1 2 3 2" in numbers
    assert "Table 2 1 1 2" in numbers
    assert "Total 3 4 4" in numbers
    page = text_of(report)
    assert "1 of 3 participants finished the private reflection “Where do I step in?”." in page
    assert "1 takeaway was shared by its author from their private reflection." in page


def test_the_report_leaves_out_hidden_and_deleted_takeaways_and_every_reflection(report):
    for absent in (
        "HIDDEN-TAKEAWAY",
        "DELETED-TAKEAWAY",
        "PRIVATE-REFLECTION",
        "PRIVATE-COMMITMENT",
    ):
        assert absent not in report


def test_participant_text_is_escaped_in_the_report(client, facilitator, day):
    services.go_to_activity(
        facilitator,
        day.workshop,
        day.workshop.activities.get(kind="discussion"),
        day.workshop.current_activity_id,
    )
    services.post_takeaway(day.ben, XSS, uuid.uuid4())
    client.force_login(facilitator)
    page = client.get(f"/f/w/{day.workshop.pk}/report/").content.decode()
    assert XSS not in page
    assert escape(XSS) in page
    assert escape(TRICKY).replace("\n", "<br>") in page


def test_the_report_prints_from_a_button_and_says_how_to_save_a_pdf(report):
    assert "data-print" in report
    assert "Save as PDF" in report


def test_organizers_and_share_links_get_the_same_report(client, facilitator, day, report):
    _link, key = services.create_share_link(facilitator, day.workshop)
    client.logout()
    shared = client.get(f"/r/{key}/report/").content.decode()
    strip = lambda html: re.sub(r'(href|"X-CSRFToken": )"[^"]*"|Exported [^<]*', "", html)  # noqa: E731
    body = lambda html: strip(html[html.index("<article") : html.index("</article>")])  # noqa: E731
    assert body(shared) == body(report)
