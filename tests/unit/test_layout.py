"""Structure of Dutch government letters from extracted text: the shipped letter and a second,
synthetic letter with different content and page furniture, so the rules are shown general."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.layout import parse_pages
from ingest.loader import load_document
from ingest.records import Document, Paragraph
from ingest.text import parse_text
from tests.conftest import LETTER

# A second letter: another ministry, a date/kenmerk/bijlagen sidebar, an addressee block,
# "Pagina x van 2" footers, three footnotes, a bullet list, a paragraph cut by a footnote block
# and a page break before a capitalised word, and a "De minister …," / name signature.
SECOND_LETTER = """\
Ministerie van Klimaat en Groene Groei

Aan de Voorzitter van de Tweede Kamer
der Staten-Generaal
Postbus 20018
2500 EA DEN HAAG

Datum 3 maart 2025
Betreft Voortgang aanleg landelijk waterstofnetwerk

Ons kenmerk
KGG / 98765432

Bijlage(n)
2

Geachte voorzitter,

Met deze brief informeer ik uw Kamer over de voortgang van de aanleg van het landelijk
waterstofnetwerk. Eerder heb ik u gemeld dat de eerste verbindingen in 2025 gereed
zouden zijn.1 Inmiddels is duidelijk dat die planning moet worden bijgesteld.

Vertraging in de eerste fase

De netbeheerder heeft het afgelopen jaar de tracés voor de eerste fase vastgesteld en
de vergunningen aangevraagd. Daarbij bleek dat de aanleg meer tijd kost dan voorzien.
De belangrijkste oorzaken zijn:
• vertraging in de vergunningverlening voor tracés door natuurgebieden en langs
  rivieren;
• een tekort aan technisch personeel bij aannemers en onderwijs- en
  opleidingsinstellingen;
• hogere kosten voor staal en compressoren.2

Het kabinet blijft zich inzetten voor een tijdige realisatie, omdat de industrie in
onder meer Rotterdam, Zeeland en Limburg afhankelijk is van de aanvoer van waterstof en
de waterstof-
netwerken in de buurlanden. Zonder die aanvoer worden de klimaatdoelen van de

1 Kamerstuk 29826 nr. 200
2 Zie de bijlage bij deze brief voor een overzicht van de kostenstijgingen per
onderdeel van het netwerk.

Pagina 1 van 2



Ministerie van Klimaat en Groene Groei

Ons kenmerk
KGG / 98765432

EU-lidstaten niet gehaald. De aansluiting op het Duitse netwerk via de “Delta
Rhine Corridor”3 heeft daarom prioriteit.

Vervolg

Ik informeer uw Kamer voor de zomer over de herziene planning.
Bijlage 2 bevat een overzicht van de kosten per onderdeel.

Hoogachtend,

De minister van Klimaat en Groene Groei,



S.T.M. Hermans

3 Kamerstukken II 2024/25, 32813, nr. 1400

Pagina 2 van 2
"""


@pytest.fixture(scope="module")
def letter() -> Document:
    return load_document(LETTER, max_bytes=10 * 2**20)


@pytest.fixture(scope="module", params=["one text", "form feeds"])
def second(request) -> Document:
    text = SECOND_LETTER if request.param == "one text" else SECOND_LETTER.replace("Pagina 1 van 2\n", "Pagina 1 van 2\n\f")
    return parse_text(text, "tweede-brief.txt", "tweede-brief")


def containing(document: Document, fragment: str) -> list[Paragraph]:
    return [p for p in document.paragraphs if fragment in p.text]


def one(document: Document, fragment: str) -> Paragraph:
    found = containing(document, fragment)
    assert len(found) == 1, f"{fragment!r} in {len(found)} records: {[p.label for p in found]}"
    return found[0]


def by_label(document: Document, label: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.label == label)


# -- the shipped letter ------------------------------------------------------------------------


def test_sentence_cut_by_footnote_block_is_one_record(letter):
    sentence = (
        "In dat kader heeft het Kabinet u eerder geïnformeerd over het belang van de halfgeleiderindustrie "
        "en de start van een aantal belangrijke initiatieven zoals Beethoven, de Semicon Coalition en meest "
        "recent de IPCEI Advanced Semiconductor Technologies."
    )
    record = one(letter, sentence)
    assert record.kind == "paragraph"
    assert "Kamerstuk 29826" not in record.text
    assert record.pages == (1, 2)


def test_board_footnote_is_its_own_record_linked_both_ways(letter):
    note = one(letter, "Nearfield Instruments, Axelera AI")
    assert note.kind == "footnote"
    assert note.label == "voetnoot 5"
    assert note.text.startswith("In de Semicon Board NL hebben zitting:")
    paragraph = one(letter, "is begin 2025 de Semicon Board NL van start gegaan")
    assert "NL5" not in paragraph.text
    assert paragraph.footnote_refs == (note.id,)
    assert note.referenced_by == (paragraph.id,)
    assert "Semicon Board NL van start gegaan" in note.anchor


def test_paragraph_across_page_break_is_one_record_with_both_pages(letter):
    record = one(
        letter,
        "Een programma waarin bedrijfsleven, overheden, onderwijs- en kennisinstellingen en andere partijen "
        "met concrete afspraken, acties en verantwoordelijkheden samenwerken.",
    )
    assert record.pages == (2, 3)
    assert "TZ202509" not in record.text and "DGBI" not in record.text


@pytest.mark.parametrize("furniture", ["Pagina 2 van 3", "Ons kenmerk", "Pagina"])
def test_page_furniture_is_in_no_record(letter, furniture):
    assert not containing(letter, furniture)
    assert [p.kind for p in containing(letter, "103664647")] == ["letterhead"]


def test_metadata(letter):
    assert letter.metadata["kenmerk"] == "DGBI / 103664647"
    assert letter.metadata["betreft"] == "Semicon Visie 2035"
    assert letter.metadata["directoraat"] == "Directoraat-generaal Bedrijfsleven & Innovatie"
    assert letter.metadata["ondertekenaar"] == "Heleen Herbert"
    assert letter.metadata["functie_ondertekenaar"] == "Minister van Economische Zaken en Klimaat"
    assert letter.title == "Kamerbrief Semicon Visie 2035"


def test_letterhead_record_holds_the_metadata_only(letter):
    letterhead = [p for p in letter.paragraphs if p.kind == "letterhead"]
    assert len(letterhead) == 1
    assert "DGBI / 103664647" in letterhead[0].text and "Semicon Visie 2035" in letterhead[0].text
    assert letter.paragraphs[0].kind == "letterhead"


def test_signature_is_a_record_of_its_own(letter):
    signatures = [p for p in letter.paragraphs if p.kind == "signature"]
    assert [s.text for s in signatures] == ["Heleen Herbert, Minister van Economische Zaken en Klimaat"]
    assert signatures[0].label == "ondertekening 1"
    closing = letter.paragraphs[-2]
    assert closing.kind == "closing" and closing.text.startswith("Mede namens")
    assert letter.paragraphs[-1] == signatures[0]


def test_kinds_in_reading_order(letter):
    kinds = [p.kind for p in letter.paragraphs]
    assert kinds[:3] == ["letterhead", "salutation", "paragraph"]
    assert kinds.count("footnote") == 6
    assert kinds.count("heading") == 1
    assert kinds[-2:] == ["closing", "signature"]


def test_pages(letter):
    assert one(letter, "Een sterke economie is de basis").pages == (1,)
    assert one(letter, "Kamerstuk 29826 nr. 277").pages == (1,)
    assert one(letter, "Ik dank de leden").pages == (3,)
    assert all(p.pages for p in letter.paragraphs)


def test_ids_are_stable_across_runs_and_follow_the_text(letter):
    again = load_document(LETTER, max_bytes=10 * 2**20)
    assert [p.id for p in again.paragraphs] == [p.id for p in letter.paragraphs]
    assert [p.hash for p in again.paragraphs] == [p.hash for p in letter.paragraphs]
    assert len({p.id for p in letter.paragraphs}) == len(letter.paragraphs)
    assert all(p.id.startswith("kamerbrief-semicon-visie-2035:") for p in letter.paragraphs)

    # Editing one paragraph changes its id only.
    text = LETTER.read_text(encoding="utf-8").replace("Een sterke economie", "Een krachtige economie")
    edited = parse_text(text, str(LETTER), letter.id)
    changed = {p.id for p in edited.paragraphs} ^ {p.id for p in letter.paragraphs}
    assert len(changed) == 2
    assert one(edited, "Een krachtige economie").id not in {p.id for p in letter.paragraphs}


def test_labels(letter):
    paragraphs = [p for p in letter.paragraphs if p.kind == "paragraph"]
    assert [p.label for p in paragraphs] == [f"alinea {i}" for i in range(1, len(paragraphs) + 1)]
    footnotes = [p for p in letter.paragraphs if p.kind == "footnote"]
    assert [p.label for p in footnotes] == [f"voetnoot {i}" for i in range(1, 7)]
    assert by_label(letter, "voetnoot 6").text == "TZ202509-008"
    assert by_label(letter, "kop 1").text == "Integrale strategische aanpak"


def test_section_paths(letter):
    heading = by_label(letter, "kop 1")
    before = letter.paragraphs[: letter.paragraphs.index(heading) + 1]
    after = letter.paragraphs[letter.paragraphs.index(heading) + 1 :]
    assert all(p.section == () for p in before)
    assert after and all(p.section == ("Integrale strategische aanpak",) for p in after)


def test_glued_markers_are_detected_and_stripped(letter):
    focus = one(letter, "“Industriebeleid met focus”, waarin de bouwstenen")
    technologies = one(letter, "IPCEI Advanced Semiconductor Technologies. Zoals")
    wennink = one(letter, "In het Rapport Wennink zie ik")
    assert [by_id(letter, r).label for r in focus.footnote_refs] == ["voetnoot 1"]
    assert [by_id(letter, r).label for r in technologies.footnote_refs] == ["voetnoot 2"]
    assert [by_id(letter, r).label for r in wennink.footnote_refs] == ["voetnoot 3", "voetnoot 4"]
    assert "Wennink zie" in wennink.text and "Wennink3" not in wennink.text
    assert "2035" in one(letter, "geresulteerd in de Semicon Visie 2035.").text  # a number, not a marker
    assert "IPCEI Advanced Semiconductor Technologies" in by_label(letter, "voetnoot 2").anchor


def test_every_footnote_follows_the_paragraph_that_cites_it(letter):
    for note in (p for p in letter.paragraphs if p.kind == "footnote"):
        assert note.referenced_by, note.label
        citing = by_id(letter, note.referenced_by[0])
        assert letter.paragraphs.index(citing) < letter.paragraphs.index(note)
        assert note.id in citing.footnote_refs


def test_kamerstuk_references(letter):
    assert [r.key for r in letter.references] == ["29826-277", "33009-141", "33009-159", "33009-166", "33009-140"]


def test_hyphenation_is_undone_but_real_hyphens_stay():
    text = (
        "De Nederlandse halfgeleider-\nindustrie groeit snel, samen met onderwijs- en\nkennisinstellingen "
        "en de EU-\nlanden, in- en\nuitvoer van 5G-\nnetwerken en publiek-\nprivate samenwerking.\n"
    )
    record = parse_text(text, "x.txt", "x").paragraphs[0]
    assert "halfgeleiderindustrie groeit" in record.text
    assert "onderwijs- en kennisinstellingen" in record.text
    assert "EU-landen" in record.text and "5G-netwerken" in record.text
    assert "in- en uitvoer" in record.text


def test_a_line_end_hyphen_stays_before_a_capital_and_between_vowels_read_as_one():
    text = "De provincie Noord-\nBrabant bouwt een innovatie-\necosysteem met auto-\nonderdelen, heel cre-\natief.\n"
    record = parse_text(text, "x.txt", "x").paragraphs[0]
    assert record.text == "De provincie Noord-Brabant bouwt een innovatie-ecosysteem met auto-onderdelen, heel creatief."


def test_a_line_end_hyphen_is_decided_by_how_the_document_writes_the_word_elsewhere():
    text = (
        "Ruim een derde komt van mkb-bedrijven en startups, en de halfgeleider-\nindustrie groeit. Ook andere\n"
        "mkb-\nbedrijven doen mee, net als de Mbo-\ninstellingen naast de mbo-opleidingen.\n"
    )
    record = parse_text(text, "x.txt", "x").paragraphs[0]
    assert "halfgeleiderindustrie groeit" in record.text
    assert "Ook andere mkb-bedrijven" in record.text and "de Mbo-instellingen" in record.text


def test_a_short_line_ends_its_paragraph_only_if_the_next_word_would_have_fitted():
    # A narrow column: "Procedures" did not fit after "geworden.", so the paragraph goes on.
    column = (
        "De Nederlandse overheid is in de afgelopen\njaren te risicomijdend geworden.\n"
        "Procedures zijn te vaak een doel op zich\ngeworden, ten koste van de resultaten.\n"
        "Het kabinet moet koers houden en dat kan\nals het tempo maakt.\nDit is een nieuwe alinea hier.\n"
    )
    texts = [p.text for p in parse_text(column, "x.txt", "x").paragraphs]
    assert texts[0].startswith("De Nederlandse overheid") and "geworden. Procedures zijn" in texts[0]
    assert texts[-1] == "Dit is een nieuwe alinea hier."


def test_a_report_signed_with_name_place_and_date_names_its_signatory():
    text = (
        "Advies over de toekomst\n\nIk adviseer het kabinet om te investeren in het verdienvermogen.\n\n"
        "Anna de Vries, Den Haag, 12 december\n2025\n\nNoten\n"
    )
    document = parse_text(text, "advies.txt", "advies")
    signature = next(p for p in document.paragraphs if p.kind == "signature")
    assert signature.text == "Anna de Vries, Den Haag, 12 december 2025"
    assert document.metadata["ondertekenaar"] == "Anna de Vries"


def by_id(document: Document, pid: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.id == pid)


# -- a second letter: the same rules hold ----------------------------------------------------


def test_second_letter_metadata(second):
    assert second.metadata["datum"] == "3 maart 2025"
    assert second.metadata["betreft"] == "Voortgang aanleg landelijk waterstofnetwerk"
    assert second.metadata["kenmerk"] == "KGG / 98765432"
    assert second.metadata["bijlagen"] == "2"
    assert second.metadata["organisatie"] == "Ministerie van Klimaat en Groene Groei"
    assert "Tweede Kamer" in second.metadata["geadresseerde"]
    assert second.metadata["ondertekenaar"] == "S.T.M. Hermans"
    assert second.metadata["functie_ondertekenaar"] == "De minister van Klimaat en Groene Groei"
    assert second.title == "Kamerbrief Voortgang aanleg landelijk waterstofnetwerk"


@pytest.mark.parametrize(
    "furniture", ["Pagina", "Ons kenmerk", "Bijlage(n)", "KGG / 98765432", "Postbus 20018 2500"]
)
def test_second_letter_furniture_outside_the_body(second, furniture):
    assert all(p.kind == "letterhead" for p in containing(second, furniture))


def test_second_letter_kinds(second):
    assert [p.kind for p in second.paragraphs] == [
        "letterhead",
        "salutation",
        "paragraph",
        "footnote",
        "heading",
        "paragraph",
        "list_item",
        "list_item",
        "list_item",
        "footnote",
        "paragraph",
        "footnote",
        "heading",
        "paragraph",
        "paragraph",
        "closing",
        "signature",
    ]


def test_second_letter_footnotes_linked_both_ways(second):
    notes = [p for p in second.paragraphs if p.kind == "footnote"]
    assert [n.label for n in notes] == ["voetnoot 1", "voetnoot 2", "voetnoot 3"]
    assert notes[0].text == "Kamerstuk 29826 nr. 200"
    assert notes[1].text == "Zie de bijlage bij deze brief voor een overzicht van de kostenstijgingen per onderdeel van het netwerk."
    for note, cited_in in zip(notes, ["gereed zouden zijn.", "hogere kosten voor staal", "“Delta Rhine Corridor” heeft"]):
        citing = one(second, cited_in)
        assert citing.footnote_refs == (note.id,)
        assert note.referenced_by == (citing.id,)


def test_second_letter_list_items(second):
    items = [p.text for p in second.paragraphs if p.kind == "list_item"]
    assert items == [
        "vertraging in de vergunningverlening voor tracés door natuurgebieden en langs rivieren;",
        "een tekort aan technisch personeel bij aannemers en onderwijs- en opleidingsinstellingen;",
        "hogere kosten voor staal en compressoren.",
    ]
    assert [p.label for p in second.paragraphs if p.kind == "list_item"] == [f"opsommingspunt {i}" for i in (1, 2, 3)]


def test_second_letter_paragraph_across_footnotes_and_page_break(second):
    record = one(second, "van waterstof en de waterstofnetwerken in de buurlanden.")
    assert record.text.endswith("Zonder die aanvoer worden de klimaatdoelen van de EU-lidstaten niet gehaald. "
                                "De aansluiting op het Duitse netwerk via de “Delta Rhine Corridor” heeft daarom prioriteit.")
    assert record.pages == (1, 2)
    assert "Kamerstuk" not in record.text and "KGG" not in record.text


def test_second_letter_body_sentence_starting_with_a_label_word_stays(second):
    record = one(second, "Bijlage 2 bevat een overzicht van de kosten per onderdeel.")
    assert record.kind == "paragraph"


def test_second_letter_signature_sections_and_references(second):
    assert [p.text for p in second.paragraphs if p.kind == "signature"] == ["De minister van Klimaat en Groene Groei, S.T.M. Hermans"]
    assert one(second, "Hoogachtend").kind == "closing"
    assert one(second, "Ik informeer uw Kamer").section == ("Vervolg",)
    assert one(second, "De netbeheerder").section == ("Vertraging in de eerste fase",)
    assert [r.key for r in second.references] == ["29826-200", "32813-1400"]
    assert [p.page for p in second.paragraphs if p.kind == "footnote"] == [1, 1, 2]


def test_second_letter_ids_stable(second):
    again = parse_text(SECOND_LETTER, "tweede-brief.txt", "tweede-brief")
    assert {p.id for p in again.paragraphs} == {p.id for p in second.paragraphs}


# -- page furniture given page by page -----------------------------------------------------


def test_repeated_sidebar_and_running_header_leave_metadata_and_no_records():
    pages = [
        f"Voortgangsrapportage 2025\n\nDirectie Innovatie\n\nOns kenmerk\nABC / 1\n\nPagina {n} van 3\n\n{body}"
        for n, body in enumerate(
            [
                "Eerste alinea van de rapportage over de voortgang van het programma.",
                "Tweede alinea met meer details over de uitvoering van het programma.",
                "Derde alinea die de rapportage afsluit met een conclusie.",
            ],
            start=1,
        )
    ]
    layout = parse_pages(pages, pages_known=True)
    texts = [b.text for b in layout.blocks if b.kind != "letterhead"]
    assert texts == [
        "Eerste alinea van de rapportage over de voortgang van het programma.",
        "Tweede alinea met meer details over de uitvoering van het programma.",
        "Derde alinea die de rapportage afsluit met een conclusie.",
    ]
    assert layout.metadata["kenmerk"] == "ABC / 1"
    assert layout.metadata["organisatie"] == "Directie Innovatie"


def test_footnotes_alike_on_several_pages_are_not_furniture():
    pages = [
        "Een alinea die naar een Kamerstuk verwijst.1\n\n1 Kamerstuk 33 009 nr. 141",
        "Een alinea die naar een ander Kamerstuk verwijst.2\n\n2 Kamerstuk 33 009 nr. 140",
        "Een slotalinea zonder voetnoot.",
    ]
    layout = parse_pages(pages, pages_known=True)
    notes = [(b.footnote_number, b.text) for b in layout.blocks if b.kind == "footnote"]
    assert notes == [("1", "Kamerstuk 33 009 nr. 141"), ("2", "Kamerstuk 33 009 nr. 140")]


def test_endnotes_under_a_notes_heading_are_footnotes_linked_to_their_markers():
    # A report printed with its notes at the end ("Noten", "1. …"), as Chromium prints a report.
    pages = [
        "1. Inleiding\n\nVoor dit advies heb ik met ruim 250 mensen gesproken.1 Ik dank hen.\n\n"
        "De uitgaven lopen rond 2035 uiteen.2",
        "2. Tot slot\n\nAfwachten is de duurste optie.\n\nNoten\n\n"
        "1. Een overzicht van de gesprekspartners\nstaat in bijlage B.\n2. De bedragen zijn in prijzen van 2025.",
    ]
    document = parse_text("\f".join(pages), "x", "x")
    notes = {p.label: p for p in document.paragraphs if p.kind == "footnote"}
    assert [(p.text, p.page) for p in notes.values()] == [
        ("Een overzicht van de gesprekspartners staat in bijlage B.", 2), ("De bedragen zijn in prijzen van 2025.", 2),
    ]
    assert one(document, "250 mensen").text == "Voor dit advies heb ik met ruim 250 mensen gesproken. Ik dank hen."
    assert one(document, "250 mensen").footnote_refs == (notes["voetnoot 1"].id,)
    assert notes["voetnoot 1"].anchor == "Voor dit advies heb ik met ruim 250 mensen gesproken."
    assert not any(p.text == "Noten" or p.kind == "list_item" for p in document.paragraphs)


def test_a_marker_after_a_year_that_ends_a_sentence_is_a_marker():
    pages = ["The Chips Act entered into force on 21 September 2023.1 It set an ambition.\n\n"
             "1 Regulation (EU) 2023/1781.\n", "1.2 Uitvoering\n\nDe uitvoering start in 2026."]
    document = parse_text("\f".join(pages), "x", "x")
    assert one(document, "entered into force").text == "The Chips Act entered into force on 21 September 2023. It set an ambition."
    assert one(document, "Regulation").kind == "footnote" and one(document, "Regulation").referenced_by
    assert one(document, "Uitvoering").kind == "heading"  # a section number at a line's start is no marker


def test_a_numbered_list_after_the_body_without_a_notes_heading_stays_a_list():
    document = parse_text("De doelen zijn:\n\n1. meer technici;\n2. meer leraren.\n", "x", "x")
    assert not any(p.kind == "footnote" for p in document.paragraphs)


def test_a_number_that_is_no_footnote_marker_stays():
    document = parse_text("Het budget groeit tot 2035 en de sector telt 300 bedrijven.\n\n1 Dit is geen voetnoot.\n", "x", "x")
    assert document.paragraphs[0].text == "Het budget groeit tot 2035 en de sector telt 300 bedrijven."
    assert not any(p.kind == "footnote" for p in document.paragraphs)


def test_report_text_numbered_headings():
    report = load_document(Path(__file__).parent.parent / "fixtures" / "report" / "report.txt", 2**20)
    headings = [(p.text, p.section) for p in report.paragraphs if p.kind == "heading"]
    assert headings == [
        ("Semicon Visie 2035", ()),
        ("1 Inleiding", ()),
        ("2 Ambities", ()),
        ("2.1 Talent", ("2 Ambities",)),
        ("2.2 Kennis en innovatie", ("2 Ambities",)),
        ("3 Uitvoering", ()),
    ]
    assert one(report, "gerichte werving").section == ("2 Ambities", "2.1 Talent")
    assert one(report, "gerichte werving").kind == "list_item"
    assert one(report, "Een programmabureau").section == ("3 Uitvoering",)


def test_section_numbers_are_not_footnote_markers():
    text = "1 Aanpak\n\n1.2 Uitvoering\n\nDe uitvoering start in 2026.\n\n2 Kosten\n\nDe kosten staan in de begroting.\n"
    document = parse_text(text, "x", "x")
    assert [(p.kind, p.text) for p in document.paragraphs if p.kind != "paragraph"] == [
        ("heading", "1 Aanpak"), ("heading", "1.2 Uitvoering"), ("heading", "2 Kosten"),
    ]
    assert one(document, "De kosten").section == ("2 Kosten",)


def test_numbered_headings_straight_below_each_other_are_two():
    document = parse_text("3 Uitvoering\n3.1 Organisatie\n\nEen programmabureau bewaakt de voortgang.\n", "x", "x")
    assert [(p.text, p.section) for p in document.paragraphs] == [
        ("3 Uitvoering", ()), ("3.1 Organisatie", ("3 Uitvoering",)),
        ("Een programmabureau bewaakt de voortgang.", ("3 Uitvoering", "3.1 Organisatie")),
    ]


def test_table_rows_captions_and_contents_entries():
    pages = [
        "Inhoud\n\n1 Inleiding .......... 3\n2 Cijfers .......... 4",
        "1 Inleiding\n\nDe vraag groeit.\n\nTabel 2 Vacatures per niveau\n\nNiveau | 2024 | 2025\nmbo | 4.100 | 4.650\n\n"
        "Figuur 1 Vraag naar netcapaciteit\n\nde vraag stijgt verder.",
    ]
    blocks = parse_pages(pages, pages_known=True).blocks
    got = [(b.kind, b.text) for b in blocks]
    assert ("heading", "Inhoud") in got and not any("....." in t for _, t in got)
    start = got.index(("paragraph", "Tabel 2 Vacatures per niveau"))
    assert got[start + 1 : start + 3] == [("paragraph", "Niveau | 2024 | 2025"), ("paragraph", "mbo | 4.100 | 4.650")]
    # A caption is no heading, and a lower-case line after it does not run on into a table row.
    assert ("paragraph", "Figuur 1 Vraag naar netcapaciteit de vraag stijgt verder.") in got or (
        "paragraph", "Figuur 1 Vraag naar netcapaciteit") in got
    assert not any(kind == "heading" and text.startswith(("Tabel", "Figuur")) for kind, text in got)
