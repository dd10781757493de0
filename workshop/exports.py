"""Downloads of what the tables produced: CSV, Excel and JSON, safe to open anywhere.

Each is made from `workshop.report`'s queries, so every format holds the same takeaways, and
each is made as it is sent: a day of ten thousand takeaways is never held in memory. The
facilitator's own downloads add the takeaways they hid (marked so); an organizer's never do.
"""

import csv
import itertools
import json
import re
import tempfile
from operator import attrgetter

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workshop import aggregates
from workshop.models import Answer, PollAnswer, Vote, Workshop
from workshop.report import (
    COUNTED_KINDS,
    Summary,
    agenda_of,
    facilitator_name,
    items_by_agenda,
    items_by_table,
    summary_for,
    tables_of,
    with_facilitator,
)

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
        header += [_("Hidden"), _("Never approved")]
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
            row += [_yes_no(item.hidden), _yes_no(item.never_approved)]
        yield writer.writerow(spreadsheet_safe(cell) for cell in row)


def counts_csv_lines(workshop, *, include_hidden: bool = True):
    """The room's counts, one row per answer of each reflection's checklist, scale or one-word
    step and each poll: as the report shows them, nothing where fewer than the workshop's
    threshold answered. (Hidden takeaways are not in it: `include_hidden` changes nothing.)"""
    workshop = Workshop.objects.get(pk=workshop.pk)
    writer = csv.writer(_Line())
    header = [
        _("Workshop"),
        _("Activity"),
        _("Kind"),
        _("Question"),
        _("Answer"),
        _("Count"),
        _("People who answered"),
        _("Median"),
    ]
    yield "\ufeff" + writer.writerow(header)
    for activity in agenda_of(workshop):
        if activity.kind not in COUNTED_KINDS:
            continue
        for pattern in aggregates.results_of(activity, workshop.reveal_threshold):
            for bar in pattern.bars:
                row = [
                    workshop.title,
                    activity.title,
                    activity.get_kind_display(),
                    pattern.step.prompt,
                    bar.label,
                    bar.count,
                    pattern.answered,
                    pattern.median or "",
                ]
                yield writer.writerow(spreadsheet_safe(cell) for cell in row)


# --- Excel -----------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="3434C8")
TITLE_FONT = Font(bold=True, size=16)
HEADING_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _cell(sheet, value, *, font=None, alignment=TOP) -> WriteOnlyCell:
    """One cell; text always stays text, never a formula, whatever it starts with."""
    cell = WriteOnlyCell(sheet)
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


def _row(sheet, values, *, font=None, alignments=()) -> None:
    """Appends a row: each value a cell, in the alignment given for its column (top by default)."""
    sheet.append(
        [
            _cell(sheet, value, font=font, alignment=alignments[n] if n < len(alignments) else TOP)
            for n, value in enumerate(values)
        ]
    )


def _header_row(sheet, labels: list[str]) -> None:
    cells = [_cell(sheet, label, font=HEADER_FONT) for label in labels]
    for cell in cells:
        cell.fill = HEADER_FILL
    sheet.append(cells)


def _widths(sheet, widths: list[int]) -> None:
    # A write-only sheet takes its column widths before its first row.
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
    """The workbook whole (for tests and scripts); downloads stream `takeaways_xlsx_parts`."""
    return b"".join(takeaways_xlsx_parts(workshop, include_hidden=include_hidden))


def takeaways_xlsx_parts(workshop, *, include_hidden: bool = True, part_bytes: int = 64 * 1024):
    """A summary sheet, then a sheet per activity with its takeaways, in parts for a download
    that streams. The sheets are written row by row as the takeaways are read in chunks
    (openpyxl's write-only mode keeps them in temporary files, not in memory); the file is then
    handed out a part at a time. A zip's directory comes last, so nothing is sent before the
    whole book is made, but nothing of it is ever held whole in memory either."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    summary = summary_for(workshop)
    _summary_sheet(book.create_sheet(sheet_title(_("Summary"), taken)), summary)
    for title, items in sections_in_order(summary.agenda, workshop, include_hidden):
        _activity_sheet(book.create_sheet(sheet_title(title, taken)), items, include_hidden)
    with tempfile.TemporaryFile() as file:
        book.save(file)
        file.seek(0)
        while part := file.read(part_bytes):
            yield part


def sections_in_order(agenda, workshop, include_hidden: bool):
    """(title, items) per section as `Results.sections` has them — every table discussion, then
    any other activity with takeaways, a deleted activity's last — each section's items read
    as it is written (the caller takes all of one before asking for the next)."""
    items = items_by_agenda(workshop, include_hidden=include_hidden)
    groups = itertools.groupby(items, key=attrgetter("activity_id"))
    pending = next(groups, None)
    for activity in agenda:
        if pending is not None and pending[0] == activity.pk:
            yield activity.title, pending[1]
            pending = next(groups, None)
        elif activity.is_discussion:
            yield activity.title, iter(())
    while pending is not None:
        first = next(pending[1])
        yield first.activity, itertools.chain([first], pending[1])
        pending = next(groups, None)


def _summary_sheet(sheet, summary: Summary) -> None:
    _widths(sheet, [26, 60, 16, 28, 18])
    bold = Font(bold=True)
    _row(sheet, [summary.title], font=TITLE_FONT, alignments=[None])
    facts = [
        (_("Date"), summary.date.isoformat()),
        (_("Facilitator"), summary.facilitator),
        (_("Participants"), summary.participant_count),
    ]
    for label, value in facts:
        sheet.append([_cell(sheet, label, font=bold), _cell(sheet, value)])
    sheet.append([])
    _row(sheet, [_("Participation by table")], font=HEADING_FONT)
    _header_row(sheet, [_("Table"), _("Participants"), _("Takeaways"), _("Votes received")])
    for table in summary.tables:
        _row(sheet, [table.name, table.participants, table.takeaways, table.votes])
    total = [
        _("Total"),
        summary.participant_count,
        sum(t.takeaways for t in summary.tables),
        sum(t.votes for t in summary.tables),
    ]
    _row(sheet, total, font=bold)

    sheet.append([])
    _row(sheet, [_("Most voted takeaways")], font=HEADING_FONT)
    _header_row(sheet, [_("Votes"), _("Takeaway"), _("Table"), _("Activity"), _("Author")])
    for item in summary.most_voted:
        values = [item.votes, item.text, item.table, item.activity, item.author]
        _row(sheet, values, alignments=[WRAP] * len(values))
    if not summary.most_voted:
        _row(sheet, [_("No votes were given.")])
    for pattern in summary.patterns:
        sheet.append([])
        _row(sheet, [pattern.step.prompt], font=HEADING_FONT, alignments=[None])
        _header_row(sheet, [_("Count"), _("Option")])
        for bar in pattern.bars:
            _row(sheet, [bar.count, bar.label])
        _row(sheet, [pattern.answered, _("people answered")], font=bold)
        if pattern.median is not None:
            _row(sheet, [pattern.median, _("Median")], font=bold)


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
        labels += [_("Hidden"), _("Never approved")]
    _widths(sheet, [16, 18, 70, 8, 12, 16, 18, 8, 14])
    sheet.freeze_panes = "A2"
    _header_row(sheet, labels)
    rows = 1
    for item in items:
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
            values += [_yes_no(item.hidden), _yes_no(item.never_approved)]
        _row(sheet, values, alignments=[TOP, TOP, WRAP])
        rows += 1
    # Written after the rows, when the sheet is saved: the filter covers all of them.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{rows}"


# --- JSON ------------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def workshop_json(workshop, *, include_hidden: bool = True) -> str:
    """The whole workshop as data (for tests and scripts); downloads stream the parts."""
    return "".join(workshop_json_parts(workshop, include_hidden=include_hidden))


def workshop_json_parts(workshop, *, include_hidden: bool = True):
    """The whole workshop as data: agenda, tables, takeaways and votes (see docs/), made as it
    is sent. The takeaways and votes are read in chunks and written one by one into the same
    indented JSON that `json.dumps(..., indent=2)` would make of the whole."""
    workshop = with_facilitator(workshop)
    head = {
        "schema": JSON_SCHEMA,
        "version": JSON_VERSION,
        "exported_at": _iso(timezone.localtime()),
        "workshop": {
            "title": workshop.title,
            "date": timezone.localtime(workshop.created_at).date().isoformat(),
            "facilitator": facilitator_name(workshop),
            "status": workshop.status,
            "anonymous": workshop.anonymous,
            "closed_at": _iso(workshop.closed_at),
        },
        "agenda": [
            _json_activity(a, position) for position, a in enumerate(agenda_of(workshop), 1)
        ],
        "tables": [
            {"id": t.pk, "number": t.number, "name": t.name, "participants": t.participants}
            for t in tables_of(workshop)
        ],
    }
    takeaways = map(_json_takeaway, items_by_table(workshop, include_hidden=include_hidden))
    votes = (
        {"takeaway_id": takeaway_id, "from_table_id": table_id}
        for takeaway_id, table_id in _votes(workshop, include_hidden).iterator(chunk_size=2000)
    )
    yield "{"
    for n, (key, value) in enumerate(head.items()):
        yield ("," if n else "") + f"\n  {_json(key)}: {_json(value, 1)}"
    yield from _json_array("takeaways", takeaways)
    yield from _json_array("votes", votes)
    yield "\n}\n"


def _json(value, level: int = 0) -> str:
    """`value` as JSON indented by two, its lines after the first `level` steps further in."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def _json_array(key: str, values):
    """`,"key": [...]` at the top level, a value at a time, as json.dumps would indent it."""
    yield f",\n  {_json(key)}: ["
    empty = True
    for value in values:
        yield ("\n" if empty else ",\n") + "    " + _json(value, 2)
        empty = False
    yield "]" if empty else "\n  ]"


def _json_activity(activity, position: int) -> dict:
    return {
        "id": activity.pk,
        "position": position,
        "kind": activity.kind,
        "title": activity.title,
        "instructions": activity.instructions,
        "duration_minutes": activity.duration_minutes,
        "source_id": activity.source_id,
        "steps": [_json_step(step, activity) for step in activity.steps.all()],
    }


def _json_step(step, activity) -> dict:
    data = {"kind": step.kind, "prompt": step.prompt, "options": list(step.options)}
    if step.kind == step.Kind.SCALE:
        data["scale"] = step.scale_values
    if step.is_counted:
        answers = PollAnswer if activity.is_poll else Answer
        pattern = aggregates.pattern_of(step, activity.workshop.reveal_threshold, answers)
        data["room"] = _json_room(pattern)
    return data


def _json_room(pattern) -> dict | None:
    """How many people ticked each option; nothing below the workshop's threshold."""
    if pattern.waiting:
        return None
    counts = [{"option": bar.label, "count": bar.count} for bar in pattern.bars]
    room = {"answered": pattern.answered, "counts": counts}
    if pattern.median is not None:
        room["median"] = pattern.median
    return room


def _json_takeaway(item) -> dict:
    return {
        "id": item.pk,
        "activity_id": item.activity_id,
        "table_id": item.table_id,
        "author": item.author,
        "text": item.text,
        "votes": item.votes,
        "spotlighted": item.spotlighted,
        "from_reflection": item.from_reflection,
        "hidden": item.hidden,
        "never_approved": item.never_approved,
        "posted_at": _iso(item.posted_at),
        "edited_at": _iso(item.edited_at),
    }


def _votes(workshop, include_hidden: bool):
    """The votes given to the takeaways the download holds: (takeaway, the voter's table)."""
    votes = Vote.objects.filter(takeaway__workshop=workshop, takeaway__deleted=False)
    if not include_hidden:
        votes = votes.filter(takeaway__hidden=False)
    return votes.order_by("takeaway_id", "pk").values_list("takeaway_id", "participant__table_id")


# --- File names ------------------------------------------------------------------------------


def download_filename(title: str, suffix: str) -> str:
    """A file name that survives every browser and file system: letters, digits, dashes."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    stem = "-".join(part for part in stem.split("-") if part)[:60] or "workshop"
    return f"{stem}-{suffix}"
