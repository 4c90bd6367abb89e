"""Copying the database out and back in, per engine.

SQLite: the online backup API of sqlite3, page by page, safe while the server writes (in WAL
mode readers and the copy never block writers). PostgreSQL: pg_dump in its custom format and
pg_restore, with the connection settings of the Django database they serve.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from icn.core.backup.manifest import BackupError

DUMP_NAMES = {"sqlite": "database/icn.sqlite3", "postgresql": "database/icn.pgdump"}
VERSION_QUERIES = {"sqlite": "SELECT sqlite_version()", "postgresql": "SHOW server_version"}
# Connection options of psycopg that the PostgreSQL client tools read from the environment.
PG_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def engine_of(using: str) -> str:
    """The database's engine as the manifest names it: "sqlite" or "postgresql"."""
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL databases, not {vendor}.")
    return vendor


def engine_version(using: str) -> str:
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_QUERIES[engine_of(using)])
        return str(cursor.fetchone()[0])


@contextmanager
def read_snapshot(using: str) -> Iterator[str]:
    """Hold one read transaction, so that the dump and the checksums taken inside see the same
    rows while others write. Yields PostgreSQL's snapshot id for pg_dump (empty for SQLite)."""
    connection = connections[using]
    if engine_of(using) == "sqlite":
        connection.ensure_connection()
        raw: Any = connection.connection
        if raw.in_transaction:  # an enclosing transaction already fixes what is seen
            yield ""
            return
        raw.execute("BEGIN DEFERRED")
        try:
            raw.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts
            yield ""
        finally:
            raw.execute("ROLLBACK")
        return
    if connection.in_atomic_block:
        raise BackupError("A backup of PostgreSQL runs outside a transaction, in a snapshot.")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        yield snapshot


def dump_database(using: str, target: Path, snapshot: str) -> None:
    """Write the database to target: a SQLite file, or a pg_dump archive (custom format)."""
    connection = connections[using]
    if engine_of(using) == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            # One self-contained file, whatever the journal mode of the live database.
            copy.execute("PRAGMA journal_mode=DELETE")
        return
    command = ["pg_dump", "--format=custom", "--file", str(target)]
    if snapshot:
        command += ["--snapshot", snapshot]
    _run([*command, "--dbname", _pg_name(connection.settings_dict)], connection.settings_dict)


def check_dump(engine: str, dump: Path) -> None:
    """Refuse a dump the engine cannot read, before anything is overwritten with it."""
    if engine == "sqlite":
        try:
            with closing(sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)) as copy:
                result = copy.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"its database is not a readable SQLite file ({error}).") from error
        if result != [("ok",)]:
            raise BackupError(f"its database fails SQLite's integrity check: {result[:3]}.")
        return
    _run(["pg_restore", "--list", str(dump)], {})


def restore_database(using: str, dump: Path) -> None:
    """Replace the database's contents with the dump."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A restore runs outside a transaction.")
    # A fresh connection afterwards: nothing cached from the database that was replaced (an
    # in-memory SQLite database, which lives only in its connection, is kept open by Django).
    connection.close()
    if engine_of(using) == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)) as source:
            source.backup(connection.connection)
        return
    # One transaction: if anything fails, the database stays as it was.
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    command += ["--exit-on-error", "--dbname", _pg_name(connection.settings_dict), str(dump)]
    _run(command, connection.settings_dict)


def _pg_name(settings_dict: dict[str, Any]) -> str:
    name = settings_dict.get("NAME")
    if not name:
        raise BackupError("The PostgreSQL database has no NAME in its settings.")
    return str(name)


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment of a client tool: the password never appears on a command line."""
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in PG_OPTION_VARIABLES.items():
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def _run(command: list[str], settings_dict: dict[str, Any]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} is not installed: it comes with PostgreSQL's client tools "
            "(the postgresql-client package); its major version must be at least the server's."
        )
    result = subprocess.run(
        [program, *command[1:]],
        env=_pg_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.strip()[-2000:] or f"exit status {result.returncode}"
        raise BackupError(f"{command[0]} failed: {message}")
