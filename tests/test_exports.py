"""Downloads: CSV, Excel and JSON, each read back with the library made for it."""

import csv
import io
import json
import uuid
from datetime import datetime

import openpyxl
import pytest

from tests.results_day import COMMITMENT, PRIVATE, SHARED, TRICKY, run_a_day
from workshop import exports, services

pytestmark = pytest.mark.django_db

CSV_HEADER = [
    "Workshop",
    "Date",
    "Activity",
    "Table",
    "Author",
    "Takeaway",
    "Votes",
    "Spotlighted",
    "From a reflection",
    "Posted at",
]


@pytest.fixture
def day(facilitator):
    return run_a_day(facilitator)


@pytest.fixture
def organizer_client(client, day, facilitator):
    access = services.grant_access(facilitator, day.workshop, "buyer@example.com")
    client.force_login(access.user)
    return client


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Cache-Control"] == "private, no-store"
    return response


def read_csv(response):
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff"), "a byte-order mark, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_facilitators_csv_has_a_row_per_takeaway_with_hidden_ones_marked(
    client, facilitator, day
):
    client.force_login(facilitator)
    rows = read_csv(client.get(f"/f/w/{day.workshop.pk}/takeaways.csv"))
    assert rows[0] == [*CSV_HEADER, "Hidden", "Never approved"]
    by_text = {row[5]: row for row in rows[1:]}
    assert set(by_text) == {
        SHARED,
        "'" + TRICKY,
        "Coach after the call, not during it",
        "HIDDEN-TAKEAWAY",
        "Pipeline reviews: ask, don't answer.",
    }
    assert by_text["HIDDEN-TAKEAWAY"][10] == "yes"
    assert by_text[SHARED][10] == "no"
    assert {row[11] for row in rows[1:]} == {"no"}  # no discussion asked for approval


def test_an_organizers_csv_reads_back_exactly_with_commas_quotes_newlines_emoji_and_a_formula(
    organizer_client, day
):
    response = get(organizer_client, f"/o/w/{day.workshop.pk}/takeaways.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == CSV_HEADER
    date = day.workshop.created_at.date().isoformat()
    tricky = next(row for row in rows if TRICKY in row[5])
    # The leading "=" is neutralised with a quote; everything else comes back as written.
    assert tricky[:9] == [
        day.workshop.title,
        date,
        "At your table",
        "Table 1",
        "Anna",
        "'" + TRICKY,
        "1",
        "yes",
        "no",
    ]
    posted_at = datetime.fromisoformat(tricky[9])
    assert posted_at.tzinfo is not None


def test_an_organizers_csv_lists_takeaways_in_agenda_and_table_order_without_hidden_or_deleted(
    organizer_client, day
):
    rows = read_csv(get(organizer_client, f"/o/w/{day.workshop.pk}/takeaways.csv"))
    assert [(row[3], row[4], row[5], row[6], row[8]) for row in rows[1:]] == [
        ("Table 1", "Anna", SHARED, "0", "yes"),
        ("Table 1", "Anna", "'" + TRICKY, "1", "no"),
        ("Table 1", "Chloé", "Coach after the call, not during it", "1", "no"),
        ("Table 2", "Ben", "Pipeline reviews: ask, don't answer.", "2", "no"),
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_takeaway_that_could_become_a_formula_is_neutralised(
    client, facilitator, workshop, anna, start
):
    services.post_takeaway(anna, f'{start}HYPERLINK("http://evil")x', uuid.uuid4())
    client.force_login(facilitator)
    rows = read_csv(client.get(f"/f/w/{workshop.pk}/takeaways.csv"))
    assert rows[1][5] == f'\'{start}HYPERLINK("http://evil")x'


def test_a_name_that_could_become_a_formula_is_neutralised(client, facilitator, workshop, tables):
    someone = services.join(workshop, tables[0], "=cmd|' /C calc'!A0")
    services.post_takeaway(someone, "Hello", uuid.uuid4())
    client.force_login(facilitator)
    rows = read_csv(client.get(f"/f/w/{workshop.pk}/takeaways.csv"))
    assert rows[1][4] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_neutralised(start):
    # Stored text is trimmed, so tab and carriage return are checked on the function itself.
    assert exports.spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"
    assert exports.spreadsheet_safe(f"a{start}1") == f"a{start}1"


def test_the_excel_workbook_has_a_summary_and_a_sheet_per_activity(organizer_client, day):
    response = get(organizer_client, f"/o/w/{day.workshop.pk}/takeaways.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["Summary", "At your table"]

    summary = [list(row) for row in book["Summary"].iter_rows(values_only=True)]
    assert summary[0][0] == day.workshop.title
    assert summary[3][:2] == ["Participants", 3]
    table_rows = summary[7:10]
    assert [row[:4] for row in table_rows] == [
        ["Table 1", 2, 3, 2],
        ["Table 2", 1, 1, 2],
        ["Total", 3, 4, 4],
    ]
    voted_header = summary.index(["Votes", "Takeaway", "Table", "Activity", "Author"])
    assert [row[:3] for row in summary[voted_header + 1 : voted_header + 4]] == [
        [2, "Pipeline reviews: ask, don't answer.", "Table 2"],
        [1, TRICKY, "Table 1"],
        [1, "Coach after the call, not during it", "Table 1"],
    ]

    sheet = book["At your table"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Table",
        "Author",
        "Takeaway",
        "Votes",
        "Spotlighted",
        "From a reflection",
        "Posted at",
    )
    assert [row[:4] for row in rows[1:]] == [
        ("Table 1", "Anna", SHARED, 0),
        ("Table 1", "Anna", TRICKY, 1),
        ("Table 1", "Chloé", "Coach after the call, not during it", 1),
        ("Table 2", "Ben", "Pipeline reviews: ask, don't answer.", 2),
    ]
    assert isinstance(rows[2][6], datetime)


def test_excel_keeps_a_leading_equals_sign_as_text_never_a_formula(organizer_client, day):
    response = get(organizer_client, f"/o/w/{day.workshop.pk}/takeaways.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    cells = [c for row in book["At your table"].iter_rows() for c in row if c.value == TRICKY]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].quotePrefix
    formulas = [c for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_the_facilitators_workbook_adds_hidden_takeaways_marked_hidden(client, facilitator, day):
    client.force_login(facilitator)
    response = get(client, f"/f/w/{day.workshop.pk}/takeaways.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.getvalue()))["At your table"].values)
    assert rows[0][-2:] == ("Hidden", "Never approved")
    assert ("HIDDEN-TAKEAWAY", "yes", "no") in [(row[2], *row[-2:]) for row in rows]


def test_sheet_names_are_ones_excel_accepts():
    taken = set()
    assert exports.sheet_title("Q3: [wrap-up] / what? *now*", taken) == "Q3 wrap-up what now"
    assert exports.sheet_title("x" * 40, taken) == "x" * 31
    assert exports.sheet_title("x" * 40, taken) == "x" * 27 + " (2)"
    assert exports.sheet_title("''", taken) == "Activity"


def test_the_json_download_is_the_whole_workshop_with_a_schema_and_version(organizer_client, day):
    response = get(organizer_client, f"/o/w/{day.workshop.pk}/workshop.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.getvalue())
    assert (data["schema"], data["version"]) == ("workshop-results", 1)
    assert data["workshop"]["title"] == day.workshop.title
    assert data["workshop"]["anonymous"] is False
    assert [a["kind"] for a in data["agenda"]] == [
        "slide",
        "solo",
        "pattern",
        "discussion",
        "shareout",
        "slide",
    ]
    solo, room_answers, discussion, shareout = data["agenda"][1:5]
    assert room_answers["source_id"] == solo["id"]
    assert shareout["source_id"] == discussion["id"]
    assert [(t["name"], t["participants"]) for t in data["tables"]] == [
        ("Table 1", 2),
        ("Table 2", 1),
    ]
    tricky = next(t for t in data["takeaways"] if t["id"] == day.tricky.pk)
    assert tricky["text"] == TRICKY  # JSON is not a spreadsheet: the text exactly as written
    assert tricky["activity_id"] == discussion["id"]
    assert (tricky["author"], tricky["votes"], tricky["spotlighted"]) == ("Anna", 1, True)
    assert datetime.fromisoformat(tricky["posted_at"]).tzinfo is not None
    texts = {t["text"] for t in data["takeaways"]}
    assert "HIDDEN-TAKEAWAY" not in texts and "DELETED-TAKEAWAY" not in texts
    table_ids = {t["name"]: t["id"] for t in data["tables"]}
    assert sorted((v["takeaway_id"], v["from_table_id"]) for v in data["votes"]) == sorted(
        [
            (day.tricky.pk, table_ids["Table 2"]),
            (day.coach.pk, table_ids["Table 2"]),
            (day.pipeline.pk, table_ids["Table 1"]),
            (day.pipeline.pk, table_ids["Table 1"]),
        ]
    )


@pytest.mark.parametrize("kind", ["takeaways.csv", "takeaways.xlsx", "workshop.json", "report/"])
def test_no_download_holds_a_private_reflection(organizer_client, day, kind):
    body = get(organizer_client, f"/o/w/{day.workshop.pk}/{kind}").getvalue()
    if kind.endswith("xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(body))
        body = repr([list(sheet.values) for sheet in book]).encode()
    for private in (PRIVATE, COMMITMENT, "PRIVATE-REFLECTION of Ben"):
        assert private.encode() not in body
    assert b"HIDDEN-TAKEAWAY" not in body
    assert b"DELETED-TAKEAWAY" not in body


@pytest.mark.parametrize("kind", ["takeaways.csv", "takeaways.xlsx", "workshop.json"])
def test_a_title_with_quotes_and_a_newline_makes_a_safe_file_name(organizer_client, day, kind):
    disposition = get(organizer_client, f"/o/w/{day.workshop.pk}/{kind}")["Content-Disposition"]
    assert disposition == f'attachment; filename="q3-kick-off-sales-leadership-{kind}"'


def test_download_file_names_are_safe():
    assert exports.download_filename('Q3 "Kick-off"\n/../etc', "x.csv") == "q3-kick-off-etc-x.csv"
    assert exports.download_filename("", "x.csv") == "workshop-x.csv"
