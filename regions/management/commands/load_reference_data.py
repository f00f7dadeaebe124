import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from regions.models import City, Clinic, Region, Specialization
from regions.services import reference_names_changed

NAME_FIELDS = ("name_az", "name_en", "name_ru")
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "azerbaijan.json"


class Command(BaseCommand):
    help = (
        "Load Azerbaijan's regions, cities and districts, specializations and example clinics into "
        "the master database. Idempotent: rows are matched by code, missing ones are added, and "
        "nothing is ever deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="A JSON file of the same shape.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also overwrite names of existing rows with the file's (by default, edits made in the admin are kept).",
        )

    def handle(self, *args, file: Path, update: bool, **options) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read reference data from {file}: {error}") from error
        self.renamed: dict[type, set[int]] = {}
        with transaction.atomic():
            regions = self.load(Region, data["regions"], update=update)
            cities = self.load(
                City, [row for row in data["cities"] if not row.get("parent")], update=update, region=regions
            )
            cities.update(
                self.load(
                    City,
                    [row for row in data["cities"] if row.get("parent")],
                    update=update,
                    region=regions,
                    parent=cities,
                )
            )
            self.load(Specialization, data["specializations"], update=update)
            self.load(Clinic, data["clinics"], update=update, city=cities)
        for model, ids in self.renamed.items():
            for failure in reference_names_changed(model=model, ids=ids):
                self.stderr.write(f"Not refreshed, run refresh_doctor_search for it: {failure}")

    def load(self, model, rows: list[dict], *, update: bool, **lookups: dict) -> dict:
        """Create missing rows by code; return every row of the file by code."""
        existing = {obj.code: obj for obj in model.objects.filter(code__in=[row["code"] for row in rows])}
        created = updated = 0
        for row in rows:
            values = {key: lookups[key][value] if key in lookups else value for key, value in row.items()}
            obj = existing.get(row["code"])
            if obj is None:
                obj = model(**values)
                obj.full_clean()
                obj.save()
                existing[obj.code] = obj
                created += 1
            elif update and any(getattr(obj, key) != value for key, value in values.items()):
                if any(getattr(obj, name) != values.get(name, getattr(obj, name)) for name in NAME_FIELDS):
                    self.renamed.setdefault(model, set()).add(obj.pk)
                for key, value in values.items():
                    setattr(obj, key, value)
                obj.full_clean()
                obj.save()
                updated += 1
        self.stdout.write(f"{model._meta.verbose_name_plural}: {len(rows)} in file, {created} added, {updated} updated")
        return existing
