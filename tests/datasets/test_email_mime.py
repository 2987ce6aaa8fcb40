"""MIME decoding of single messages: encodings, charsets, HTML, multipart."""

from __future__ import annotations

from cybench.datasets.email.html_text import html_to_text
from cybench.datasets.email.mime import decode_bytes, decode_header_text, parse_message


def message(headers: str, body: bytes) -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def test_encoded_word_subject_base64():
    raw = message(
        "Subject: =?UTF-8?B?Q29uZmlybSB5b3VyIGFjY291bnQg4pyU?=\n"
        "Content-Type: text/plain",
        b"hi",
    )
    assert parse_message(raw).subject == "Confirm your account \u2714"


def test_encoded_word_subject_q_and_plain_mix():
    decoded = decode_header_text("Re: =?iso-8859-1?Q?Caf=E9_ouvert?= today")
    assert decoded.text == "Re: Café ouvert today"


def test_undecoded_word_from_csv_string():
    decoded = decode_header_text("=?utf-8?Q?Your_mailbox_is_full?=")
    assert decoded.text == "Your mailbox is full"


def test_folded_subject_is_unfolded():
    raw = message("Subject: Verify your\n  account now\nContent-Type: text/plain", b"x")
    assert parse_message(raw).subject == "Verify your account now"


def test_quoted_printable_body():
    raw = message(
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable",
        b"Caf=E9 and a soft=\r\nbreak =3D done",
    )
    assert parse_message(raw).body == "Café and a softbreak = done"


def test_base64_body():
    raw = message(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
        b"UGxlYXNlIGxvZyBpbiDigJQgdGhhbmtz\r\n",
    )
    assert parse_message(raw).body == "Please log in \u2014 thanks"


def test_transfer_encoding_with_trailing_space():
    raw = message(
        "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable ",
        b"a=3Db",
    )
    assert parse_message(raw).body == "a=b"


def test_7bit_with_trailing_space_keeps_body():
    raw = message(
        "Content-Type: text/plain\nContent-Transfer-Encoding: 7bit ", b"hello"
    )
    assert parse_message(raw).body == "hello"


def test_wrong_charset_falls_back():
    raw = message(
        "Content-Type: text/plain; charset=us-ascii", "na\u00efve".encode("cp1252")
    )
    parsed = parse_message(raw)
    assert parsed.body == "na\u00efve"
    assert parsed.decode_fallback


def test_unknown_charset_falls_back():
    raw = message("Content-Type: text/plain; charset=x-no-such-charset", "é".encode())
    assert parse_message(raw).body == "é"


def test_missing_charset_with_8bit_bytes():
    raw = message("Content-Type: text/plain", b"price \x80 5, caf\xe9")
    assert parse_message(raw).body == "price \u20ac 5, caf\u00e9"


def test_undecodable_bytes_replaced_not_raised():
    decoded = decode_bytes(b"bad \x81\x8d\x8f end", None)
    assert decoded.text.startswith("bad ")
    assert decoded.text.endswith(" end")


def test_non_utf8_header_bytes():
    raw = b"Subject: r\xe9sum\xe9 attached\r\nContent-Type: text/plain\r\n\r\nbody"
    assert parse_message(raw).subject == "r\u00e9sum\u00e9 attached"


def test_html_only_reduced_to_text():
    html = (
        b"<html><head><title>T</title><style>p{color:red}</style></head>"
        b"<body><p>Dear&nbsp;customer &amp; friend</p><script>alert(1)</script>"
        b"<p>Click <a href='http://evil.test/x'>here</a></p></body></html>"
    )
    body = parse_message(message("Content-Type: text/html", html)).body
    assert body == "Dear customer & friend\n\nClick here (http://evil.test/x)"


def test_html_drops_script_and_style_content():
    text = html_to_text("<style>.a{}</style><script>var x=1;</script>visible")
    assert text == "visible"


def test_html_link_matching_its_text_not_repeated():
    text = html_to_text('<a href="http://ebay.com/">http://ebay.com</a>')
    assert text == "http://ebay.com"


def test_multipart_alternative_prefers_plain():
    raw = message(
        'Content-Type: multipart/alternative; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nplain version\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n--b--\r\n",
    )
    parsed = parse_message(raw)
    assert parsed.body == "plain version"
    assert parsed.body_type == "text/plain"


def test_multipart_with_empty_plain_uses_html():
    raw = message(
        'Content-Type: multipart/alternative; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\n \r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n--b--\r\n",
    )
    assert parse_message(raw).body == "html version"


def test_multipart_mixed_attachment_left_out():
    raw = message(
        'Content-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="a.exe"\r\n\r\nTVqQAAMAAAAEAAAA\r\n'
        b"--b--\r\n",
    )
    parsed = parse_message(raw)
    assert parsed.body == "see attached"
    assert parsed.n_attachments == 1


def test_pseudo_message_detected():
    raw = message(
        "From: Mail System Internal Data <MAILER-DAEMON@monkey.org>\n"
        "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA",
        b"This text is part of the internal format of your mail folder",
    )
    assert parse_message(raw).is_pseudo_message


def test_garbage_bytes_parse_without_raising():
    parsed = parse_message(b"\xff\xfe\x00garbage without headers")
    assert isinstance(parsed.body, str)
