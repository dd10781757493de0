"""Agendas to start a workshop from: the built-in ones, and turning an agenda into data and back.

An agenda as data is a list of activities, each a dict with kind, title, instructions,
duration_minutes, source (the index of the activity it shows: the discussion of a share-out, the
reflection of the room's answers), the options of its
kind (see OPTIONS: true or false) and steps (each with kind, prompt, help_text and options).
Saved templates store exactly this; one saved before an option existed has it off.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HERO_TO_HERO_MAKER = "hero-to-hero-maker"

# What an activity of each kind may set ahead of time, by the Activity field's name. Only a
# share-out shows counts, and only a discussion takes new takeaways to approve.
OPTIONS = {
    "shareout": ("order_by_votes", "votes_hidden"),
    "discussion": ("moderated",),
    "poll": ("votes_hidden",),  # its results, until revealed
}
# Each once, though kinds share one (a share-out's counts and a poll's results both wait).
OPTION_NAMES = list(dict.fromkeys(name for names in OPTIONS.values() for name in names))


def options_of(kind: str) -> tuple[str, ...]:
    return OPTIONS.get(kind, ())


def options(item: dict) -> dict[str, bool]:
    """An agenda item's options, every one its kind has: off unless saved as JSON's true (an
    older template has none of them)."""
    return {name: item.get(name) is True for name in options_of(item["kind"])}


def _hero_to_hero_maker():
    return [
        {
            "kind": "slide",
            "title": _("From hero to hero-maker"),
            "instructions": _(
                "Today is about the moments when we sell for our reps instead of coaching them, "
                "and what it costs us and them. Find your table, scan the code, and join."
            ),
        },
        {
            "kind": "solo",
            "title": _("Where do I step in?"),
            "instructions": _(
                "On your own, and in private: nobody else sees your answers. Think of the last "
                "few weeks and be honest with yourself."
            ),
            "duration_minutes": 15,
            "steps": [
                {
                    # The four situations once more, to tick: the room's answers count them.
                    "kind": "checklist",
                    "prompt": _("In which of these situations do you step in?"),
                    "help_text": _(
                        "Tick every one where you catch yourself doing your reps' work instead "
                        "of coaching them, even now and then. The next steps look at each in turn."
                    ),
                    "options": [
                        _("Leading team meetings"),
                        _("Working in the field with your people"),
                        _("Big presentations and customer meetings"),
                        _("Reporting results up the chain"),
                    ],
                },
                {
                    "kind": "text",
                    "prompt": _("Leading team meetings"),
                    "help_text": _(
                        "When do you answer for your reps, or run the meeting yourself, "
                        "instead of letting them lead and holding them to it?"
                    ),
                },
                {
                    "kind": "text",
                    "prompt": _("Working in the field with your people"),
                    "help_text": _(
                        "In front of a customer, when do you take over the conversation "
                        "instead of coaching afterwards?"
                    ),
                },
                {
                    "kind": "text",
                    "prompt": _("Big presentations and customer meetings"),
                    "help_text": _(
                        "What do you end up preparing, or presenting, that your reps could own?"
                    ),
                },
                {
                    "kind": "text",
                    "prompt": _("Reporting results up the chain"),
                    "help_text": _(
                        "Where do you do the work of explaining the numbers instead of having "
                        "your reps do it?"
                    ),
                },
                {
                    "kind": "checklist",
                    "prompt": _("Which of these costs do you recognise in yourself?"),
                    "help_text": _("Tick every one that is true, even a little."),
                    "options": [
                        _("Exhaustion and burn-out"),
                        _("Becoming the bottleneck"),
                        _("Reps who can't function without me"),
                        _("Reps losing credibility with their own accounts"),
                        _("A team that doesn't scale"),
                        _("Top performers driven away"),
                        _("My own growth and promotability stalled"),
                        _("A cycle that keeps itself going"),
                    ],
                },
                {
                    "kind": "commitment",
                    # Its own message: My notes says "My commitment" with a plural.
                    "prompt": pgettext_lazy("the reflection's last step", "My commitment"),
                    "help_text": _(
                        "Where will you step back, and what will you do instead? "
                        "Be specific: a meeting, a customer, a date."
                    ),
                },
            ],
        },
        {
            "kind": "pattern",
            "title": _("Where this room plays hero"),
            "instructions": _(
                "Nobody's answers are shown here, only how many of the room recognised each "
                "situation and each cost. Look around: you are not alone."
            ),
            "duration_minutes": 10,
            "source": 1,
        },
        {
            "kind": "discussion",
            "title": _("At your table"),
            "instructions": _(
                "Share what you noticed, as much as you want to. Post the takeaways your "
                "table wants the room to hear."
            ),
            "duration_minutes": 20,
            "moderated": False,
        },
        {
            "kind": "shareout",
            "title": _("With the room"),
            "instructions": _(
                "Volunteers share. Give a +1 to the takeaways from other tables that hit home."
            ),
            "duration_minutes": 15,
            "source": 3,
            "order_by_votes": False,
            "votes_hidden": False,
        },
        {
            "kind": "slide",
            "title": _("Thank you"),
            "instructions": _(
                "Open “My notes” on your phone to keep your reflection, your commitment and "
                "your table's takeaways."
            ),
        },
    ]


BUILT_IN = {HERO_TO_HERO_MAKER: (_("Hero to hero-maker"), _hero_to_hero_maker)}

DEFAULT_AGENDA = [
    {
        "kind": "discussion",
        "title": _("Table discussion"),
        "instructions": _("Post your table's takeaways."),
    }
]


def built_in_agenda(key: str) -> list[dict]:
    return _as_text(BUILT_IN[key][1]())


def _as_text(agenda: list[dict]) -> list[dict]:
    """Lazy translations become the words of the language in use when the workshop is made."""

    def text(value):
        if isinstance(value, list):
            return [text(item) for item in value]
        if isinstance(value, dict):
            return {key: text(item) for key, item in value.items()}
        return value if value is None or isinstance(value, int) else str(value)

    return text(agenda)


def default_agenda() -> list[dict]:
    return _as_text(DEFAULT_AGENDA)


def serialise(workshop) -> list[dict]:
    activities = list(workshop.activities.prefetch_related("steps"))
    index = {activity.pk: i for i, activity in enumerate(activities)}
    return [
        {
            "kind": activity.kind,
            "title": activity.title,
            "instructions": activity.instructions,
            "duration_minutes": activity.duration_minutes,
            "source": index.get(activity.source_id),
            **{name: getattr(activity, name) for name in options_of(activity.kind)},
            "steps": [
                {
                    "kind": step.kind,
                    "prompt": step.prompt,
                    "help_text": step.help_text,
                    "options": list(step.options),
                    "scale_top": step.scale_top,
                }
                for step in activity.steps.all()
            ],
        }
        for activity in activities
    ]
