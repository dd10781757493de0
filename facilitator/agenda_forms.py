"""Forms of the agenda editor: activities, the steps of a solo reflection, saving a template."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workshop import agenda_templates, limits
from workshop.form_fields import LimitedTextField
from workshop.models import Activity, Step

MAX_STEPS = 30
OPTION_NAMES = agenda_templates.OPTION_NAMES  # every kind's, in the order the form shows them


class DurationInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"min": 1, "max": 480, "inputmode": "numeric", "class": "input"})


class ActivityForm(forms.Form):
    """Edits what every activity has; a share-out also picks the discussion it shows, and the
    options of its kind (agenda_templates.OPTIONS) are set here ahead of time."""

    title = LimitedTextField(limits.ACTIVITY_TITLE, label=_("Title"))
    instructions = LimitedTextField(
        limits.INSTRUCTIONS,
        label=_("Instructions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the projector and the phones while this activity runs."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=1,
        max_value=480,
        widget=DurationInput(),
        help_text=_("Optional. Used for the timer and the day's plan."),
    )
    source = forms.ModelChoiceField(
        label=_("Shows the takeaways of"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("No discussion"),
    )
    # The options, named as the Activity fields they set; each kind keeps only its own.
    order_by_votes = forms.BooleanField(
        label=_("Order by votes"),
        required=False,
        help_text=_(
            "The takeaways with the most +1s come first, on the projector and the console."
        ),
    )
    votes_hidden = forms.BooleanField(
        label=_("Hide the counts until I reveal them"),
        required=False,
        help_text=_(
            "The projector shows no +1 counts, and keeps the takeaways in the order they were "
            "posted, until you press “Reveal the counts” on the console. The console always "
            "shows the counts."
        ),
    )
    moderated = forms.BooleanField(
        label=_("Approve before showing"),
        required=False,
        help_text=_(
            "New takeaways wait for your approval before the projector and the other tables "
            "see them."
        ),
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        kwargs.setdefault("initial", self.initial_for(activity))
        super().__init__(*args, **kwargs)
        if activity.source_kind:
            self.fields["source"].queryset = activity.workshop.activities.filter(
                kind=activity.source_kind
            )
            if activity.kind == Activity.Kind.PATTERN:
                self.fields["source"].label = _("Shows the counts of")
                self.fields["source"].empty_label = _("No reflection")
        else:
            del self.fields["source"]
        if activity.kind == Activity.Kind.POLL and "votes_hidden" in self.fields:
            self.fields["votes_hidden"].label = _("Show the results only when I reveal them")
            self.fields["votes_hidden"].help_text = _(
                "The projector shows how many answered, and the results once you press “Show "
                "the results” on the console. Otherwise they show as the answers come in."
            )
        # Left out, another kind's option is neither shown nor saved (the service ignores it).
        for name in set(OPTION_NAMES) - set(agenda_templates.options_of(activity.kind)):
            del self.fields[name]

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        return {
            "title": activity.title,
            "instructions": activity.instructions,
            "duration_minutes": activity.duration_minutes,
            "source": activity.source_id,
            **{name: getattr(activity, name) for name in OPTION_NAMES},
        }

    def options(self) -> list:
        """The checkboxes of this activity's kind, in the form's order, for the template."""
        return [self[name] for name in OPTION_NAMES if name in self.fields]


class NewActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Activity.Kind.choices,
        initial=Activity.Kind.SLIDE,
        widget=forms.RadioSelect,
    )
    title = ActivityForm.base_fields["title"]
    instructions = ActivityForm.base_fields["instructions"]
    duration_minutes = ActivityForm.base_fields["duration_minutes"]


class StepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The initial kind lets an untouched blank step count as unchanged, so it is skipped.
    kind = forms.ChoiceField(label=_("Kind"), choices=Step.Kind.choices, initial=Step.Kind.TEXT)
    prompt = LimitedTextField(limits.STEP_PROMPT, label=_("Prompt"))
    help_text = LimitedTextField(
        limits.HELP_TEXT,
        label=_("Help text (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    options = forms.CharField(
        label=_("Checklist options, one per line"),
        help_text=_("For a scale: the words for its two ends, one per line (optional)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    scale_top = forms.TypedChoiceField(
        label=_("Scale"),
        choices=Step._meta.get_field("scale_top").choices,
        coerce=int,
        initial=5,
        required=False,  # a form posted without it (an older page) keeps 1 to 5
        empty_value=5,
        help_text=_("For a scale: its points."),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["options"] = [
            line.strip() for line in cleaned.get("options", "").splitlines() if line.strip()
        ]
        if (
            cleaned.get("kind") in (Step.Kind.CHECKLIST, Step.Kind.CHOICE)
            and not cleaned["options"]
        ):
            self.add_error("options", _("A checklist needs at least one option."))
        if cleaned.get("kind") == Step.Kind.SCALE and len(cleaned["options"]) not in (0, 2):
            self.add_error("options", _("A scale names both its ends, or neither."))
        return cleaned

    @staticmethod
    def initial_for(step: Step) -> dict:
        return {
            "id": step.pk,
            "kind": step.kind,
            "prompt": step.prompt,
            "help_text": step.help_text,
            "options": "\n".join(step.options),
            "scale_top": step.scale_top,
        }


class QuestionForm(StepForm):
    """A poll's one question: what the room answers in a tap."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Step.Kind.CHOICE, _("One choice")),
            (Step.Kind.CHECKLIST, _("Several choices")),
            (Step.Kind.SCALE, _("Scale")),
            (Step.Kind.WORD, _("One word")),
        ],
        initial=Step.Kind.CHOICE,
    )
    prompt = LimitedTextField(limits.STEP_PROMPT, label=_("Question"))
    options = forms.CharField(
        label=_("Answers to choose from, one per line"),
        help_text=_("For a scale: the words for its two ends, one per line (optional)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# What the agenda service takes of each step.
STEP_FIELDS = ("id", "kind", "prompt", "help_text", "options", "scale_top")

StepFormSet = forms.formset_factory(
    StepForm, extra=1, can_delete=True, max_num=MAX_STEPS, validate_max=True
)


# A poll asks one question: the formset shows it, or a blank one to fill in.
QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, max_num=1, validate_max=True)


def steps_in_order(formset, move: str = "") -> list[dict]:
    """The steps to keep, in their new order: `move` is "<form index>:up" or "<form index>:down"."""
    kept = [
        (index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    index, _sep, direction = move.partition(":")
    positions = [i for i, _data in kept]
    # isdecimal, not isdigit: "²" is a digit that int() does not read.
    if index.isdecimal() and int(index) in positions and direction in ("up", "down"):
        here = positions.index(int(index))
        there = here - 1 if direction == "up" else here + 1
        if 0 <= there < len(kept):
            kept[here], kept[there] = kept[there], kept[here]
    return [{key: data.get(key) for key in STEP_FIELDS} for _i, data in kept]


class SaveTemplateForm(forms.Form):
    name = LimitedTextField(limits.TEMPLATE_NAME, label=_("Template name"))
