"""Every format keeps, with a footnote record, the sentence its marker stands in (its anchor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.assemble import mark, unmark
from ingest.loader import load_document, parse_bytes
from ingest.records import Document

ROOT = Path(__file__).parent.parent.parent
KST = ROOT / "tests" / "fixtures" / "kst"
FORMATS = ROOT / "eval" / "multidoc" / "formats"


def anchors(document: Document) -> dict[str, str]:
    return {p.label: p.anchor for p in document.paragraphs if p.kind == "footnote"}


def test_unmark_gives_the_sentence_ending_before_a_marker_or_the_one_holding_it():
    text = f"Eerste zin. Tweede zin eindigt hier.{mark('1')} Derde zin met{mark('2')} een noot. Vierde."
    clean, markers, sentences = unmark(text)
    assert clean == "Eerste zin. Tweede zin eindigt hier. Derde zin met een noot. Vierde."
    assert markers == ("1", "2")
    assert sentences == ("Tweede zin eindigt hier.", "Derde zin met een noot.")


@pytest.mark.parametrize("name", ["kst-33009-141.xml", "kst-33009-141.html"])
def test_kamerstuk_xml_and_html_footnotes_keep_their_anchor(name):
    found = anchors(load_document(KST / name, 10_000_000))
    assert found["voetnoot 3"] == "Het aantal technisch opgeleide starters in de testregio steeg in 2024 met 12 procent."
    assert found["voetnoot 2"].startswith("In de vorige brief (Kamerstuk 29 826, nr. 277)")


def test_docx_footnotes_keep_their_anchor():
    found = anchors(load_document(FORMATS / "docx" / "kst-33009-159.docx", 10_000_000))
    assert found["voetnoot 2"] == "Op 12 maart 2025 hebben de ministers van negen lidstaten in Brussel de Semicon Coalition opgericht."
    assert found["voetnoot 4"] == "Vanuit de sector zijn bedrijven, brancheorganisaties en het kennisecosysteem vertegenwoordigd."


def test_markdown_footnotes_keep_their_anchor():
    text = "# Rapport\n\nDe coalitie telt negen lidstaten.[^1] Zij komt elk kwartaal bijeen.\n\n[^1]: België, Duitsland en Frankrijk.\n"
    document = parse_bytes(text.encode(), "markdown", "rapport.md", "rapport")
    assert anchors(document) == {"voetnoot 1": "De coalitie telt negen lidstaten."}
