"""`icn backup` and `icn restore`: the demo network and its uploads come back whole; a damaged
or foreign archive, and a restore over data without --force, are refused with nothing changed.

The database engine is the one of the test run: SQLite (the online backup API) by default,
pg_dump and pg_restore when DATABASE_URL points to PostgreSQL. A restore replaces the whole
database, so these tests commit for real (`transaction=True`) and get the migrated database
back after each test (`serialized_rollback`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from icn.accounts.models import Membership, User
from icn.core.backup import BackupError, TableSummary, restore_backup, table_summaries
from icn.directory.models import Cluster, Organisation, Person
from icn.knowledge import services as library
from icn.knowledge.models import DocumentVersion, KnowledgeDocument
from icn.matching.index import drop_indexes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "ICN_MATCHING_EMBEDDER": "hashing",
}
NOTES = "# Harbour pilots\n\nAmmonia bunkering in Aarhus: første fuldskala-pilot, 2026.\n".encode()
COUNTED = [User, Membership, Cluster, Organisation, Person, KnowledgeDocument, DocumentVersion]


@dataclass(frozen=True)
class DemoBackup:
    """An archive of the demo network, and what the platform held when it was made."""

    archive: Path
    tables: dict[str, TableSummary]
    counts: dict[str, int]
    files: dict[str, bytes]


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


def files_under(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def back_to_the_migrated_database() -> None:
    """What pytest-django's serialized rollback does between tests."""
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture(scope="module")
def demo_backup(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[DemoBackup]:
    """The demo network and a library upload, backed up once with `icn backup`."""
    media = tmp_path_factory.mktemp("media")
    archive = tmp_path_factory.mktemp("backups") / "demo.tar.gz"
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, **FAST):
        back_to_the_migrated_database()
        call_command("demo", "--force", stdout=StringIO())
        member = User.objects.get(email="member.clean@icn.example")
        library.document_create(
            actor=member,
            title="Harbour pilots",
            kind="report",
            organisation=Membership.objects.get(user=member).organisation,
            upload=SimpleUploadedFile("notes.md", NOTES),
        )
        call_command("backup", "--output", str(archive), stdout=out)
        demo = DemoBackup(archive, table_summaries(DEFAULT_DB_ALIAS), counts(), files_under(media))
        back_to_the_migrated_database()
        drop_indexes()
    assert out.getvalue().startswith(f"Wrote {archive}\n")
    assert NOTES in demo.files.values()
    yield demo


@pytest.fixture(name="media")
def media_fixture(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_demo_network_and_its_uploads_come_back_whole_after_a_wipe_and_after_changes(
    demo_backup: DemoBackup, media: Path, settings: Any
) -> None:
    # A wiped platform: the database as the migrations made it, no uploaded files. It holds no
    # data, so no --force is needed.
    out = StringIO()
    call_command("restore", str(demo_backup.archive), stdout=out)
    assert "counts and checksums match its manifest" in out.getvalue()
    assert table_summaries(DEFAULT_DB_ALIAS) == demo_backup.tables
    assert counts() == demo_backup.counts
    assert files_under(media) == demo_backup.files
    member = User.objects.get(email="member.clean@icn.example")
    assert member.check_password(settings.ICN_DEMO_PASSWORD)

    # Changes after the backup: renamed, deleted, added rows; an upload overwritten; a stray file.
    organisation = Organisation.objects.order_by("pk").first()
    assert organisation is not None
    Organisation.objects.filter(pk=organisation.pk).update(name="Renamed after the backup")
    Person.objects.filter(user__isnull=True).order_by("-pk")[0].delete()
    User.objects.create_user("newcomer@icn.example", "a-long-test-password")
    upload = DocumentVersion.objects.get(document__title="Harbour pilots").file.path
    Path(upload).write_bytes(b"overwritten")
    (media / "stray.txt").write_bytes(b"not in the backup")
    assert table_summaries(DEFAULT_DB_ALIAS) != demo_backup.tables

    result = restore_backup(demo_backup.archive, force=True)
    assert table_summaries(DEFAULT_DB_ALIAS) == demo_backup.tables
    assert counts() == demo_backup.counts
    assert not User.objects.filter(email="newcomer@icn.example").exists()
    assert files_under(media) == demo_backup.files | {"stray.txt": b"not in the backup"}
    assert result.other_files == ["stray.txt"]


def test_the_manifest_lists_engine_migrations_and_every_table_and_file_with_checksums(
    demo_backup: DemoBackup,
) -> None:
    # The engine's own format: SQLite's backup API copies the database file, pg_dump writes
    # its custom-format archive.
    dump, magic = {
        "sqlite": ("database/icn.sqlite3", b"SQLite format 3\x00"),
        "postgresql": ("database/icn.pgdump", b"PGDMP"),
    }[connection.vendor]
    with tarfile.open(demo_backup.archive) as tar:
        names = tar.getnames()
        member = tar.extractfile("manifest.json")
        database = tar.extractfile(dump)
        assert member is not None and database is not None
        manifest = json.loads(member.read())
        assert database.read(len(magic)) == magic
    assert manifest["engine"] == connection.vendor
    assert manifest["database"] == dump
    applied = MigrationRecorder(connection).applied_migrations()
    assert sorted((app, name) for app, ns in manifest["migrations"].items() for name in ns) == (
        sorted(applied)
    )
    assert manifest["tables"] == {name: asdict(t) for name, t in demo_backup.tables.items()}
    assert manifest["tables"]["accounts_user"]["rows"] == demo_backup.counts["accounts.User"]
    assert (
        manifest["tables"]["directory_organisation"]["rows"]
        == (demo_backup.counts["directory.Organisation"])
    )
    assert manifest["files"] == {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in demo_backup.files.items()
    }
    assert [f"media/{name}" for name in demo_backup.files] == [
        name for name in names if name.startswith("media/")
    ]
    assert names[-1] == "manifest.json"


# Damaged and foreign archives ---------------------------------------------------------------


def rewrite(archive: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy an archive member by member, each changed (or left out, for None) by `change`."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            stream = source.extractfile(member)
            assert stream is not None
            data = change(member.name, stream.read())
            if data is not None:
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))


def edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[str, bytes], bytes]:
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def truncated(archive: Path, target: Path) -> None:
    target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])


def flipped(archive: Path, target: Path) -> None:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))


def foreign(archive: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as out:
        info = tarfile.TarInfo("notes/readme.txt")
        info.size = 5
        out.addfile(info, io.BytesIO(b"hello"))


def database_damaged(archive: Path, target: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if not name.startswith("database/"):
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    rewrite(archive, target, change)


def upload_missing(archive: Path, target: Path) -> None:
    rewrite(archive, target, lambda name, data: None if name.startswith("media/") else data)


def without_manifest(archive: Path, target: Path) -> None:
    rewrite(archive, target, lambda name, data: None if name == "manifest.json" else data)


def from_a_newer_version(archive: Path, target: Path) -> None:
    future = edit_manifest(lambda manifest: manifest["migrations"]["directory"].append("9999_x"))
    rewrite(archive, target, future)


def of_the_other_engine(archive: Path, target: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite(archive, target, edit_manifest(lambda manifest: manifest.update(engine=other)))


# Each damage, and what the refusal says (after "Refused <archive>: ").
DAMAGES: dict[Callable[[Path, Path], None], str] = {
    truncated: r"it cannot be read as a \.tar\.gz archive",
    flipped: "",
    foreign: "it holds 'notes/readme.txt', so it is not a backup of the platform",
    database_damaged: r"database/icn\.\w+ is damaged",
    upload_missing: r"media/library/.+, listed in its manifest, is missing",
    without_manifest: r"it has no manifest\.json",
    from_a_newer_version: r"newer version of the platform: migrations directory\.9999_x",
    of_the_other_engine: "database and this platform runs on",
}


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda damage: damage.__name__)
def test_a_damaged_or_foreign_archive_is_refused_and_nothing_changes(
    damage: Callable[[Path, Path], None], demo_backup: DemoBackup, media: Path, tmp_path: Path
) -> None:
    User.objects.create_user("someone@icn.example", "a-long-test-password")
    media.mkdir()
    (media / "kept.txt").write_bytes(b"kept")
    before = table_summaries(DEFAULT_DB_ALIAS)
    damaged = tmp_path / "damaged.tar.gz"
    damage(demo_backup.archive, damaged)
    refused = f"^Refused {re.escape(str(damaged))}: .*{DAMAGES[damage]}"
    with pytest.raises(BackupError, match=refused) as refusal:
        restore_backup(damaged, force=True)
    assert str(refusal.value).endswith("Nothing was changed.")
    assert table_summaries(DEFAULT_DB_ALIAS) == before
    assert files_under(media) == {"kept.txt": b"kept"}


def test_a_restore_over_a_database_that_holds_data_needs_force_and_changes_nothing_without(
    demo_backup: DemoBackup, media: Path
) -> None:
    User.objects.create_user("someone@icn.example", "a-long-test-password")
    before = table_summaries(DEFAULT_DB_ALIAS)
    with pytest.raises(CommandError, match=r"holds data \(in accounts_user\b.*--force"):
        call_command("restore", str(demo_backup.archive), stdout=StringIO())
    assert table_summaries(DEFAULT_DB_ALIAS) == before
    assert not media.exists()


def test_a_restore_whose_result_differs_from_the_manifest_fails_naming_the_table(
    demo_backup: DemoBackup, media: Path, tmp_path: Path
) -> None:
    def wrong_checksum(manifest: dict[str, Any]) -> None:
        manifest["tables"]["directory_organisation"]["sha256"] = "0" * 64

    tampered = tmp_path / "tampered.tar.gz"
    rewrite(demo_backup.archive, tampered, edit_manifest(wrong_checksum))
    with pytest.raises(BackupError, match=r"directory_organisation: .* other values") as failure:
        restore_backup(tampered)
    assert "table" in str(failure.value) and "accounts_user" not in str(failure.value)
