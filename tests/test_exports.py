"""The CSV download: complete, readable by the csv module, safe to open in a spreadsheet."""

import csv
import io
import uuid
from datetime import datetime

import pytest

from workshop import exports, services

pytestmark = pytest.mark.django_db


def download(client, facilitator, workshop):
    client.force_login(facilitator)
    response = client.get(f"/f/w/{workshop.pk}/takeaways.csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_csv_has_a_row_per_takeaway_with_table_author_and_time(
    client, facilitator, workshop, anna, ben
):
    tricky = 'Commas, "quotes",\nnew lines and emoji 🚀'
    services.post_takeaway(anna, tricky, uuid.uuid4())
    services.post_takeaway(ben, "Plain", uuid.uuid4())
    gone = services.post_takeaway(ben, "Deleted", uuid.uuid4())
    services.delete_takeaway(ben, gone)

    response, rows = download(client, facilitator, workshop)
    assert "attachment" in response["Content-Disposition"]
    assert "hero-to-hero-maker-takeaways.csv" in response["Content-Disposition"]
    assert rows[0] == ["Workshop", "Table", "Author", "Takeaway", "Posted at", "Hidden"]
    assert [row[:4] for row in rows[1:]] == [
        ["Hero to hero-maker", "Table 1", "Anna", tricky],
        ["Hero to hero-maker", "Table 2", "Ben", "Plain"],
    ]
    posted_at = datetime.fromisoformat(rows[1][4])
    assert posted_at.tzinfo is not None


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_takeaway_that_could_become_a_formula_is_neutralised(
    client, facilitator, workshop, anna, start
):
    services.post_takeaway(anna, f'{start}HYPERLINK("http://evil")x', uuid.uuid4())
    _, rows = download(client, facilitator, workshop)
    assert rows[1][3].startswith("'")


def test_a_name_that_could_become_a_formula_is_neutralised(client, facilitator, workshop, tables):
    someone = services.join(workshop, tables[0], "=cmd|' /C calc'!A0")
    services.post_takeaway(someone, "Hello", uuid.uuid4())
    _, rows = download(client, facilitator, workshop)
    assert rows[1][2] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_neutralised(start):
    # Stored text is trimmed, so tab and carriage return are checked on the function itself.
    assert exports.spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"
    assert exports.spreadsheet_safe(f"a{start}1") == f"a{start}1"


def test_download_file_names_are_safe():
    assert exports.download_filename('Q3 "Kick-off"\n/../etc', "x.csv") == "q3-kick-off-etc-x.csv"
    assert exports.download_filename("", "x.csv") == "workshop-x.csv"
