"""Bad documents: files ingest must refuse with a clear reason (see tests/fixtures/bad/README.md)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

# The corpus subfolder the bad documents go in when they are part of a corpus under test.
BAD_SUBFOLDER = "ongeldig"


def _saved(save: Callable[[io.BytesIO], Any]) -> bytes:
    out = io.BytesIO()
    save(out)
    return out.getvalue()


def _pdf(lines: list[str] | None, password: str | None = None) -> bytes:
    """A one-page PDF with a real text layer (or none), optionally encrypted: pypdf only, no extras."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    if lines:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        content = DecodedStreamObject()
        content.set_data("".join(f"BT /F1 11 Tf 72 {760 - 16 * i} Td ({t}) Tj ET\n" for i, t in enumerate(lines)).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    if password:
        # RC4 needs no `cryptography` package; an encrypted file is refused all the same.
        writer.encrypt(user_password=password, owner_password=password + "-eigenaar", algorithm="RC4-128")
    return _saved(writer.write)


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return _saved(document.save)


def bad_documents(max_bytes: int) -> dict[str, bytes]:
    """Files that ingest must refuse with a clear reason, by name; sizes over `max_bytes` are 'too large'."""
    text = ["Subsidieregeling chipontwerp", "De regeling staat open voor startende ontwerpbedrijven."]
    good_pdf = _pdf(text)
    good_docx = _docx(text)
    pad = max_bytes + 4096
    return {
        "leeg.pdf": b"",
        "witruimte.pdf": b" \n\t \n",
        "afgekapt.pdf": good_pdf[: len(good_pdf) // 2],
        "onzin.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 16,
        "geen-pdf.pdf": b"Dit is gewone tekst met een .pdf-naam.\n",
        "versleuteld.pdf": _pdf(["Vertrouwelijke tekst over chips."], password="geheim"),
        "alleen-beeld.pdf": _pdf(None),
        "te-groot.pdf": good_pdf + b"%" + b"x" * (pad - len(good_pdf)),
        "leeg.docx": b"",
        "afgekapt.docx": good_docx[: len(good_docx) // 2],
        "onzin.docx": b"PK\x03\x04" + bytes(range(256)) * 8,
        "versleuteld.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096,
        "te-groot.docx": good_docx + b"\x00" * (pad - len(good_docx)),
    }


# What the refusal of each bad document must say (see tests/fixtures/bad/README.md).
BAD_REASONS = {
    "leeg.pdf": "bestand is leeg",
    "witruimte.pdf": "bestand is leeg",
    "afgekapt.pdf": "beschadigd of onleesbaar",
    "onzin.pdf": "beschadigd of onleesbaar",
    "geen-pdf.pdf": "beschadigd of onleesbaar",
    "versleuteld.pdf": "versleuteld met een wachtwoord",
    "alleen-beeld.pdf": "geen tekstlaag",
    "te-groot.pdf": "groter dan de limiet",
    "leeg.docx": "bestand is leeg",
    "afgekapt.docx": "beschadigd of onleesbaar",
    "onzin.docx": "beschadigd of onleesbaar",
    "versleuteld.docx": "versleuteld of is een oud Word-formaat",
    "te-groot.docx": "groter dan de limiet",
}


def write_bad_documents(folder: Path | str, max_bytes: int) -> dict[str, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in bad_documents(max_bytes).items():
        (folder / name).write_bytes(data)
        paths[name] = folder / name
    return paths
