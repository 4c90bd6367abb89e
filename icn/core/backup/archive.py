"""One archive (.tar.gz) with the database, the uploaded files and a manifest; and back.

Layout: `database/icn.sqlite3` or `database/icn.pgdump`, `media/<path under MEDIA_ROOT>`, and
`manifest.json` (written last, once every hash is known). A restore unpacks and checks all of
it before it touches anything, and checks the result against the manifest afterwards.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, cast

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from icn.core.backup.checksums import (
    FileSummary,
    TableSummary,
    hash_file,
    media_files,
    table_summaries,
    tables_holding_data,
)
from icn.core.backup.engines import (
    DUMP_NAMES,
    check_dump,
    dump_database,
    engine_of,
    engine_version,
    read_snapshot,
    restore_database,
)
from icn.core.backup.manifest import (
    NAME as MANIFEST_NAME,
)
from icn.core.backup.manifest import (
    BackupError,
    Manifest,
    migration_problem,
    migration_state,
)

DATABASE, MEDIA = "database", "media"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class BackupResult:
    """Where a backup was written and what it holds."""

    path: Path
    manifest: Manifest
    archive_size: int
    seconds: float

    def summary(self) -> str:
        m = self.manifest
        return (
            f"{m.engine} database: {m.rows} rows in {len(m.tables)} tables; {len(m.files)} "
            f"files ({_size(m.file_bytes)}); archive {_size(self.archive_size)}; "
            f"{self.seconds:.1f} s."
        )


@dataclass(frozen=True)
class RestoreResult:
    """What a restore brought back; files found under MEDIA_ROOT that the archive lacks."""

    path: Path
    manifest: Manifest
    other_files: list[str]
    seconds: float

    def summary(self) -> str:
        m = self.manifest
        summary = (
            f"{m.rows} rows in {len(m.tables)} tables and {len(m.files)} files "
            f"({_size(m.file_bytes)}) from the backup of {m.created_at}; counts and checksums "
            f"match its manifest; {self.seconds:.1f} s."
        )
        if self.other_files:
            summary += (
                f" {len(self.other_files)} files under MEDIA_ROOT that the backup does not "
                "hold were left in place."
            )
        return summary


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.1f} kB"


def default_output() -> Path:
    """A new, timestamped archive under var/backups/."""
    folder = Path(settings.VAR_DIR) / "backups"
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%SZ")
    path, number = folder / f"icn-{stamp}.tar.gz", 2
    while path.exists():
        path, number = folder / f"icn-{stamp}-{number}.tar.gz", number + 1
    return path


# Backup -------------------------------------------------------------------------------------


def create_backup(
    *, output: Path | None = None, using: str = DEFAULT_DB_ALIAS, media_root: Path | None = None
) -> BackupResult:
    """Write the database, the files under MEDIA_ROOT and a manifest into one new archive.

    Safe while the platform runs: the dump and the checksums come from one read snapshot.
    The archive holds personal data and password hashes, so only its owner may read it.
    """
    started = time.perf_counter()
    engine = engine_of(using)
    root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    path = Path(output) if output is not None else default_output()
    if path.exists():
        raise BackupError(f"{path} exists already; choose another --output.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix="icn-backup-") as scratch:
        dump = Path(scratch) / PurePosixPath(DUMP_NAMES[engine]).name
        with read_snapshot(using) as snapshot:
            created_at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
            dump_database(using, dump, snapshot)
            tables = table_summaries(using)
            migrations = migration_state(using)
            version = engine_version(using)

        def manifest_for(database_file: FileSummary, files: dict[str, FileSummary]) -> Manifest:
            return Manifest(
                created_at=created_at,
                engine=engine,
                engine_version=version,
                django=django.get_version(),
                migrations=migrations,
                database=DUMP_NAMES[engine],
                database_file=database_file,
                tables=tables,
                files=files,
            )

        try:
            manifest = _write_archive(partial, dump, DUMP_NAMES[engine], root, manifest_for)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(
        path=path,
        manifest=manifest,
        archive_size=path.stat().st_size,
        seconds=time.perf_counter() - started,
    )


class _HashingReader:
    """Hashes what tarfile reads from a file, so each file is read once."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> FileSummary:
    with path.open("rb") as stream:
        info = tar.gettarinfo(arcname=arcname, fileobj=stream)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        reader = _HashingReader(stream)
        tar.addfile(info, cast(IO[bytes], reader))
    return FileSummary(size=info.size, sha256=reader.digest.hexdigest())


def _write_archive(
    partial: Path,
    dump: Path,
    dump_name: str,
    root: Path,
    manifest_for: Callable[[FileSummary, dict[str, FileSummary]], Manifest],
) -> Manifest:
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        os.fdopen(descriptor, "wb") as stream,
        tarfile.open(fileobj=stream, mode="w:gz", compresslevel=COMPRESS_LEVEL) as tar,
    ):
        database_file = _add_file(tar, dump, dump_name)
        files = {
            name: _add_file(tar, root / name, f"{MEDIA}/{name}")
            for name in media_files(root)
            if (root / name).resolve() != partial.resolve()
        }
        manifest = manifest_for(database_file, files)
        raw = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mode, info.mtime = len(raw), 0o600, int(time.time())
        tar.addfile(info, io.BytesIO(raw))
    return manifest


# Restore ------------------------------------------------------------------------------------


def restore_backup(
    archive: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
) -> RestoreResult:
    """Replace the database and the archived files with the archive's, then prove it.

    Refused, with nothing changed: an archive that is damaged or not a backup of the
    platform, one of another engine or another version's migrations, and, without force, a
    database that holds data. After the restore, every table's rows and checksum and every
    file's hash must equal the manifest's, or it fails naming what differs.
    """
    started = time.perf_counter()
    archive = Path(archive)
    root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    engine = engine_of(using)
    with tempfile.TemporaryDirectory(prefix="icn-restore-") as scratch:
        unpacked = Path(scratch)
        try:
            manifest = _unpack_and_check(archive, unpacked, engine)
        except BackupError as error:
            raise BackupError(f"Refused {archive}: {error} Nothing was changed.") from error
        if not force:
            holding = tables_holding_data(using)
            if holding:
                more = len(holding) - 1
                others = f" and {more} other table{'s' if more > 1 else ''}" if more else ""
                raise BackupError(
                    f"The database holds data (in {holding[0]}{others}); a restore replaces "
                    "all of it. Nothing was changed. Run again with --force to overwrite it."
                )
        restore_database(using, unpacked / manifest.database)
        try:
            for name in manifest.files:
                _put_file(unpacked / MEDIA / name, root / name)
        except OSError as error:
            raise BackupError(
                f"The database was restored, but the files could not be written under "
                f"{root} ({error}). Free the space or fix the permissions and restore again "
                "with --force."
            ) from error
    ContentType.objects.clear_cache()  # ids of the restored database, not the replaced one
    differences = _differences(manifest, table_summaries(using), root)
    if differences:
        raise BackupError(
            f"The restored data differs from the manifest of {archive}:\n  "
            + "\n  ".join(differences[:20])
        )
    return RestoreResult(
        path=archive,
        manifest=manifest,
        other_files=[name for name in media_files(root) if name not in manifest.files],
        seconds=time.perf_counter() - started,
    )


def _member_name(member: tarfile.TarInfo) -> str:
    """The member's path if a backup may hold it; a foreign member is refused."""
    path = PurePosixPath(member.name)
    allowed = path.as_posix() == MANIFEST_NAME or (
        len(path.parts) >= 2 and path.parts[0] in {DATABASE, MEDIA}
    )
    if not member.isfile() or path.is_absolute() or ".." in path.parts or not allowed:
        raise BackupError(f"it holds {member.name!r}, so it is not a backup of the platform.")
    return path.as_posix()


def _unpack(archive: Path, into: Path) -> tuple[bytes, dict[str, FileSummary]]:
    """Every member written under into, with its hash; and the manifest's bytes."""
    manifest: bytes | None = None
    found: dict[str, FileSummary] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                name = _member_name(member)
                source = tar.extractfile(member)
                if (
                    source is None
                    or name in found
                    or (name == MANIFEST_NAME and manifest is not None)
                ):
                    raise BackupError(f"it holds {name!r} twice or unreadably.")
                if name == MANIFEST_NAME:
                    manifest = source.read(MAX_MANIFEST_BYTES)
                    continue
                target = into.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("xb") as out:
                    reader = _HashingReader(cast(BinaryIO, source))
                    shutil.copyfileobj(cast(IO[bytes], reader), out)
                found[name] = FileSummary(
                    size=target.stat().st_size, sha256=reader.digest.hexdigest()
                )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"it cannot be read as a .tar.gz archive ({error}).") from error
    if manifest is None:
        raise BackupError(f"it has no {MANIFEST_NAME}, so it is not a backup of the platform.")
    return manifest, found


def _unpack_and_check(archive: Path, into: Path, engine: str) -> Manifest:
    if not archive.is_file():
        raise BackupError("there is no such file.")
    raw, found = _unpack(archive, into)
    manifest = Manifest.from_json(raw)
    if manifest.engine != engine:
        raise BackupError(
            f"it holds a {manifest.engine} database and this platform runs on {engine}."
        )
    expected = {manifest.database: manifest.database_file} | {
        f"{MEDIA}/{name}": summary for name, summary in manifest.files.items()
    }
    for name, summary in sorted(expected.items()):
        if name not in found:
            raise BackupError(f"{name}, listed in its manifest, is missing.")
        if found[name] != summary:
            raise BackupError(f"{name} is damaged: its size or SHA-256 differs from the manifest.")
    unlisted = sorted(set(found) - set(expected))
    if unlisted:
        raise BackupError(f"it holds {unlisted[0]!r}, which its manifest does not list.")
    problem = migration_problem(manifest.migrations)
    if problem:
        raise BackupError(problem)
    check_dump(engine, into / manifest.database)
    return manifest


def _put_file(source: Path, target: Path) -> None:
    """Copy beside the target, then rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def _differences(manifest: Manifest, tables: dict[str, TableSummary], root: Path) -> list[str]:
    differences = []
    for name in sorted(set(manifest.tables) | set(tables)):
        want, got = manifest.tables.get(name), tables.get(name)
        if want is None:
            differences.append(f"table {name}: not in the backup")
        elif got is None:
            differences.append(f"table {name}: missing")
        elif got.rows != want.rows:
            differences.append(f"table {name}: {got.rows} rows, the backup has {want.rows}")
        elif got.sha256 != want.sha256:
            differences.append(f"table {name}: {got.rows} rows as in the backup, other values")
    for name, summary in manifest.files.items():
        path = root / name
        if not path.is_file():
            differences.append(f"file {name}: missing")
        elif hash_file(path) != summary:
            differences.append(f"file {name}: other bytes than in the backup")
    return differences
