from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL searches with its own full-text functions; no table needed.
    from icn.opportunities.search import sqlite_index_sql

    for statement in sqlite_index_sql():
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from icn.opportunities.search import sqlite_drop_sql

    for statement in sqlite_drop_sql():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
