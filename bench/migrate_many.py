"""`migrate_tenants` over many companies: nothing to apply (--force), and one new AddField migration.

    .venv/bin/python bench/migrate_many.py [--companies 1000] [--rounds 3] [--jobs 2] [--skip-addfield]

Companies are made by the provisioning service (`company_create`) in a throw-away master database
and tenant folder, by a separate process. Every figure is a run of `manage.py migrate_tenants` as
its own process (Django's start-up included), timed from outside; the command's own "Done in"
figure and the CPU time of the command and its worker processes are printed beside it (the CPU
time is what other jobs on the machine cannot inflate).
- Nothing to apply: `migrate_tenants --force` (migrate runs on every company although all are up
  to date), with 1 worker and with `--jobs`; and without --force (recorded as up to date: skipped).
- AddField: a copy of the project's tree (without .venv and .git) in the temporary folder, where
  a nullable field is added to doctors.Doctor and `makemigrations` writes its migration; each
  round makes a fresh set of companies with the project as it is, then runs the copy's
  `migrate_tenants --jobs N` with the project's Python. The copy is removed afterwards.
Goals after the core's rewrite: no-op <= 5 s, AddField <= 15 s with --jobs 2 (django-tenants took
51.2 s for the AddField earlier on this machine; history only, not measured here).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

DONE = re.compile(r"Done in ([0-9.]+) ?s")
TREE_IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.pyc", "*.db", "*.db-wal", "*.db-shm", "staticfiles", ".pytest_cache", ".env"
)
NEW_FIELD = "    bench_extra = models.IntegerField(null=True, blank=True)  # added by bench/migrate_many.py\n"


def make_set(folder: Path, companies: int) -> float:
    """Make `companies` companies under `folder` in a separate process; return the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--make", str(folder), "--companies", str(companies)], check=True, cwd=scale.ROOT
    )
    return time.perf_counter() - started


def made_here(folder: Path, companies: int) -> None:
    scale.bench_environment(folder)
    scale.setup_django()
    scale.make_companies(companies)


@dataclass
class Run:
    wall: float  # seconds, Django's start-up included
    own: float | None  # the command's "Done in" figure
    cpu: float  # CPU seconds of the command and its worker processes
    output: str


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def migrate_tenants(tree: Path, folder: Path, *options: str) -> Run:
    """Run `tree`'s migrate_tenants on `folder`'s companies and time it."""
    env = scale.bench_environment(folder)
    started, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate_tenants", *options],
        cwd=tree,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise SystemExit(f"migrate_tenants {' '.join(options)} failed:\n{tail}")
    found = DONE.search(result.stdout)
    return Run(wall, float(found.group(1)) if found else None, cpu, result.stdout)


def copy_with_new_field(tree: Path, folder: Path) -> Path:
    """Copy the project to `tree`, add a nullable field to doctors.Doctor and make its migration; return it."""
    shutil.copytree(scale.ROOT, tree, ignore=TREE_IGNORED)
    models = tree / "doctors" / "models.py"
    lines = models.read_text().splitlines(keepends=True)
    at = next((n for n, line in enumerate(lines) if re.match(r"class Doctor\(", line)), None)
    if at is None:
        raise SystemExit("no `class Doctor(` in doctors/models.py: update bench/migrate_many.py")
    lines.insert(at + 1, NEW_FIELD)
    models.write_text("".join(lines))
    before = set((tree / "doctors" / "migrations").glob("*.py"))
    env = scale.bench_environment(folder)
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "doctors", "--name", "bench_extra", "--verbosity", "0"],
        cwd=tree,
        env={**os.environ, **env},
        check=True,
    )
    made = set((tree / "doctors" / "migrations").glob("*.py")) - before
    if len(made) != 1:
        raise SystemExit(f"makemigrations made {len(made)} migrations instead of one")
    return made.pop()


def line(label: str, runs: list[Run]) -> None:
    own = [run.own for run in runs if run.own is not None]
    own_text = f"{scale.spread(own):>24}" if own else f"{'—':>24}"
    print(
        f"{label:<46} {scale.spread(run.wall for run in runs):>24} {own_text} "
        f"{scale.spread(run.cpu for run in runs):>24}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="workers of the parallel runs (default 2)")
    parser.add_argument("--skip-addfield", action="store_true", help="measure the no-op runs only")
    parser.add_argument("--make", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        made_here(Path(args.make), args.companies)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-migrate-many-"))
    try:
        noop_set = workdir / "noop"
        made = make_set(noop_set, args.companies)
        print(f"made {args.companies} companies with company_create in {made:.1f} s (a separate process)", flush=True)
        runs: dict[str, list] = {}
        for _round in range(args.rounds):  # interleaved, so a load change on the machine hits each kind
            for label, options in (
                ("no-op, --force, 1 worker", ["--force"]),
                (f"no-op, --force, --jobs {args.jobs}", ["--force", "--jobs", str(args.jobs)]),
                ("no-op without --force (skipped as up to date)", []),
            ):
                runs.setdefault(label, []).append(migrate_tenants(scale.ROOT, noop_set, *options))
                print(f"  {label}: {runs[label][-1].wall:.1f} s", file=sys.stderr, flush=True)
        shutil.rmtree(noop_set)

        if not args.skip_addfield:
            tree = workdir / "tree"
            migration = copy_with_new_field(tree, workdir / "scratch")
            label = f"AddField ({migration.stem}), --jobs {args.jobs}"
            for round_ in range(args.rounds):
                folder = workdir / f"addfield-{round_}"
                make_set(folder, args.companies)
                run = migrate_tenants(tree, folder, "--jobs", str(args.jobs))
                if f"{args.companies} ok" not in run.output:
                    raise SystemExit(f"the AddField run did not migrate every company:\n{run.output[-2000:]}")
                runs.setdefault(label, []).append(run)
                print(f"  {label}: {run.wall:.1f} s", file=sys.stderr, flush=True)
                shutil.rmtree(folder)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nmigrate_tenants over {args.companies} companies (SQLite), median of {args.rounds} runs (min–max)")
    print(f"{'':46} {'wall clock':>24} {'its own Done in':>24} {'CPU, all its processes':>24}")
    for label, measured in runs.items():
        line(label, measured)
    print("goals after the rewrite: no-op <= 5 s, AddField with --jobs 2 <= 15 s (django-tenants: 51.2 s, history)")
    print(scale.machine_line())


if __name__ == "__main__":
    main()
