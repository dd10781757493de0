from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0006_activity_left_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="edited_at",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
    ]
