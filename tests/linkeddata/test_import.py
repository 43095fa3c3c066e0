from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from linkeddata.models import Observation, ObservationRevision
from linkeddata.services.catalogue import do_ensure_dataset
from linkeddata.services.imports import ImportRejected, do_import_observations
from tests.linkeddata.conftest import CSV, RECYCLING

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="figures.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_maps_the_2025_recodings_and_writes_every_row(recycling, councils):
    barnsley = Observation.objects.get(dataset=recycling, area=councils["barnsley"])
    assert barnsley.value == Decimal("45.0")
    assert Observation.objects.filter(dataset=recycling).count() == 6


@pytest.mark.parametrize(
    ("row", "line", "column", "message"),
    [
        ("E09999999,Nowhere,2023/24,40.0,percent", 3, "gss_code", "unknown area code 'E09999999'"),
        ("E08000035,Leeds,2023/24,forty,percent", 3, "value", "'forty' is not a number"),
        (
            "E08000035,Leeds,2022/23,41.0,percent",
            3,
            "gss_code",
            "duplicate row: Leeds 2022/23 already given on line 2",
        ),
        ("E08000035,Leeds,2023-24,41.0,percent", 3, "period", "is not a period"),
        ("E08000035,Leeds,2023,41.0,percent", 3, "period", "is a calendar year"),
        (
            "E08000035,Leeds,2021/22,41.0,tonnes",
            3,
            "unit",
            "contradicts the measure's unit 'percent'",
        ),
        ("E07000999,Oldtown,2023/24,41.0,percent", 3, "gss_code", "was abolished on 31 March 2023"),
    ],
)
def test_a_bad_row_is_reported_with_file_line_and_column_and_nothing_is_written(
    councils, tmp_path, row, line, column, message
):
    dataset = do_ensure_dataset(RECYCLING)
    path = write(
        tmp_path,
        f"gss_code,area_name,period,value,unit\nE08000035,Leeds,2022/23,38.5,percent\n{row}\n",
    )

    with pytest.raises(ImportRejected) as rejected:
        do_import_observations(path, dataset)

    [problem] = rejected.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert message in problem.message
    assert not Observation.objects.exists()


def test_a_file_without_the_required_columns_is_rejected(councils, tmp_path):
    dataset = do_ensure_dataset(RECYCLING)
    with pytest.raises(ImportRejected) as rejected:
        do_import_observations(write(tmp_path, "code,year,amount\nE08000035,2023/24,1\n"), dataset)
    assert "missing column(s)" in str(rejected.value.problems[0])


def test_reimporting_the_same_file_changes_nothing(recycling, tmp_path):
    result = do_import_observations(write(tmp_path, CSV), recycling)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert not ObservationRevision.objects.exists()


def test_an_updated_file_updates_values_and_keeps_their_history(recycling, councils, tmp_path):
    result = do_import_observations(
        write(tmp_path, CSV.replace("40.1", "40.6"), "v2.csv"), recycling
    )

    assert (result.created, result.updated) == (0, 1)
    leeds = Observation.objects.get(
        dataset=recycling, area=councils["leeds"], period__code="2023/24"
    )
    assert leeds.value == Decimal("40.6")
    [revision] = leeds.revisions.all()
    assert (revision.value, revision.source_file) == (Decimal("40.1"), "v2.csv")


def test_command_reports_problems_and_progress(councils, tmp_path, capsys):
    do_ensure_dataset(RECYCLING)
    bad = write(tmp_path, "gss_code,period,value\nE08000035,2023/24,x\nE00000000,2023/24,1\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_benchmarks", str(bad), "--dataset", "recycling")
    assert f"{bad}, line 2, column value: 'x' is not a number" in str(failed.value)
    assert f"{bad}, line 3, column gss_code: unknown area code 'E00000000'" in str(failed.value)
    assert "nothing was imported" in str(failed.value)
    assert not Observation.objects.exists()

    call_command(
        "import_benchmarks", str(write(tmp_path, CSV, "good.csv")), "--dataset", "recycling"
    )
    out = capsys.readouterr().out
    assert "Checking" in out and "6 rows are valid" in out and "recycling: 6 created" in out


def test_command_refuses_an_unknown_dataset(councils, tmp_path):
    with pytest.raises(CommandError, match="unknown dataset 'nope'"):
        call_command("import_benchmarks", str(write(tmp_path, CSV)), "--dataset", "nope")
