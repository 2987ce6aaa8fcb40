"""Reading local email sources: CSV, mbox, folders, tar archives, labels."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from cybench.datasets.email.sources import parse_source_spec, read_source
from cybench.errors import DataError, UsageError

MESSAGE = b"From: a@b.test\nSubject: hello\nContent-Type: text/plain\n\nbody text\n"


def mbox(path: Path, *messages: bytes, garbage: bytes = b"") -> Path:
    chunks = [
        b"From sender@test Mon Jan  3 10:00:00 2005\n" + m + b"\n" for m in messages
    ]
    path.write_bytes(garbage + b"".join(chunks))
    return path


def read(text: str):
    return read_source(parse_source_spec(text))


def test_mbox_messages_read_as_bytes(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE, b"Subject: two\n\ncaf\xe9\n")
    rows = read(f"{path}:phishing").rows
    assert len(rows) == 2
    assert rows[1]["raw_bytes"] == b"Subject: two\n\ncaf\xe9\n"
    assert rows[1]["line"] == 8
    assert rows[0]["label"] == "phishing"


def test_mbox_garbage_before_first_message(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE, garbage=b"junk line\n")
    with pytest.raises(DataError, match=r"a\.mbox line 1"):
        read(f"{path}:phishing")


def test_mbox_garbage_between_messages(tmp_path):
    path = tmp_path / "a.mbox"
    path.write_bytes(
        b"From x Mon Jan  3 10:00:00 2005\n" + MESSAGE + b"\n"
        b"From the desk of nobody, a stray paragraph\nthat is no message\n\n"
        b"From x Mon Jan  3 10:00:00 2005\n" + MESSAGE
    )
    with pytest.raises(DataError, match=r"a\.mbox line 9: message 1 starts with"):
        read(f"{path}:phishing")


def test_mbox_late_nul_bytes_counted(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE + b"x" * 9000 + b"\x00\n", MESSAGE)
    result = read(f"{path}:phishing")
    assert len(result.rows) == 2
    assert result.meta["nul_bytes"] == 1


def test_unlabelled_mbox_rejected_with_form(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE)
    with pytest.raises(UsageError) as error:
        read(str(path))
    assert "a.mbox" in error.value.message
    assert f"--path {path}:phishing" in error.value.hint


def test_spam_label_rejected(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE)
    with pytest.raises(UsageError, match="spam is not phishing"):
        parse_source_spec(f"{path}:spam")


def test_unknown_label_rejected(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE)
    with pytest.raises(UsageError, match="unknown label 'bad'"):
        parse_source_spec(f"{path}:bad")


def test_ham_means_legitimate(tmp_path):
    path = mbox(tmp_path / "a.mbox", MESSAGE)
    assert parse_source_spec(f"{path}:ham").label == "legitimate"


def test_missing_path_rejected(tmp_path):
    with pytest.raises(DataError, match="not found"):
        parse_source_spec(f"{tmp_path}/nope.mbox:phishing")


def test_empty_file_rejected(tmp_path):
    path = tmp_path / "empty.mbox"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        read(f"{path}:phishing")


def test_binary_file_rejected(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(b"subject,body,label\n\x00\x01\x02\xff" * 10)
    with pytest.raises(DataError, match=r"blob\.csv line 2: NUL byte"):
        read(str(path))


def test_folder_of_messages(tmp_path):
    folder = tmp_path / "easy_ham"
    folder.mkdir()
    (folder / "00001.abc").write_bytes(MESSAGE)
    (folder / "00002.def").write_bytes(MESSAGE.replace(b"hello", b"second"))
    (folder / "cmds").write_bytes(b"mv 00001 00001.abc\n")
    rows = read(f"{folder}:legitimate").rows
    assert [r["member"] for r in rows] == ["00001.abc", "00002.def"]


def test_tar_archive_matches_folder_digest(tmp_path):
    folder = tmp_path / "easy_ham"
    folder.mkdir()
    (folder / "00001.abc").write_bytes(MESSAGE)
    archive = tmp_path / "easy_ham.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(folder / "00001.abc", arcname="00001.abc")
    from_tar = read(f"{archive}:ham")
    from_folder = read(f"{folder}:ham")
    assert from_tar.rows[0]["raw_bytes"] == MESSAGE
    assert from_tar.meta["members_digest"] == from_folder.meta["digest"]


def test_corrupt_tar_rejected(tmp_path):
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(b"not a tar archive at all" * 20)
    with pytest.raises(DataError, match="not a readable tar archive"):
        read(f"{archive}:ham")


def test_csv_multiline_fields_and_bare_cr(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_bytes(
        b"sender,subject,body,label\r\n"
        b'a@b,"=?utf-8?Q?Hi?=","line one\rline two\nline three",1\r\n'
        b'c@d,plain,"x\r\ny",0\n'
    )
    rows = read(str(path)).rows
    assert len(rows) == 2
    assert json.loads(rows[0]["fields"])["body"] == "line one\rline two\nline three"
    assert rows[1]["label"] == "legitimate"
    assert rows[1]["line"] == 5


def test_csv_with_bom_reads_header(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_bytes(b"\xef\xbb\xbfsubject,body,label\nhi,there,phishing\n")
    assert read(str(path)).meta["columns"]["subject"] == "subject"


def test_csv_without_label_column_needs_suffix(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text("subject,body\nhi,there\n")
    with pytest.raises(UsageError, match="no label column"):
        read(str(path))
    assert read(f"{path}:phishing").rows[0]["label"] == "phishing"


def test_csv_spam_label_value_rejected(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text("subject,body,label\nhi,there,spam\n")
    with pytest.raises(DataError, match="line 2: label 'spam': spam is not phishing"):
        read(str(path))


def test_csv_suffix_conflicting_with_column(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text("subject,body,label\nhi,there,0\n")
    with pytest.raises(DataError, match="label column says legitimate"):
        read(f"{path}:phishing")


def test_csv_wrong_field_count(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text("subject,body,label\nhi,there,1\nhi,there,1,extra\n")
    with pytest.raises(DataError, match=r"mail\.csv line 3: row has 4 fields"):
        read(str(path))


def test_csv_truncated_inside_quotes(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text('subject,body,label\nhi,"there is no end\n')
    with pytest.raises(DataError, match=r"mail\.csv line \d+: invalid CSV"):
        read(str(path))


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text("srcip,dstip,label\n1,2,1\n")
    with pytest.raises(DataError, match="no email text column"):
        read(str(path))


def test_csv_header_only(tmp_path):
    path = tmp_path / "mail.csv"
    path.write_text("subject,body,label\n")
    with pytest.raises(DataError, match="no rows"):
        read(str(path))


def test_eml_single_message(tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(MESSAGE)
    assert read(f"{path}:phishing").rows[0]["source_kind"] == "eml"
