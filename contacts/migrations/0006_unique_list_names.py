"""List names become unique per account (ignoring case).

Existing duplicates are renamed first: the oldest list keeps its name, later ones get
" (2)", " (3)"... so nothing is lost and the constraint can be added.
"""

import django.db.models.functions.text
from django.db import migrations, models


def rename_duplicates(apps, schema_editor):
    ContactList = apps.get_model("contacts", "ContactList")
    taken: dict[int, set[str]] = {}
    for contact_list in ContactList.objects.order_by("account_id", "id").iterator():
        names = taken.setdefault(contact_list.account_id, set())
        name, number = contact_list.name, 1
        while name.lower() in names:
            number += 1
            suffix = f" ({number})"
            name = contact_list.name[: 255 - len(suffix)] + suffix
        names.add(name.lower())
        if name != contact_list.name:
            ContactList.objects.filter(pk=contact_list.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_suppressions"),
        ("skylight", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contactlist",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                models.F("account"),
                name="unique_list_name_per_account",
            ),
        ),
    ]
