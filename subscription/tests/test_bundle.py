"""The portable company bundle: export → import as new → export gives the same tables; hostile bundles refused."""

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError

from regions.models import City
from subscription.backups.bundle import FORMAT_VERSION, MANIFEST
from subscription.models import Company
from subscription.provisioning import tenant_database_drop
from subscription.tests.backup_helpers import contents, doctor_names, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    made = []
    yield made
    for slug in made:
        company = Company.objects.filter(slug=slug).first()
        if company is not None:
            tenant_database_drop(company)


def tables_of(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("tables/")}


def rewrite(bundle: Path, target: Path, change) -> Path:
    """A copy of `bundle` with `change(name, data) -> data | None` applied to each member (None drops it)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                out.writestr(name, data)
    return target


def test_export_import_export_gives_identical_tables(filled, tmp_path, imported):
    acme, globex = filled
    first = tmp_path / "acme.zip"
    assert "Exported" in run("export_company", acme.slug, "--out", str(first))
    with zipfile.ZipFile(first) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        assert "README.txt" in archive.namelist()
        header = archive.read("tables/doctors_doctor.csv").decode().splitlines()[0]
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["tables"]["doctors_doctor"]["rows"] == 3
    assert header.startswith("id,")
    cities = {row["id"] for row in manifest["references"]["regions_city"]["rows"]}
    assert cities and all(City.objects.filter(pk=ident).exists() for ident in cities)
    assert manifest["references"]["auth_user"]["rows"]

    imported.append("acme-again")
    assert "Imported acme-again" in run("import_company", str(first), "--as", "acme-again")
    again = Company.objects.get(slug="acme-again")
    assert contents(again) == contents(acme)
    assert doctor_names(again) == doctor_names(acme)
    second = tmp_path / "again.zip"
    run("export_company", again.slug, "--out", str(second))
    assert tables_of(second) == tables_of(first)
    assert doctor_names(globex) == ["Globexov0", "Globexov1", "Globexov2"]


@pytest.fixture
def bundle(filled, tmp_path):
    path = tmp_path / "acme.zip"
    run("export_company", filled[0].slug, "--out", str(path))
    return path


def _manifest_with(**changes):
    def change(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest.update(changes)
        return json.dumps(manifest)

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_manifest_with(format_version=FORMAT_VERSION + 1), "newer version"),
        (_manifest_with(schema={"tenant_migration_key": "x"}), "another schema state"),
        (
            lambda name, data: data.replace(b"Acmeov1", b"Acmeov9") if name == "tables/doctors_doctor.csv" else data,
            "checksum",
        ),
        (lambda name, data: None if name == "tables/sales_sale.csv" else data, "no tables/sales_sale.csv"),
        (lambda name, data: data if name != "README.txt" else data, None),
    ],
    ids=["newer format", "other schema", "changed table", "missing table", "untouched"],
)
def test_a_bad_bundle_is_refused_and_nothing_is_kept(bundle, tmp_path, change, message, imported):
    bad = rewrite(bundle, tmp_path / "bad.zip", change)
    imported.append("acme-bad")
    if message is None:
        run("import_company", str(bad), "--as", "acme-bad")
        return
    with pytest.raises(CommandError, match=message):
        run("import_company", str(bad), "--as", "acme-bad")
    assert not Company.objects.filter(slug="acme-bad").exists()


def test_missing_reference_rows_are_listed(bundle, tmp_path, imported):
    def change(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["references"]["regions_city"]["rows"].append({"id": 987654, "name": "Atlantis"})
        return json.dumps(manifest)

    with pytest.raises(CommandError, match=r"regions.City 987654 \(“Atlantis”\)"):
        run("import_company", str(rewrite(bundle, tmp_path / "refs.zip", change)), "--as", "acme-refs")
    assert not Company.objects.filter(slug="acme-refs").exists()


def test_hostile_archives_are_refused_before_anything_is_inflated(tmp_path, settings, db):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("tables/doctors_doctor.csv", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(CommandError, match="zip bomb"):
        run("import_company", str(bomb), "--as", "bomb-co")
    strange = tmp_path / "strange.zip"
    with zipfile.ZipFile(strange, "w") as archive:
        archive.writestr("../../etc/passwd", b"x")
    with pytest.raises(CommandError, match="should not"):
        run("import_company", str(strange), "--as", "strange-co")
    (tmp_path / "not.zip").write_bytes(b"not a zip at all")
    with pytest.raises(CommandError, match="not a readable company bundle"):
        run("import_company", str(tmp_path / "not.zip"), "--as", "not-co")
    assert not Company.objects.filter(slug__in=["bomb-co", "strange-co", "not-co"]).exists()


def test_size_limits_hold_for_an_honest_bundle_too(bundle, settings):
    settings.BUNDLE_MAX_UNCOMPRESSED_BYTES = 1024
    with pytest.raises(CommandError, match="unpacks to more than"):
        run("import_company", str(bundle), "--as", "big-co")
    settings.BUNDLE_MAX_BYTES = 100
    with pytest.raises(CommandError, match="larger than 0 MB"):
        run("import_company", str(bundle), "--as", "big-co")
