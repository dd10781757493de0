"""Downloads of what the tables produced, safe to open in a spreadsheet."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

# A cell starting with one of these can be read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def takeaways_csv(workshop) -> str:
    """One row per takeaway, with a byte-order mark so Excel reads it as UTF-8."""
    rows = (
        workshop.takeaways.filter(deleted=False)
        .select_related("table", "author")
        .order_by("table__number", "posted_at", "pk")
    )
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Workshop"), _("Table"), _("Author"), _("Takeaway"), _("Posted at"), _("Hidden")]
    )
    for takeaway in rows:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                workshop.title,
                takeaway.table.name,
                takeaway.author.name,
                takeaway.text,
                timezone.localtime(takeaway.posted_at).isoformat(timespec="seconds"),
                _("yes") if takeaway.hidden else _("no"),
            )
        )
    return buffer.getvalue()


def download_filename(title: str, suffix: str) -> str:
    """A file name that survives every browser and file system: letters, digits, dashes."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    stem = "-".join(part for part in stem.split("-") if part)[:60] or "workshop"
    return f"{stem}-{suffix}"
