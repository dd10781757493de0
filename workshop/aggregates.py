"""The room's pattern of a private step: how many people ticked each option, never who.

Only counts leave the answers, counted by the database in one query, and nothing at all
until at least the workshop's `reveal_threshold` people have answered the step: with fewer, a
count could point at someone ("the only one who ticked it is Anna").
"""

from dataclasses import dataclass

from django.db import connection

from workshop.models import Answer, Step

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


@dataclass(frozen=True)
class Bar:
    label: str
    count: int


@dataclass(frozen=True)
class Pattern:
    """A step's pattern as the room may see it: `bars` is empty while it is waiting."""

    step: Step
    answered: int
    threshold: int
    bars: tuple[Bar, ...] = ()

    @property
    def waiting(self) -> bool:
        return self.answered < self.threshold

    @property
    def most(self) -> int:
        """The longest bar's count: the scale of the chart."""
        return max((bar.count for bar in self.bars), default=0)


def checklist_pattern(step: Step, threshold: int) -> Pattern:
    """How many people ticked each of the step's options, most first (ties in the step's own
    order); an option no longer on the step is not counted."""
    sql = _COUNTS[connection.vendor].format(answer=connection.ops.quote_name(Answer._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"step": step.pk})
        rows = cursor.fetchall()
    answered = next((count for option, count in rows if option is None), 0)
    if answered < threshold:
        return Pattern(step, answered, threshold)
    counts = {option: count for option, count in rows if option is not None}
    order = {option: n for n, option in enumerate(step.options)}
    bars = sorted(
        (Bar(option, counts.get(option, 0)) for option in step.options),
        key=lambda bar: (-bar.count, order[bar.label]),
    )
    return Pattern(step, answered, threshold, tuple(bars))
