"""The room's pattern of a private step: how many people ticked each option of a checklist or
chose each point of a scale, never who.

Only counts leave the answers, counted by the database in one query, and nothing at all
until at least the workshop's `reveal_threshold` people have answered the step: with fewer, a
count could point at someone ("the only one who ticked it is Anna").
"""

from dataclasses import dataclass

from django.db import connection

from workshop.models import Answer, PollAnswer, Step

# One row per option someone ticked, and one (its option NULL) with the number of people who
# ticked anything. The choices are a JSON array in every backend, read by its own functions.
_COUNTS = {
    "postgresql": """
        SELECT option, COUNT(*) FROM {answer} a, jsonb_array_elements_text(a.choices) AS option
        WHERE a.step_id = %(step)s GROUP BY option
        UNION ALL
        SELECT NULL, COUNT(*) FROM {answer}
        WHERE step_id = %(step)s AND jsonb_array_length(choices) > 0
    """,
    "sqlite": """
        SELECT j.value, COUNT(*) FROM {answer} a, json_each(a.choices) AS j
        WHERE a.step_id = %(step)s GROUP BY j.value
        UNION ALL
        SELECT NULL, COUNT(*) FROM {answer}
        WHERE step_id = %(step)s AND json_array_length(choices) > 0
    """,
}

# A one-word step's words, most said first, each shown as one of the ways it was typed; and
# (its word NULL) the number of people who gave one.
_WORDS = {
    "postgresql": """
        SELECT * FROM (
            SELECT word, COUNT(*) AS n, MIN(TRIM(a.text)) FROM {answer} a,
                jsonb_array_elements_text(a.choices) AS word
            WHERE a.step_id = %(step)s GROUP BY word ORDER BY n DESC, word LIMIT %(most)s
        ) AS cloud
        UNION ALL
        SELECT NULL, COUNT(*), NULL FROM {answer}
        WHERE step_id = %(step)s AND jsonb_array_length(choices) > 0
    """,
    "sqlite": """
        SELECT * FROM (
            SELECT j.value, COUNT(*) AS n, MIN(TRIM(a.text)) FROM {answer} a,
                json_each(a.choices) AS j
            WHERE a.step_id = %(step)s GROUP BY j.value ORDER BY n DESC, j.value
            LIMIT %(most)s
        ) AS cloud
        UNION ALL
        SELECT NULL, COUNT(*), NULL FROM {answer}
        WHERE step_id = %(step)s AND json_array_length(choices) > 0
    """,
}
# The cloud's words: more would not be read from the back row.
CLOUD_WORDS = 40


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    key: str = ""  # a word's folded form (workshop.words), which its answers store


@dataclass(frozen=True)
class Pattern:
    """A step's pattern as the room may see it: `bars` is empty while it is waiting."""

    step: Step
    answered: int
    threshold: int
    bars: tuple[Bar, ...] = ()
    # A scale's: the point half the room is at or below.
    median: str | None = None

    @property
    def waiting(self) -> bool:
        return self.answered < self.threshold

    @property
    def most(self) -> int:
        """The longest bar's count: the scale of the chart."""
        return max((bar.count for bar in self.bars), default=0)


def pattern_of(step: Step, threshold: int, answers=Answer) -> Pattern:
    """The room's counts of a checklist, a choice, a scale or a one-word step: of the private
    answers to a reflection's step, or (`answers` PollAnswer) of a poll's question."""
    if step.kind == Step.Kind.SCALE:
        return scale_pattern(step, threshold, answers)
    if step.kind == Step.Kind.WORD:
        return word_pattern(step, threshold, answers)
    return checklist_pattern(step, threshold, answers)


def poll_pattern(question: Step, threshold: int) -> Pattern:
    return pattern_of(question, threshold, PollAnswer)


def results_of(activity, threshold: int) -> list[Pattern]:
    """The counts a download shows of a reflection's counted steps or a poll's question: only
    those enough people answered. (`activity` with its steps prefetched.)"""
    answers = PollAnswer if activity.is_poll else Answer
    counted = [step for step in activity.steps.all() if step.is_counted]
    patterns = [pattern_of(step, threshold, answers) for step in counted]
    return [pattern for pattern in patterns if not pattern.waiting]


def _sql(queries: dict, answers) -> str:
    return queries[connection.vendor].format(
        answer=connection.ops.quote_name(answers._meta.db_table)
    )


def _counts(step: Step, answers) -> tuple[int, dict[str, int]]:
    """How many answered the step, and how many chose each option (one query)."""
    sql = _sql(_COUNTS, answers)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"step": step.pk})
        rows = cursor.fetchall()
    answered = next((count for option, count in rows if option is None), 0)
    return answered, {option: count for option, count in rows if option is not None}


def word_pattern(step: Step, threshold: int, answers=Answer) -> Pattern:
    """The words the room gave a one-word step (folded, workshop.words), most said first."""
    sql = _sql(_WORDS, answers)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"step": step.pk, "most": CLOUD_WORDS})
        rows = cursor.fetchall()
    answered = next((count for word, count, _shown in rows if word is None), 0)
    if answered < threshold:
        return Pattern(step, answered, threshold)
    cloud = [Bar(shown.casefold(), count, word) for word, count, shown in rows if word is not None]
    bars = tuple(sorted(cloud, key=lambda bar: (-bar.count, bar.label)))
    return Pattern(step, answered, threshold, bars)


def scale_pattern(step: Step, threshold: int, answers=Answer) -> Pattern:
    """How many people chose each point of a scale, low to high, and its median."""
    answered, counts = _counts(step, answers)
    if answered < threshold:
        return Pattern(step, answered, threshold)
    bars = tuple(Bar(point, counts.get(point, 0)) for point in step.scale_values)
    return Pattern(step, answered, threshold, bars, median=_median(bars))


def _median(bars: tuple[Bar, ...]) -> str | None:
    """The lower median: the first point at which half the answers are reached."""
    total, seen = sum(bar.count for bar in bars), 0
    for bar in bars:
        seen += bar.count
        if total and seen * 2 >= total:
            return bar.label
    return None


def checklist_pattern(step: Step, threshold: int, answers=Answer) -> Pattern:
    """How many people ticked each of the step's options, most first (ties in the step's own
    order); an option no longer on the step is not counted."""
    answered, counts = _counts(step, answers)
    if answered < threshold:
        return Pattern(step, answered, threshold)
    order = {option: n for n, option in enumerate(step.options)}
    bars = sorted(
        (Bar(option, counts.get(option, 0)) for option in step.options),
        key=lambda bar: (-bar.count, order[bar.label]),
    )
    return Pattern(step, answered, threshold, tuple(bars))
