import json

import pyarrow as pa
import pytest


@pytest.fixture
def manifest(store):
    table = pa.table({"sample_id": ["a", "b"], "text": ["[red]x[/red]", None]})
    return store.write("prep", "samples", 1, {"dataset": "unsw"}, {}, table)


def test_ls_json_lists_keys(cli, manifest):
    result = cli("--json", "store", "ls")
    assert [row["key"] for row in json.loads(result.stdout)] == [manifest.key]


def test_ls_csv_has_header(cli, manifest):
    assert cli("store", "ls", "--format", "csv").stdout.splitlines()[0] == (
        "key,kind,step,rows,created_utc,params"
    )


def test_ls_rejects_unknown_format(cli, manifest):
    result = cli("store", "ls", "--format", "xml")
    assert (result.exit_code, result.stderr.count("\n")) == (2, 1)


def test_show_prints_manifest(cli, manifest):
    result = cli("store", "show", manifest.key[7:19])
    assert json.loads(result.stdout)["key"] == manifest.key


def test_show_unknown_prefix_is_one_line(cli, manifest):
    other = "0000" if not manifest.key[7:].startswith("0000") else "1111"
    result = cli("store", "show", other)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no artifact")
    assert result.stderr.count("\n") == 1


def test_sql_json(cli, manifest):
    result = cli(
        "store", "sql", "SELECT sample_id FROM samples ORDER BY 1", "--format", "json"
    )
    assert json.loads(result.stdout) == [{"sample_id": "a"}, {"sample_id": "b"}]


def test_sql_table_escapes_markup(cli, manifest):
    result = cli("store", "sql", "SELECT text FROM samples WHERE text IS NOT NULL")
    assert "[red]x[/red]" in result.stdout


def test_sql_error_is_one_line_usage_error(cli, manifest):
    result = cli("store", "sql", "SELECT * FROM nowhere")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "samples" in result.stderr


def test_verify_clean_store_exits_zero(cli, manifest):
    assert cli("store", "verify").exit_code == 0


def test_verify_damaged_store_exits_one_naming_file(cli, store, manifest):
    path = store.parquet_path(manifest)
    path.write_bytes(path.read_bytes()[:50])
    result = cli("store", "verify")
    assert result.exit_code == 1
    assert str(path) in result.stdout


def test_rm_then_gc_removes_artifact(cli, store, manifest):
    cli("store", "rm", manifest.key[7:19])
    result = cli("store", "gc")
    assert result.exit_code == 0
    assert store.manifests() == []


def test_export_csv_to_stdout(cli, manifest):
    result = cli("store", "export", manifest.key[7:19], "--format", "csv")
    assert result.stdout.splitlines()[0] == '"sample_id","text"'


def test_store_flag_overrides_environment(cli, tmp_path, manifest):
    result = cli("--store", str(tmp_path / "other"), "--json", "store", "ls")
    assert json.loads(result.stdout) == []


def test_store_path_that_is_a_file_is_one_line(cli, tmp_path):
    path = tmp_path / "f"
    path.write_text("")
    result = cli("--store", str(path), "store", "ls")
    assert (result.exit_code, result.stderr.count("\n")) == (1, 1)
