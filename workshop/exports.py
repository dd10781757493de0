"""Downloads of what the tables produced: CSV, Excel and JSON, safe to open anywhere.

Each is made from `workshop.report.results_for`, so every format holds the same takeaways. The
facilitator's own downloads add the takeaways they hid (marked so); an organizer's never do.
"""

import csv
import io
import json
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workshop.models import Vote, Workshop
from workshop.report import Results, items_by_agenda, results_for

# A cell starting with one of these can be read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# The JSON download's format: raise it when a field changes meaning or goes away (adding one is
# compatible). Documented in docs/results-json.md.
JSON_SCHEMA = "workshop-results"
JSON_VERSION = 1


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# --- CSV -------------------------------------------------------------------------------------


def takeaways_csv(workshop, *, include_hidden: bool = True) -> str:
    """One row per takeaway, with a byte-order mark so Excel reads it as UTF-8."""
    return "".join(takeaways_csv_lines(workshop, include_hidden=include_hidden))


class _Line:
    """csv.writer's file: hands back each row it writes, for a download that streams."""

    def write(self, line: str) -> str:
        return line


def takeaways_csv_lines(workshop, *, include_hidden: bool = True):
    """The CSV download line by line, the takeaways read in chunks (report.items_by_agenda):
    a workshop of ten thousand takeaways is never held in memory, nor made in one go."""
    workshop = Workshop.objects.get(pk=workshop.pk)
    date = timezone.localtime(workshop.created_at).date().isoformat()
    writer = csv.writer(_Line())
    header = [
        _("Workshop"),
        _("Date"),
        _("Activity"),
        _("Table"),
        _("Author"),
        _("Takeaway"),
        _("Votes"),
        _("Spotlighted"),
        _("From a reflection"),
        _("Posted at"),
    ]
    if include_hidden:
        header.append(_("Hidden"))
    yield "\ufeff" + writer.writerow(header)
    for item in items_by_agenda(workshop, include_hidden=include_hidden):
        row = [
            workshop.title,
            date,
            item.activity,
            item.table,
            item.author,
            item.text,
            item.votes,
            _yes_no(item.spotlighted),
            _yes_no(item.from_reflection),
            item.posted_at.isoformat(timespec="seconds"),
        ]
        if include_hidden:
            row.append(_yes_no(item.hidden))
        yield writer.writerow(spreadsheet_safe(cell) for cell in row)


# --- Excel -----------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="3434C8")
TITLE_FONT = Font(bold=True, size=16)
HEADING_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _put(sheet, row: int, column: int, value, *, font=None, alignment=TOP):
    """Writes one cell; text always stays text, never a formula, whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl would store "=…" as a formula: a cell typed as a string never is one, and
        # the quote prefix keeps it text when someone edits the cell in Excel.
        cell.data_type = "s"
        cell.quotePrefix = value.startswith(FORMULA_TRIGGERS)
    elif hasattr(value, "tzinfo") and value.tzinfo is not None:
        cell.value = value.replace(tzinfo=None)  # Excel has no time zones: local time
        cell.number_format = DATETIME_FORMAT
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _header_row(sheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, 1):
        _put(sheet, row, column, label, font=HEADER_FONT)
        sheet.cell(row=row, column=column).fill = HEADER_FILL


def _widths(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: 31 characters at most, no []:*?/\\, unique."""
    base = _SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).strip(" '")
    base = " ".join(base.split())[:31] or _("Activity")
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def takeaways_xlsx(workshop, *, include_hidden: bool = True) -> bytes:
    """A summary sheet, then a sheet per activity with its takeaways."""
    results = results_for(workshop, include_hidden=include_hidden)
    book = Workbook()
    summary = book.active
    taken: set[str] = set()
    summary.title = sheet_title(_("Summary"), taken)
    _summary_sheet(summary, results)
    for section in results.sections:
        sheet = book.create_sheet(sheet_title(section.title, taken))
        _activity_sheet(sheet, section.items, include_hidden)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet, results: Results) -> None:
    _put(sheet, 1, 1, results.title, font=TITLE_FONT, alignment=None)
    _put(sheet, 2, 1, _("Date"), font=Font(bold=True))
    _put(sheet, 2, 2, results.date.isoformat())
    _put(sheet, 3, 1, _("Facilitator"), font=Font(bold=True))
    _put(sheet, 3, 2, results.facilitator)
    _put(sheet, 4, 1, _("Participants"), font=Font(bold=True))
    _put(sheet, 4, 2, results.participant_count)

    row = 6
    _put(sheet, row, 1, _("Participation by table"), font=HEADING_FONT)
    row += 1
    _header_row(sheet, row, [_("Table"), _("Participants"), _("Takeaways"), _("Votes received")])
    for table in results.tables:
        row += 1
        for column, value in enumerate(
            [table.name, table.participants, table.takeaways, table.votes], 1
        ):
            _put(sheet, row, column, value)
    row += 1
    total = [
        _("Total"),
        results.participant_count,
        sum(t.takeaways for t in results.tables),
        sum(t.votes for t in results.tables),
    ]
    for column, value in enumerate(total, 1):
        _put(sheet, row, column, value, font=Font(bold=True))

    row += 2
    _put(sheet, row, 1, _("Most voted takeaways"), font=HEADING_FONT)
    row += 1
    _header_row(sheet, row, [_("Votes"), _("Takeaway"), _("Table"), _("Activity"), _("Author")])
    for item in results.most_voted:
        row += 1
        values = [item.votes, item.text, item.table, item.activity, item.author]
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value, alignment=WRAP)
    if not results.most_voted:
        _put(sheet, row + 1, 1, _("No votes were given."))
    _widths(sheet, [26, 60, 16, 28, 18])


def _activity_sheet(sheet, items, include_hidden: bool) -> None:
    labels = [
        _("Table"),
        _("Author"),
        _("Takeaway"),
        _("Votes"),
        _("Spotlighted"),
        _("From a reflection"),
        _("Posted at"),
    ]
    if include_hidden:
        labels.append(_("Hidden"))
    _header_row(sheet, 1, labels)
    for row, item in enumerate(items, 2):
        values = [
            item.table,
            item.author,
            item.text,
            item.votes,
            _yes_no(item.spotlighted),
            _yes_no(item.from_reflection),
            item.posted_at,
        ]
        if include_hidden:
            values.append(_yes_no(item.hidden))
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value, alignment=WRAP if column == 3 else TOP)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{max(len(items) + 1, 1)}"
    _widths(sheet, [16, 18, 70, 8, 12, 16, 18, 8])


# --- JSON ------------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def workshop_json(workshop, *, include_hidden: bool = True) -> str:
    """The whole workshop as data: agenda, tables, takeaways and votes (see docs/)."""
    results = results_for(workshop, include_hidden=include_hidden)
    shown = {item.pk for item in results.items}
    votes = (
        Vote.objects.filter(takeaway_id__in=shown)
        .order_by("takeaway_id", "pk")
        .values_list("takeaway_id", "participant__table_id")
    )
    data = {
        "schema": JSON_SCHEMA,
        "version": JSON_VERSION,
        "exported_at": _iso(results.exported_at),
        "workshop": {
            "title": results.title,
            "date": results.date.isoformat(),
            "facilitator": results.facilitator,
            "status": results.workshop.status,
            "anonymous": results.anonymous,
            "closed_at": _iso(results.workshop.closed_at),
        },
        "agenda": [
            {
                "id": activity.pk,
                "position": position,
                "kind": activity.kind,
                "title": activity.title,
                "instructions": activity.instructions,
                "duration_minutes": activity.duration_minutes,
                "source_id": activity.source_id,
                "steps": [
                    {"kind": step.kind, "prompt": step.prompt, "options": list(step.options)}
                    for step in activity.steps.all()
                ],
            }
            for position, activity in enumerate(results.agenda, 1)
        ],
        "tables": [
            {
                "id": table.pk,
                "number": table.number,
                "name": table.name,
                "participants": table.participants,
            }
            for table in results.tables
        ],
        "takeaways": [
            {
                "id": item.pk,
                "activity_id": item.activity_id,
                "table_id": item.table_id,
                "author": item.author,
                "text": item.text,
                "votes": item.votes,
                "spotlighted": item.spotlighted,
                "from_reflection": item.from_reflection,
                "hidden": item.hidden,
                "posted_at": _iso(item.posted_at),
                "edited_at": _iso(item.edited_at),
            }
            for item in results.items
        ],
        "votes": [
            {"takeaway_id": takeaway_id, "from_table_id": table_id}
            for takeaway_id, table_id in votes
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- File names ------------------------------------------------------------------------------


def download_filename(title: str, suffix: str) -> str:
    """A file name that survives every browser and file system: letters, digits, dashes."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    stem = "-".join(part for part in stem.split("-") if part)[:60] or "workshop"
    return f"{stem}-{suffix}"
