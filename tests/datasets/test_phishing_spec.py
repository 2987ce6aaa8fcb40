"""The phishing-email dataset spec: combined local sources, Hugging Face, clean."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from cybench.datasets.base import FetchOptions
from cybench.datasets.phishing import SPEC
from cybench.datasets.registry import get_dataset
from cybench.errors import DataError, UsageError

PHISH = (
    b"From x Mon Jan  3 10:00:00 2005\n"
    b"X-Spam-Status: Yes\nTo: username@domain.com\n"
    b"Subject: =?iso-8859-1?Q?V=E9rifiez?= your account\n"
    b"Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
    b"<p>Dear customer, <a href=3D'http://evil.test'>log in</a></p>\n\n"
)
HAM = b"Subject: [ILUG] lunch\nList-Id: <ilug.linux.ie>\n\nSee you at noon.\n"


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    mbox = tmp_path / "phish.mbox"
    mbox.write_bytes(PHISH)
    member = tmp_path / "00001.abc"
    member.write_bytes(HAM)
    archive = tmp_path / "ham.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(member, arcname="ham/00001.abc")
    csv_file = tmp_path / "Nazario.csv"
    csv_file.write_text(
        "sender,receiver,subject,body,label\n"
        'a@b,jose@monkey.org,"Hi jose","Body\r\nmore",1\n'
    )
    return {"mbox": mbox, "tar": archive, "csv": csv_file}


def fetch(paths, labels=()):
    return SPEC.fetch(
        "path", [Path(p) for p in paths], FetchOptions(labels=tuple(labels))
    )


def test_registry_returns_spec():
    assert get_dataset("phishing") is SPEC


def test_fetch_combines_sources(sources):
    raw, meta = fetch(
        [sources["csv"], sources["mbox"], sources["tar"]], [None, "phishing", "ham"]
    )
    assert raw.num_rows == 3
    assert raw.column("label").to_pylist() == ["phishing", "phishing", "legitimate"]
    assert [f["name"] for f in meta["files"]] == [
        "Nazario.csv",
        "phish.mbox",
        "ham.tar.gz",
    ]
    assert all(f["sha256"].startswith("sha256:") for f in meta["files"])


def test_fetch_meta_is_plain_json(sources):
    _, meta = fetch([sources["mbox"]], ["phishing"])
    assert json.loads(json.dumps(meta)) == meta


def test_fetch_label_attached_to_path(sources):
    raw, _ = fetch([f"{sources['mbox']}:phishing"])
    assert raw.column("label").to_pylist() == ["phishing"]


def test_fetch_unlabelled_mbox_names_path(sources):
    with pytest.raises(UsageError) as error:
        fetch([sources["mbox"]])
    assert str(sources["mbox"]) in error.value.message
    assert ":phishing" in error.value.hint


def test_fetch_spam_label_rejected(sources):
    with pytest.raises(UsageError, match="spam is not phishing"):
        fetch([sources["tar"]], ["spam"])


def test_fetch_without_paths_rejected():
    with pytest.raises(UsageError, match="no source"):
        fetch([])


def test_clean_samples_layout(sources):
    raw, meta = fetch([sources["mbox"], sources["tar"]], ["phishing", "legitimate"])
    samples = SPEC.clean(raw, meta)
    rows = {r["label"]: r for r in samples.to_pylist()}
    assert samples.column_names[:6] == [
        "sample_id",
        "dataset",
        "label",
        "y",
        "category",
        "text",
    ]
    assert rows["phishing"]["y"] == 1
    assert rows["phishing"]["category"] is None
    assert rows["phishing"]["text"] == (
        "Subject: Vérifiez your account\n\nDear customer, log in (http://evil.test)"
    )
    assert rows["legitimate"]["text"] == "Subject: lunch\n\nSee you at noon."


def test_clean_sample_id_stable(sources):
    raw, meta = fetch([sources["mbox"]], ["phishing"])
    first = SPEC.clean(raw, meta).column("sample_id").to_pylist()
    second = SPEC.clean(raw, meta).column("sample_id").to_pylist()
    assert first == second
    assert len(first[0]) == 64


def test_clean_report_in_schema_metadata(sources):
    raw, meta = fetch([sources["csv"]])
    samples = SPEC.clean(raw, meta)
    report = json.loads(samples.schema.metadata[b"cybench.clean_report"])
    assert report["removed"]["owner_names"] == 1
    assert samples.column("text").to_pylist() == ["Subject: Hi user\n\nBody\nmore"]


def test_clean_token_budget(sources):
    raw, meta = fetch([sources["csv"]])
    assert SPEC.clean(raw, meta, max_tokens=4).column("truncated").to_pylist() == [True]


def test_info_columns_are_the_extra_columns(sources):
    raw, meta = fetch([sources["mbox"]], ["phishing"])
    samples = SPEC.clean(raw, meta)
    assert samples.column_names[6:] == list(SPEC.info_columns)


# --- Hugging Face ----------------------------------------------------------


def fake_hub(monkeypatch, **splits):
    """Replace the download step of `datasets.load_dataset` with local tables."""
    import datasets

    calls = []

    def load_dataset(name, revision=None, **_):
        calls.append(name)
        return datasets.DatasetDict(
            {split: datasets.Dataset.from_dict(data) for split, data in splits.items()}
        )

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def test_hf_rows_normalised(monkeypatch):
    calls = fake_hub(
        monkeypatch,
        train={
            "Unnamed: 0": [0, 1],
            "Email Text": ["Verify your PayPal now", "Minutes of the meeting"],
            "Email Type": ["Phishing Email", "Safe Email"],
        },
    )
    raw, meta = SPEC.fetch("hf", [], FetchOptions())
    assert calls == ["zefang-liu/phishing-email-dataset"]
    assert raw.column("label").to_pylist() == ["phishing", "legitimate"]
    assert meta["files"][0]["name"] == "hf:zefang-liu/phishing-email-dataset"
    samples = SPEC.clean(raw, meta)
    assert (
        samples.column("text").to_pylist()[0] == "Subject: \n\nVerify your PayPal now"
    )


def test_hf_ref_and_integer_labels(monkeypatch):
    calls = fake_hub(monkeypatch, test={"text": ["a", "b"], "label": [1, 0]})
    raw, _ = SPEC.fetch("hf", [], FetchOptions(ref="someone/mails"))
    assert calls == ["someone/mails"]
    assert raw.column("member").to_pylist() == ["test/0", "test/1"]
    assert raw.column("label").to_pylist() == ["phishing", "legitimate"]


def test_hf_spam_labels_rejected(monkeypatch):
    fake_hub(monkeypatch, train={"text": ["a"], "label": ["spam"]})
    with pytest.raises(DataError, match="spam is not phishing"):
        SPEC.fetch("hf", [], FetchOptions())


def test_hf_offline_error_shows_path_form(monkeypatch):
    import datasets

    def offline(name, revision=None, **_):
        raise ConnectionError(
            f"Couldn't reach '{name}' on the Hub (LocalEntryNotFoundError)"
        )

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError) as error:
        SPEC.fetch("hf", [], FetchOptions())
    line = error.value.one_line()
    assert "zefang-liu/phishing-email-dataset" in line
    assert "--source path --path" in line
    assert "\n" not in line
