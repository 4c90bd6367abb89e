from django.db import migrations


def forwards(apps, schema_editor):
    from icn.directory.taxonomy import seed_topics

    seed_topics(apps.get_model("directory", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
