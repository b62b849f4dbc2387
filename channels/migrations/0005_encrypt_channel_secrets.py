import channels.fields
from django.db import migrations


def seal_stored_secrets(apps, schema_editor):
    """Re-writes every config through the sealing field: plaintext secrets become tokens."""
    Channel = apps.get_model("messaging_channels", "Channel")
    for channel in Channel.objects.using(schema_editor.connection.alias).iterator():
        Channel.objects.filter(pk=channel.pk).update(config=channel.config)


def unseal_stored_secrets(apps, schema_editor):
    """Going back: store the configs in plain JSON again (the field reads them unsealed)."""
    Channel = apps.get_model("messaging_channels", "Channel")
    table = Channel._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for channel in Channel.objects.using(schema_editor.connection.alias).iterator():
            plain = schema_editor.connection.ops.adapt_json_value(channel.config, None)
            cursor.execute(f"UPDATE {table} SET config = %s WHERE id = %s", [plain, channel.pk])


class Migration(migrations.Migration):

    dependencies = [
        ('messaging_channels', '0004_channel_unavailable'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channel',
            name='config',
            field=channels.fields.SecretsJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seal_stored_secrets, unseal_stored_secrets),
    ]
