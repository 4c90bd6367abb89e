"""A load test of the platform as production runs it: gunicorn, production settings, the demo
network, and locust's users browsing, searching, opening match suggestions and posting.

Everything is throwaway and local: a SQLite database in a temporary folder, or (with
--database-url) a PostgreSQL database created for the run on that server and dropped after
it; migrate, `demo`, `reindex`, `collectstatic`; gunicorn (ICN_DEBUG=0, a random secret key,
ALLOWED_HOSTS 127.0.0.1) on 127.0.0.1 and a free port, with the background worker beside it,
as in production; locust headless against http://127.0.0.1:PORT only
(benchmarks/load/locustfile.py). The run is bounded: locust stops after --run-time, and every
step has a time limit.

Users wait 5 to 15 s between two requests by default (--think-time). Prints JSON on stdout:
requests, failures, requests per second and exact p50/p95/p99 overall, per request group and
after the last login; the workers' own time per request (gunicorn's access log) and the
server's CPU per request (/proc); errors in the server's log; the versions, the settings and
the machine's load average before and after the run.

    .venv/bin/python benchmarks/load.py > load-sqlite.json
    .venv/bin/python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/ \\
        > load-postgresql.json
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SETUP_SECONDS = 900
READY_SECONDS = 180
PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="A PostgreSQL server on this machine (postgres://user[:password]@127.0.0.1:5432/):"
        " a database icn_load_<random> is created there for the run and dropped after it. "
        "Default: SQLite in a temporary folder.",
    )
    parser.add_argument("--users", type=int, default=50, help="Concurrent users (default 50).")
    parser.add_argument(
        "--spawn-rate", type=int, default=10, help="Users started per second (default 10)."
    )
    parser.add_argument("--run-time", type=int, default=60, help="Seconds of load.")
    parser.add_argument(
        "--think-time",
        default="5,15",
        help="Seconds a user waits between two requests, at least and at most (default 5,15).",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3).")
    parser.add_argument("--no-worker", action="store_true", help="Without `icn db_worker`.")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="ICN_DB_CONN_MAX_AGE of the server: seconds a worker keeps its database "
        "connection (default 0, the setting's default: a new connection per request).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args()
    if not 1 <= args.workers <= 8:
        parser.error("--workers: between 1 and 8")
    try:
        args.think_min, args.think_max = (float(value) for value in args.think_time.split(","))
    except ValueError:
        parser.error("--think-time: two numbers, e.g. 1,3")
    result = run(args)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="icn-load-"))
    log(f"Working in {folder}")
    try:
        with throwaway_database(args.database_url, folder) as database_url:
            env = production_environment(folder, database_url)
            env["ICN_DB_CONN_MAX_AGE"] = str(args.conn_max_age)
            static = prepare(env, folder)
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            env["ICN_SITE_URL"] = host
            with serving(env, folder, port, args) as (server_log, pids):
                cpu_before = server_cpu_seconds(pids)
                offset = server_log.stat().st_size
                access_offset = (folder / "access.log").stat().st_size
                load_before = [round(value, 2) for value in os.getloadavg()]
                stats = load(env, folder, host, args)
                errors = server_errors(server_log, offset)
                worker_times = server_times(folder / "access.log", access_offset)
                cpu = server_cpu_seconds(pids) - cpu_before
            result = {
                "date": dt.date.today().isoformat(),
                "engine": engine_description(env),
                "python": platform.python_version(),
                "gunicorn_workers": args.workers,
                "background_worker": not args.no_worker,
                "db_conn_max_age": args.conn_max_age,
                "users": args.users,
                "spawn_rate": args.spawn_rate,
                "run_time_seconds": args.run_time,
                "think_time_seconds": [args.think_min, args.think_max],
                **static,
                **stats,
                "server_log_errors": errors,
                # How long the workers themselves took (gunicorn's access log): the difference
                # to the users' times is the wait for a free worker and a CPU.
                "worker_time": worker_times,
                # CPU seconds the server's processes (gunicorn and its workers, the background
                # worker; not PostgreSQL's) used during the load, in all and per request: what
                # a request costs, whatever else the machine is doing.
                "server_cpu_seconds": round(cpu, 1),
                "server_cpu_ms_per_request": round(1000 * cpu / worker_times["requests"], 1)
                if worker_times.get("requests")
                else None,
                "cpus": os.cpu_count(),
                # The machine may be shared: its 1/5/15-minute load before and after the run.
                "load_average_before": load_before,
                "load_average_after": [round(value, 2) for value in os.getloadavg()],
            }
    finally:
        if args.keep:
            log(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def icn(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "icn.cli", *arguments]


# The database --------------------------------------------------------------------------------


@contextmanager
def throwaway_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """SQLite under folder, or a new PostgreSQL database on the server, dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{folder / 'icn.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("--database-url must be a postgres:// URL")
    if parts.hostname not in LOCAL_HOSTS:  # it creates and drops a database there
        raise SystemExit("--database-url must name a server on this machine (127.0.0.1)")
    name = f"icn_load_{secrets.token_hex(4)}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    log(f"Created PostgreSQL database {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"Dropped PostgreSQL database {name}")


def production_environment(folder: Path, database_url: str) -> dict[str, str]:
    """Production settings (icn/settings.py reads them from the environment)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ICN_", "DATABASE_URL", "DJANGO_"))
    }
    env["ICN_DEMO_PASSWORD"] = os.environ.get("ICN_DEMO_PASSWORD", "cleantech-demo")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "icn.settings",
            "ICN_DEBUG": "0",
            "ICN_SECRET_KEY": secrets.token_urlsafe(50),
            "ICN_ALLOWED_HOSTS": "127.0.0.1",
            "ICN_VAR_DIR": str(folder),  # the SQLite file, uploads and collected static files
            "ICN_STATIC_MANIFEST": "1",
            "ICN_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "ICN_EMAIL_FILE_PATH": str(folder / "mail"),
            "ICN_LOG_LEVEL": "INFO",  # the server says when its matching indexes are ready
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def prepare(env: dict[str, str], folder: Path) -> dict[str, Any]:
    """Migrate, load the demo network, encode it for matching, collect the static files.

    Returns how static files are served: with hashed names (ICN_STATIC_MANIFEST=1, as in
    production) or, when collectstatic cannot post-process them, without."""
    for arguments in (("migrate", "--noinput", "-v", "0"), ("demo", "--force"), ("reindex",)):
        step(env, folder, *arguments)
    try:
        step(env, folder, "collectstatic", "--noinput", "-v", "0")
        return {"static_manifest": True}
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or b"").decode(errors="replace").splitlines()
        reason = [line for line in lines if "Error:" in line] or lines[-1:]
        env["ICN_STATIC_MANIFEST"] = "0"
        step(env, folder, "collectstatic", "--noinput", "--clear", "-v", "0")
        return {"static_manifest": False, "static_manifest_error": "".join(reason[-1:])}


def step(env: dict[str, str], folder: Path, *arguments: str) -> None:
    started = time.perf_counter()
    subprocess.run(
        icn(*arguments),
        env=env,
        cwd=folder,
        check=True,
        timeout=SETUP_SECONDS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    log(f"icn {arguments[0]}: {time.perf_counter() - started:.0f} s")


def engine_description(env: dict[str, str]) -> str:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


# The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    env: dict[str, str], folder: Path, port: int, args: argparse.Namespace
) -> Iterator[tuple[Path, list[int]]]:
    """gunicorn on 127.0.0.1:port (and the background worker), ready when every web process
    has loaded its matching indexes; stopped on the way out."""
    server_log = folder / "server.log"
    processes: list[subprocess.Popen[bytes]] = []
    with server_log.open("ab") as output:
        command = [sys.executable, "-m", "gunicorn", "icn.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        command += ["--access-logfile", str(folder / "access.log"), "--no-control-socket"]
        command += ["--access-logformat", ACCESS_FORMAT]
        processes.append(
            subprocess.Popen(command, env=env, cwd=folder, stdout=output, stderr=output)
        )
        if not args.no_worker:
            processes.append(
                subprocess.Popen(
                    icn("db_worker"), env=env, cwd=folder, stdout=output, stderr=output
                )
            )
        try:
            wait_until_ready(port, server_log, args.workers, processes)
            yield server_log, [process.pid for process in processes]
        finally:
            for process in processes:
                with suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def server_cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes and their children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        found = children.read_text().split() if children.exists() else []
        for each in [pid, *map(int, found)]:
            with suppress(OSError):
                fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def wait_until_ready(
    port: int, server_log: Path, workers: int, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Every web process has loaded its matching indexes, and a round of concurrent requests,
    which reaches every process, is answered quickly (a process's first request also loads
    the URLs and the views it imports)."""
    deadline = time.monotonic() + READY_SECONDS
    started = time.monotonic()
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise SystemExit(f"The server stopped while starting; see {server_log}")
        text = server_log.read_text(errors="replace")
        if "Could not warm up the matching indexes" in text:
            raise SystemExit(f"A web process could not load its matching indexes: {server_log}")
        if text.count("Matching indexes ready") >= workers and slowest_of_round(port, workers) < 1:
            log(f"Server ready with {workers} warm workers in {time.monotonic() - started:.0f} s")
            return
        time.sleep(1)
    raise SystemExit(f"The server was not ready after {READY_SECONDS} s; see {server_log}")


def slowest_of_round(port: int, workers: int) -> float:
    """Seconds of the slowest of 4 concurrent requests per worker (infinite on an error)."""

    def one(_: int) -> float:
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
                response.read()
                return time.perf_counter() - began if response.status == 200 else math.inf
        except OSError:
            return math.inf

    with ThreadPoolExecutor(max_workers=4 * workers) as pool:
        return max(pool.map(one, range(4 * workers)))


# The access log says how long a worker took over each request (%(D)s, microseconds): the
# rest of what a user waits is the queue in front of the workers.
ACCESS_FORMAT = '%(t)s "%(r)s" %(s)s %(D)s'
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) (?P<us>\d+)$')


def server_times(access_log: Path, offset: int) -> dict[str, Any]:
    """Status codes and the workers' own time per request (ms) after offset."""
    with access_log.open("rb") as stream:
        stream.seek(offset)
        lines = stream.read().decode(errors="replace").splitlines()
    found = [match for line in lines if (match := ACCESS_LINE.search(line))]
    if not found:
        return {}
    times = sorted(int(match["us"]) / 1000 for match in found)
    statuses: dict[str, int] = {}
    for match in found:
        statuses[match["status"]] = statuses.get(match["status"], 0) + 1
    return {
        "requests": len(found),
        "statuses": dict(sorted(statuses.items())),
        **{key: round(percentile(times, share), 1) for key, share in PERCENTILES.items()},
        "mean": round(sum(times) / len(times), 1),
    }


# What the server logs when something goes wrong: gunicorn's errors, Django's 500s and the
# tracebacks of errors a page survives (failed suggestions are logged, not shown).
ERROR_MARKS = ("[ERROR]", "[CRITICAL]", "Internal Server Error", "Traceback")


def server_errors(server_log: Path, offset: int) -> dict[str, Any]:
    """Errors the server logged after offset (the start of the load)."""
    with server_log.open("rb") as stream:
        stream.seek(offset)
        lines = stream.read().decode(errors="replace").splitlines()
    errors = [line for line in lines if any(mark in line for mark in ERROR_MARKS)]
    return {
        "error_lines": len(errors),
        "database_locked": sum("database is locked" in line for line in lines),
        "worker_timeouts": sum("WORKER TIMEOUT" in line for line in lines),
        "first": errors[:5],
    }


# The load ------------------------------------------------------------------------------------


def load(env: dict[str, str], folder: Path, host: str, args: argparse.Namespace) -> dict[str, Any]:
    if urlsplit(host).hostname not in LOCAL_HOSTS:  # never aimed at anything but this machine
        raise SystemExit(f"Refusing to load {host}: only 127.0.0.1 is allowed.")
    prefix = folder / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
    command += ["--run-time", f"{args.run_time}s", "--stop-timeout", "10"]
    command += ["--host", host, "--csv", str(prefix), "--only-summary"]
    locust_env = {
        **env,
        "ICN_LOAD_PASSWORD": env["ICN_DEMO_PASSWORD"],
        "ICN_LOAD_THINK_TIME": f"{args.think_min},{args.think_max}",
        "ICN_LOAD_RECORD": str(folder / "requests.jsonl"),
    }
    log(f"locust: {args.users} users for {args.run_time} s against {host}")
    finished = subprocess.run(
        command,
        env=locust_env,
        cwd=folder,
        timeout=args.run_time + 120,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    (folder / "locust.log").write_bytes(finished.stdout)
    records = read_records(folder / "requests.jsonl")
    if not records:
        raise SystemExit(f"locust recorded no requests; see {folder / 'locust.log'}")
    return {
        **summary(records, args.run_time),
        "groups": {
            group: summary([r for r in records if r.group == group], args.run_time)
            for group in sorted({r.group for r in records})
        },
        "after_the_logins": after_the_logins(records),
        "locust": read_locust_totals(Path(f"{prefix}_stats.csv")),
        "failure_messages": read_failures(Path(f"{prefix}_failures.csv")),
        "locust_exit_code": finished.returncode,
    }


@dataclass(frozen=True)
class Record:
    """One request as the locustfile recorded it."""

    start: float
    group: str
    milliseconds: float
    ok: bool


def read_records(path: Path) -> list[Record]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        records.append(Record(row["start"], row["group"], row["ms"], row["ok"]))
    return sorted(records, key=lambda record: record.start)


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above `share` of them."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(records: list[Record], seconds: float) -> dict[str, Any]:
    """Requests, failures, requests per second, exact p50/p95/p99, mean and max in ms."""
    times = sorted(record.milliseconds for record in records)
    return {
        "requests": len(records),
        "failures": sum(not record.ok for record in records),
        "rps": round(len(records) / seconds, 2),
        **{key: round(percentile(times, share), 1) for key, share in PERCENTILES.items()},
        "mean": round(sum(times) / len(times), 1),
        "max": round(times[-1], 1),
    }


def after_the_logins(records: list[Record]) -> dict[str, Any]:
    """The same numbers for the requests sent after the last login was answered: the steady
    state once every user is in (each login costs an Argon2 hash, and all come at once)."""
    logins = [record for record in records if record.group == "POST login"]
    if not logins:
        return {}
    first = records[0].start
    done = max(record.start + record.milliseconds / 1000 for record in logins)
    later = [record for record in records if record.start > done]
    last = max(record.start + record.milliseconds / 1000 for record in records)
    if not later:
        return {"from_second": round(done - first, 1), "requests": 0}
    return {
        "from_second": round(done - first, 1),
        **summary(later, max(last - done, 1.0)),
    }


def read_locust_totals(path: Path) -> dict[str, Any]:
    """Locust's own totals, to check the records against (its percentiles are rounded)."""
    if not path.exists():
        return {}
    with path.open(newline="") as stream:
        overall = next(row for row in csv.DictReader(stream) if row["Name"] == "Aggregated")
    return {
        "requests": int(overall["Request Count"]),
        "failures": int(overall["Failure Count"]),
        "p95": float(overall["95%"]) if overall["95%"] not in {"", "N/A"} else None,
        "p99": float(overall["99%"]) if overall["99%"] not in {"", "N/A"} else None,
    }


def read_failures(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(newline="") as stream:
        return [
            {
                "request": f"{row['Method']} {row['Name']}",
                "error": row["Error"],
                "count": int(row["Occurrences"]),
            }
            for row in csv.DictReader(stream)
        ]


if __name__ == "__main__":
    main()
