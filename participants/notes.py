"""A participant's take-home notes: private answers, commitment, and their table's takeaways.

The same notes are shown on the phone, printed, and downloaded as Markdown or plain text, so what
goes into them is gathered once, here, for one participant only.
"""

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop import aggregates
from workshop.models import SHOWN_TAKEAWAYS, Activity, Answer, Participant, Step, Takeaway


@dataclass
class Entry:
    """One answered step: a prompt and what the participant wrote or ticked."""

    prompt: str
    text: str = ""
    choices: list[str] = field(default_factory=list)
    # For a checklist the room answered enough of: how many others ticked each of these too.
    others: dict[str, int] = field(default_factory=dict)

    def ticks(self) -> list[tuple[str, str]]:
        """Each option ticked, with what the room says of it ("" when it says nothing)."""
        return [(choice, self.with_the_room(choice)) for choice in self.choices]

    def with_the_room(self, choice: str) -> str:
        return you_and_others(self.others[choice]) if choice in self.others else ""


def you_and_others(others: int) -> str:
    """How many others in the room gave the same answer, in the participant's words."""
    if not others:
        return _("Only you, in this room")
    return ngettext("You and %(count)d other", "You and %(count)d others", others) % {
        "count": others
    }


@dataclass
class Section:
    title: str
    entries: list = field(default_factory=list)


@dataclass
class Notes:
    workshop_title: str
    name: str
    table: str
    date: str
    facilitator: str  # as their profile names them, or "" (never their e-mail address)
    commitment_title: str
    commitments: list[Entry]
    reflections: list[Section]
    takeaways: list[Section]

    @property
    def byline(self) -> str:
        """Who, where, when: "Anna · Table 2 · 2 December 2026 · Facilitated by Jana Weber"."""
        parts = [self.name, self.table, self.date]
        if self.facilitator:
            parts.append(_("Facilitated by %(name)s") % {"name": self.facilitator})
        return " · ".join(parts)

    @property
    def is_empty(self) -> bool:
        return not (self.commitments or self.reflections or self.takeaways)


def _agenda_order(activity: Activity | None):
    # Takeaways whose activity was deleted come last.
    return (1, 0, 0) if activity is None else (0, activity.position, activity.pk)


def _others_who_ticked(step: Step, choices: list[str], workshop) -> dict[str, int]:
    """The room's count of each option the participant ticked, less their own tick; nothing
    while too few people answered for the counts to be shown (workshop.aggregates)."""
    pattern = aggregates.checklist_pattern(step, workshop.reveal_threshold)
    counts = {bar.label: bar.count for bar in pattern.bars}
    return {choice: counts[choice] - 1 for choice in choices if choice in counts}


def _with_the_room(step: Step, answer: Answer, workshop) -> str:
    """The word typed, and how many others gave it too, once enough answered."""
    pattern = aggregates.pattern_of(step, workshop.reveal_threshold)
    said = next((bar.count for bar in pattern.bars if bar.key == answer.choices[0]), None)
    if said is None:
        return answer.text
    return f"{answer.text} · {you_and_others(said - 1)}"


def _on_the_scale(step: Step, answer: Answer, workshop) -> str:
    """ "4 on a scale of 1 to 5 · the room's median: 3" (the room's once enough answered)."""
    low, high = step.scale_values[0], step.scale_values[-1]
    words = _("%(point)s on a scale of %(low)s to %(high)s") % {
        "point": answer.choices[0],
        "low": low,
        "high": high,
    }
    median = aggregates.pattern_of(step, workshop.reveal_threshold).median
    if median is not None:
        words += " · " + _("the room's median: %(median)s") % {"median": median}
    return words


def notes_for(participant: Participant) -> Notes:
    answers = (
        Answer.objects.filter(participant=participant)
        .select_related("step__activity")
        .order_by("step__activity__position", "step__activity_id", "step__position", "step_id")
    )
    commitments, reflections = [], {}
    for answer in answers:
        step = answer.step
        if not (answer.text or answer.choices):
            continue
        entry = Entry(prompt=step.prompt, text=answer.text, choices=list(answer.choices))
        if step.kind == Step.Kind.SCALE and answer.choices:
            entry.text = _on_the_scale(step, answer, participant.workshop)
            entry.choices = []
        elif step.kind == Step.Kind.CHECKLIST and answer.choices:
            entry.others = _others_who_ticked(step, answer.choices, participant.workshop)
        elif step.kind == Step.Kind.WORD and answer.choices:
            entry.text = _with_the_room(step, answer, participant.workshop)
        if step.kind == Step.Kind.COMMITMENT:
            commitments.append(entry)
        else:
            reflections.setdefault(step.activity, Section(step.activity.title))
            reflections[step.activity].entries.append(entry)

    takeaways = (
        Takeaway.objects.filter(SHOWN_TAKEAWAYS, table_id=participant.table_id)
        .select_related("activity", "author__workshop")
        .order_by("posted_at", "pk")
    )
    groups: dict[Activity | None, Section] = {}
    for takeaway in takeaways:
        title = takeaway.activity.title if takeaway.activity else _("Other takeaways")
        groups.setdefault(takeaway.activity, Section(title)).entries.append(takeaway)

    commitment_title = ngettext("My commitment", "My commitments", len(commitments))
    for entry in commitments:
        if entry.prompt.strip().casefold() == commitment_title.casefold():
            entry.prompt = ""  # the heading says it already
    workshop = participant.workshop
    return Notes(
        workshop_title=workshop.title,
        name=participant.name,
        table=participant.table.name,
        date=date_format(timezone.localtime(workshop.created_at), "DATE_FORMAT"),
        facilitator=workshop.facilitator.public_name,
        commitment_title=commitment_title,
        commitments=commitments,
        reflections=list(reflections.values()),
        takeaways=[groups[a] for a in sorted(groups, key=_agenda_order)],
    )


# --- Markdown --------------------------------------------------------------------------------

# Punctuation that Markdown reads as formatting, links or HTML anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# What makes a line a heading, a quote, a list item or a rule when it starts it.
_LINE_MARK = re.compile(r"^(\s*)([#>+=-])")
_LINE_NUMBER = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def markdown_escape(text: str) -> str:
    """Participant text, shown as written by any Markdown reader: never as markup or HTML."""
    lines = []
    for line in text.splitlines():
        line = _INLINE.sub(r"\\\1", line)
        line = _LINE_MARK.sub(r"\1\\\2", line)
        lines.append(_LINE_NUMBER.sub(r"\1\\\2", line))
    return "\n".join(lines)


def _md_block(text: str, indent: str = "") -> str:
    # Keep the participant's line breaks: a Markdown line break is two spaces at the end.
    lines = markdown_escape(text).split("\n")
    return ("  \n" + indent).join(lines)


def as_markdown(notes: Notes) -> str:
    out = [
        "# " + markdown_escape(_("My notes: %(title)s") % {"title": notes.workshop_title}),
        "",
        markdown_escape(notes.byline),
        "",
    ]
    if notes.commitments:
        out += ["## " + notes.commitment_title, ""]
        for entry in notes.commitments:
            if entry.prompt:
                out += [f"**{markdown_escape(entry.prompt)}**", ""]
            out += ["> " + _md_block(entry.text, "> "), ""]
    for section in notes.reflections:
        out += ["## " + markdown_escape(section.title), ""]
        for entry in section.entries:
            out += [f"**{markdown_escape(entry.prompt)}**", ""]
            out += [
                f"- {markdown_escape(choice)}" + (f" — *{room}*" if room else "")
                for choice, room in entry.ticks()
            ]
            if entry.choices:
                out += [""]
            if entry.text:
                out += [_md_block(entry.text), ""]
    if notes.takeaways:
        out += ["## " + markdown_escape(_("Takeaways of %(table)s") % {"table": notes.table}), ""]
        for section in notes.takeaways:
            out += ["### " + markdown_escape(section.title), ""]
            for takeaway in section.entries:
                text = _md_block(takeaway.text, "  ")
                out += [f"- {text} — *{markdown_escape(takeaway.author.public_name)}*"]
            out += [""]
    if notes.is_empty:
        out += [_("Nothing here yet."), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# --- Plain text ------------------------------------------------------------------------------


def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text)]


def _indented(text: str, indent: str = "    ") -> list[str]:
    return [indent + line if line else "" for line in text.splitlines()]


def as_text(notes: Notes) -> str:
    out = [
        *_heading(_("My notes: %(title)s") % {"title": notes.workshop_title}, "="),
        notes.byline,
    ]
    if notes.commitments:
        out += ["", *_heading(notes.commitment_title, "-")]
        for entry in notes.commitments:
            if entry.prompt:
                out += ["", entry.prompt, *_indented(entry.text)]
            else:
                out += ["", *_indented(entry.text, "")]
    for section in notes.reflections:
        out += ["", *_heading(section.title, "-")]
        for entry in section.entries:
            out += ["", entry.prompt]
            for choice, room in entry.ticks():
                out += [f"    [x] {choice}" + (f" ({room})" if room else "")]
            out += _indented(entry.text)
    if notes.takeaways:
        out += ["", *_heading(_("Takeaways of %(table)s") % {"table": notes.table}, "-")]
        for section in notes.takeaways:
            out += ["", section.title]
            for takeaway in section.entries:
                first, *rest = takeaway.text.splitlines() or [""]
                out += [f"  - {first}", *_indented("\n".join(rest))]
                out += [f"    ({takeaway.author.public_name})"]
    if notes.is_empty:
        out += ["", _("Nothing here yet.")]
    return "\n".join(out).rstrip("\n") + "\n"
