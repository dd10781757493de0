import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0015_languages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(
                choices=[
                    ("slide", "Slide"),
                    ("solo", "Solo reflection (private)"),
                    ("discussion", "Table discussion"),
                    ("shareout", "Share-out"),
                    ("pattern", "The room's answers"),
                ],
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="source",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind__in": ("discussion", "solo")},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="shareouts",
                to="workshop.activity",
            ),
        ),
        migrations.AddField(
            model_name="workshop",
            name="reveal_threshold",
            field=models.PositiveSmallIntegerField(
                default=5,
                validators=[
                    django.core.validators.MinValueValidator(2),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="answers needed before the room's pattern shows",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="revealed_step",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="workshop.step",
            ),
        ),
    ]
