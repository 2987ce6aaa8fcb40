"""Cleaning raw email rows: leakage removal, pseudo-messages, truncation."""

from __future__ import annotations

import json

from cybench.datasets.email.clean import clean_rows, compose_text, estimate_tokens
from cybench.datasets.email.leakage import (
    mask_owner,
    strip_body_header_lines,
    strip_list_footer,
    strip_subject_tags,
)

CSV_COLUMNS = {"subject": "subject", "body": "body", "label": "label"}


def raw_message(data: bytes, label: str = "phishing", member: str = "m0") -> dict:
    return {
        "source": "a.mbox",
        "source_kind": "mbox",
        "member": member,
        "label": label,
        "raw_bytes": data,
        "fields": None,
    }


def csv_row(subject: str, body: str, label: str = "phishing") -> dict:
    return {
        "source": "mail.csv",
        "source_kind": "csv",
        "member": "row 0",
        "label": label,
        "raw_bytes": None,
        "fields": json.dumps({"subject": subject, "body": body, "label": "1"}),
    }


def clean_one(row: dict, max_tokens: int = 512) -> dict:
    samples, _ = clean_rows([row], {"mail.csv": CSV_COLUMNS}, max_tokens)
    return samples[0]


LEAKY = (
    b"Received: from relay.monkey.org by mx.monkey.org\n"
    b"Delivered-To: jose@monkey.org\n"
    b"X-Spam-Status: Yes, hits=9.1\n"
    b"X-Spam-Flag: YES\n"
    b"X-UID: 274\nStatus: O\nX-Keywords: \n"
    b"To: jose@monkey.org\n"
    b"Subject: [*** POSIBLE SPAM***] Verify your account jose\n"
    b"Content-Type: text/plain\n\n"
    b"Dear jose,\nplease confirm jose@monkey.org at http://evil.test/login\n"
)


def test_headers_never_reach_text():
    sample = clean_one(raw_message(LEAKY))
    assert "X-Spam" not in sample["text"]
    assert "Received" not in sample["text"]
    assert sample["removed_leaky_headers"] == 7


def test_spam_filter_subject_tag_removed():
    sample = clean_one(raw_message(LEAKY))
    assert sample["subject"] == "Verify your account user"
    assert sample["removed_tags"] == 1


def test_owner_address_and_name_masked():
    sample = clean_one(raw_message(LEAKY))
    assert "jose" not in sample["text"].lower()
    assert "monkey.org" not in sample["text"]
    assert sample["removed_owner_addresses"] == 1
    assert sample["removed_owner_names"] == 2


def test_text_is_subject_then_body():
    sample = clean_one(raw_message(LEAKY))
    assert sample["text"] == (
        "Subject: Verify your account user\n\n"
        "Dear user,\nplease confirm user@example.com at http://evil.test/login"
    )
    assert sample["n_urls"] == 1


def test_list_tag_removed_when_list_headers_present():
    data = (
        b"List-Id: <ilug.linux.ie>\nSubject: Re: [ILUG] Re: [ILUG] kernel panic\n\n"
        b"my box panics\n"
        b"_______________________________________________\n"
        b"ILUG mailing list\nhttp://www.linux.ie/mailman/listinfo/ilug\n"
    )
    sample = clean_one(raw_message(data, "legitimate"))
    assert sample["subject"] == "Re: Re: kernel panic"
    assert sample["text"].endswith("my box panics")
    assert sample["removed_list_footers"] == 1


def test_unknown_bracket_tag_kept_without_list_headers():
    assert strip_subject_tags("[PayPal] Account notice", False) == (
        "[PayPal] Account notice",
        0,
    )


def test_known_list_tag_removed_without_headers():
    assert strip_subject_tags("[Spambayes] All but one", False) == ("All but one", 1)


def test_spamassassin_recipients_masked():
    text, removed = mask_owner(
        "to zzzz@spamassassin.taint.org, yyyy@localhost and a@b.org"
    )
    assert text == "to user@example.com, user@example.com and a@b.org"
    assert removed.owner_addresses == 2


def test_san_jose_not_masked():
    assert mask_owner("offices in San Jose, CA")[0] == "offices in San Jose, CA"


def test_pseudo_message_skipped():
    data = (
        b"From: Mail System Internal Data <MAILER-DAEMON@monkey.org>\n"
        b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n\n"
        b"This text is part of the internal format of your mail folder.\n"
    )
    samples, report = clean_rows(
        [raw_message(data), raw_message(LEAKY, member="m1")], {}
    )
    assert len(samples) == 1
    assert report.skipped_pseudo_messages == ["a.mbox m0"]


def test_pseudo_row_in_csv_skipped():
    row = csv_row("DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA", "internal")
    samples, report = clean_rows([row], {"mail.csv": CSV_COLUMNS})
    assert samples == []
    assert report.skipped_pseudo_messages == ["mail.csv row 0"]


def test_empty_message_skipped():
    samples, report = clean_rows([raw_message(b"Subject: \n\n \n")], {})
    assert samples == []
    assert report.skipped_empty == ["a.mbox m0"]


def test_csv_encoded_word_subject_decoded():
    sample = clean_one(csv_row("=?UTF-8?B?QWNjb3VudCBzdXNwZW5kZWQ=?=", "text"))
    assert sample["subject"] == "Account suspended"


def test_csv_html_body_reduced():
    sample = clean_one(csv_row("s", "<html><body><p>Hello&amp;bye</p></body></html>"))
    assert sample["text"] == "Subject: s\n\nHello&bye"
    assert sample["body_type"] == "text/html"


def test_long_body_truncated_with_flag():
    sample = clean_one(csv_row("s", "word " * 1000), max_tokens=50)
    assert sample["truncated"]
    assert sample["n_tokens_est"] <= 50
    assert sample["text"].endswith(" ...")


def test_short_body_not_truncated():
    assert not clean_one(csv_row("s", "short body"), max_tokens=50)["truncated"]


def test_huge_subject_cut_too():
    text, truncated = compose_text("x" * 1000, "body", 50)
    assert truncated
    assert estimate_tokens(text) <= 50


def test_near_duplicates_counted():
    rows = [
        csv_row("a", "Dear user, log in now!"),
        csv_row("b", "dear USER log in now"),
    ]
    _, report = clean_rows(rows, {"mail.csv": CSV_COLUMNS})
    assert report.near_duplicates == 1


def test_quoted_list_footer_removed():
    body = (
        "> question\n> --\n> Irish Linux Users' Group: ilug@linux.ie\n"
        "> http://www.linux.ie/mailman/listinfo/ilug for (un)subscription info.\n"
        "> List maintainer: listmaster@linux.ie\n\nmy answer"
    )
    text, removed = strip_list_footer(body)
    assert text == "> question\n\nmy answer"
    assert removed == 1


def test_bare_listinfo_line_removed():
    assert strip_list_footer("Greg\nhttp://xent.com/mailman/listinfo/fork") == (
        "Greg",
        1,
    )


def test_quoted_delivery_headers_removed():
    body = (
        ">Delivered-To: zzzz@localhost\n>Status: RO\n>From: bob\nAccount Status: Locked"
    )
    text, removed = strip_body_header_lines(body)
    assert text == ">From: bob\nAccount Status: Locked"
    assert removed == 2


def test_owner_address_glued_to_next_word():
    assert (
        mask_owner("verify jose@monkey.orgNOTE: act")[0]
        == "verify user@example.comNOTE: act"
    )


def test_owner_domain_glued_to_previous_word():
    assert mask_owner("Thanksmonkey.org team")[0] == "Thanksexample.com team"


def test_owner_name_glued_and_org_name():
    assert (
        mask_owner("ID: joseThe Monkey Mail Team")[0] == "ID: userThe Example Mail Team"
    )


def test_other_names_and_animals_kept():
    text = "Joseph S. Barrera and JOSEPH saw a monkey"
    assert mask_owner(text)[0] == text
