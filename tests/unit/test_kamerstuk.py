"""Kamerstukken from officielebekendmakingen.nl: the XML and the HTML page give the same records."""

from pathlib import Path

import pytest

from ingest.errors import UserError
from ingest.kamerstuk import looks_like_kamerstuk, parse_kamerstuk, parse_kamerstuk_html, parse_kamerstuk_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kst"


def load(name: str):
    path = FIXTURES / name
    data = path.read_bytes()
    parse = parse_kamerstuk_xml if name.endswith(".xml") else parse_kamerstuk_html
    return parse(data, str(path))


@pytest.fixture(scope="module", params=["kst-33009-141.xml", "kst-33009-141.html"])
def doc(request):
    return load(request.param)


def by_text(doc, start: str):
    return next(p for p in doc.paragraphs if p.text.startswith(start))


def test_identity_and_metadata(doc):
    assert doc.id == "kst-33009-141"
    assert doc.title == "Kamerstuk 33009, nr. 141: Voortgang halfgeleiderbeleid (testfixture)"
    meta = doc.metadata
    assert meta["kamerstuk"] == "33009-141"
    assert meta["dossier"] == "33009"
    assert meta["dossier_title"] == "Toekomst van de Nederlandse halfgeleiderindustrie (testdossier)"
    assert meta["stuk"] == "141"
    assert meta["title"] == "BRIEF VAN DE MINISTER VAN ECONOMISCHE ZAKEN"
    assert meta["betreft"] == "Voortgang halfgeleiderbeleid (testfixture)"
    assert meta["date"] == "2025-03-14"
    assert meta["datum"] == "14 maart 2025"
    assert meta["ondertekenaar"] == "A.B. Voorbeeld"
    assert meta["functie_ondertekenaar"] == "De Minister van Economische Zaken"
    assert meta["kamer"] == "Tweede Kamer der Staten-Generaal"
    assert meta["source_url"] == "https://zoek.officielebekendmakingen.nl/kst-33009-141.html"


def test_headings_give_section_paths(doc):
    headings = [p.text for p in doc.paragraphs if p.kind == "heading"]
    assert headings[:5] == ["1. Inleiding", "2. Stand van zaken", "2.1 Talent en onderwijs", "Regionale aanpak", "2.2 Europese samenwerking"]
    assert by_text(doc, "Het kabinet kiest voor drie sporen").section == ("1. Inleiding",)
    assert by_text(doc, "Samen met de regio").section == ("2. Stand van zaken", "2.1 Talent en onderwijs", "Regionale aanpak")
    assert by_text(doc, "Nederland neemt deel").section == ("2. Stand van zaken", "2.2 Europese samenwerking")
    assert by_text(doc, "Met deze brief").section == ()


def test_footnotes_are_linked_both_ways(doc):
    notes = {p.number: p for p in doc.paragraphs if p.kind == "footnote"}
    assert sorted(notes) == [1, 2, 3]
    assert notes[1].label == "voetnoot 1"
    assert notes[1].text == "Kamerstukken II 2023/24, 29 826, nrs. 140 en 141."
    first = by_text(doc, "Met deze brief")
    assert first.footnote_refs == (notes[1].id,)
    assert notes[1].referenced_by == (first.id,)
    # Footnote 2 is cited twice: by a paragraph and by a list item.
    citing = {p.id for p in doc.paragraphs if notes[2].id in p.footnote_refs}
    assert citing == set(notes[2].referenced_by)
    assert {doc.paragraphs[[p.id for p in doc.paragraphs].index(i)].kind for i in citing} == {"paragraph", "list_item"}
    # Markers are not left in the running text.
    assert first.text.endswith("geen bestaand beleid.")
    # A footnote sits in the section of the first paragraph that cites it.
    assert notes[3].section == ("2. Stand van zaken", "2.1 Talent en onderwijs")


def test_list_items_including_nested_lists(doc):
    items = [p.text for p in doc.paragraphs if p.kind == "list_item"]
    assert items == [
        "versterken van het talent voor de microchipketen;",
        "investeren in onderzoek naar fotonica en nieuwe materialen;",
        "a. pilotlijnen voor geïntegreerde fotonica;",
        "b. testfaciliteiten voor het midden- en kleinbedrijf.",
        "verbeteren van de vestigingsvoorwaarden in de Brainportregio.",
    ]


def test_letterhead_closing_and_signature(doc):
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds[:2] == ["letterhead", "letterhead"]
    assert doc.paragraphs[0].text == "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal"
    assert by_text(doc, "Hoogachtend").kind == "closing"
    signature = [p for p in doc.paragraphs if p.kind == "signature"]
    assert [s.text for s in signature] == ["De Minister van Economische Zaken, A.B. Voorbeeld"]
    assert signature[0].label == "ondertekening 1"


def test_references_found_in_text_and_footnotes(doc):
    assert {r.key for r in doc.references} == {"29826-140", "29826-141", "29826-277", "33009-140", "33009-166"}


def test_tables_become_rows(doc):
    assert by_text(doc, "Pilotlijnen").text == "Pilotlijnen | 230"


def test_html_ignores_page_chrome():
    doc = load("kst-33009-141.html")
    text = " ".join(p.text for p in doc.paragraphs)
    for chrome in ("Direct naar content", "cookies", "Uitgebreid zoeken", "Gerelateerde documenten", "PDF-versie",
                   "Datum publicatie", "Officiële bekendmakingen is een dienst", "Noot", "window.print"):
        assert chrome not in text
    assert not any(p.text in {"X", "1", "2", "3"} for p in doc.paragraphs)


def test_xml_and_html_give_the_same_body():
    xml, html = load("kst-33009-141.xml"), load("kst-33009-141.html")
    assert [(p.kind, p.text) for p in xml.paragraphs] == [(p.kind, p.text) for p in html.paragraphs]


def test_second_xml_fixture_with_two_signatories_and_numbered_list():
    doc = load("kst-33009-140.xml")
    assert doc.id == "kst-33009-140"
    assert doc.title == "Kamerstuk 33009, nr. 140: Toekomst van de Nederlandse halfgeleiderindustrie (testdossier)"
    assert doc.metadata["ondertekenaar"] == "A.B. Voorbeeld; C.D. Proefpersoon"
    assert doc.metadata["functie_ondertekenaar"] == (
        "De Minister van Economische Zaken; De Minister van Onderwijs, Cultuur en Wetenschap"
    )
    assert [p.text for p in doc.paragraphs if p.kind == "list_item"][0] == "1. een ontwerpcampus in de testregio Zuid;"
    assert [r.key for r in doc.references] == ["29826-277"]


def test_html_fixture_without_sup_markers_and_with_comments():
    doc = load("kst-29826-277.html")
    assert doc.id == "kst-29826-277"
    assert doc.metadata["date"] == "2024-11-08"
    first = by_text(doc, "Hierbij stuur ik")
    note = next(p for p in doc.paragraphs if p.kind == "footnote")
    assert first.footnote_refs == (note.id,) and note.referenced_by == (first.id,)
    assert by_text(doc, "Microchips zitten").text.endswith("Het kabinet wil de keten in Nederland versterken.")
    assert [p.text for p in doc.paragraphs if p.kind == "list_item"] == ["1. Onderzoek en ontwikkeling.", "2. Productie en toeleveranciers."]
    assert by_text(doc, "1. Onderzoek").section == ("Waarom microchips",)


def test_doc_id_argument_wins_and_dispatch_by_content():
    data = (FIXTURES / "kst-33009-141.xml").read_bytes()
    custom = parse_kamerstuk(data, "x.xml", doc_id="eigen-id")
    assert custom.id == "eigen-id"
    assert custom.metadata["source_url"] == "https://zoek.officielebekendmakingen.nl/kst-33009-141.html"
    assert parse_kamerstuk(data, "x.xml").format == "kamerstuk-xml"
    assert parse_kamerstuk((FIXTURES / "kst-29826-277.html").read_bytes(), "x.html").format == "kamerstuk-html"


def test_looks_like_kamerstuk():
    for name in ("kst-33009-141.xml", "kst-33009-141.html", "kst-29826-277.html", "kst-33009-140.xml"):
        assert looks_like_kamerstuk((FIXTURES / name).read_bytes())
    assert not looks_like_kamerstuk(b"<!DOCTYPE html><html><body><h1>Pagina niet gevonden</h1></body></html>")
    assert not looks_like_kamerstuk(b"%PDF-1.7 ...")
    assert not looks_like_kamerstuk(b"<?xml version='1.0'?><rss><channel/></rss>")
    assert not looks_like_kamerstuk(b"Kamerstuk 33009 nr. 141 als platte tekst")


def test_unreadable_input_is_a_user_error():
    with pytest.raises(UserError, match="niet leesbaar"):
        parse_kamerstuk_xml(b"<kamerstuk><al>kapot</kamerstuk>", "kapot.xml")
    with pytest.raises(UserError, match="geen Kamerstuk"):
        parse_kamerstuk_xml(b"<?xml version='1.0'?><rss/>", "feed.xml")
    with pytest.raises(UserError, match="geen leesbare tekst"):
        parse_kamerstuk_html(b"<html><body><div id='broodtekst'></div></body></html>", "leeg.html")


def test_xml_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("TOPGEHEIM")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        "<officiele-publicatie><kamerstuk><stuk><algemeen><al>Tekst &e; hier.</al></algemeen></stuk></kamerstuk>"
        "</officiele-publicatie>"
    ).encode()
    doc = parse_kamerstuk_xml(data, "kst-1-1.xml")
    assert "TOPGEHEIM" not in " ".join(p.text for p in doc.paragraphs)


def test_html_edge_cases_do_not_break_parsing():
    data = (
        "<html><head><meta name='DC.identifier' content='kst-33009-999'></head><body><div id='broodtekst'>"
        "Losse tekst zonder alinea<sup><a href='#n1'>1</a></sup>"
        "<div><p>Alinea <b>vet</b> en <i>cursief</i>.</p><p></p><p>   </p></div>"
        "<ul><li>Punt <ul><li>genest</li></ul></li></ul>"
        "<div id='noten'><div class='voet noot'><sup><span class='nootnum'>1</span></sup><p>Noottekst.</p></div></div>"
        "</div></body></html>"
    ).encode("utf-8")
    doc = parse_kamerstuk_html(data, "rommel.html")
    assert doc.id == "kst-33009-999"
    texts = [(p.kind, p.text) for p in doc.paragraphs]
    assert ("paragraph", "Losse tekst zonder alinea") in texts
    assert ("paragraph", "Alinea vet en cursief.") in texts
    assert ("list_item", "Punt") in texts and ("list_item", "genest") in texts
    note = next(p for p in doc.paragraphs if p.kind == "footnote")
    assert note.text == "Noottekst." and len(note.referenced_by) == 1


# ------------------------------------------------------------ Kamerstukken as published (issue 10)
# Fixtures follow the element structure zoek.officielebekendmakingen.nl serves; tests/fixtures/kst/README.md
# says for each which public structure it follows.


def texts(doc, kind: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.kind == kind]


def test_older_kamerwrk_schema_is_read():
    path = FIXTURES / "kst-25900-XIII-4.xml"
    assert looks_like_kamerstuk(path.read_bytes())
    doc = load(path.name)
    meta = doc.metadata
    assert doc.id == "kst-25900-XIII-4"
    assert (meta["dossier"], meta["stuk"], meta["kamerstuk"]) == ("25900-XIII", "4", "25900-XIII-4")
    assert meta["title"] == "BRIEF VAN DE MINISTER VAN ECONOMISCHE ZAKEN"
    assert meta["dossier_title"].startswith("Vaststelling van de begroting van Economische Zaken (XIII)")
    assert meta["vergaderjaar"] == "1997-1998"
    assert meta["kamer"] == "Tweede Kamer der Staten-Generaal"
    assert texts(doc, "heading") == ["1. Microtechnologie", "2. Vervolg"]
    # <inf>, <dossierref> and <extref> are running text; an <?xpp?> instruction inside a word is no space.
    cited = by_text(doc, "De uitstoot van CO2 door de testfabriek daalt")
    assert cited.text.endswith("Kamerstukken II 1997/98, 25 800, nr. 2 en op de testsite.")
    assert by_text(doc, "Het chipontwerp").text == "Het chipontwerp blijft in Nederland."
    # A root-level <voetnoot> is the footnote its <voetref> points at.
    (note,) = [p for p in doc.paragraphs if p.kind == "footnote"]
    assert note.text == "Ter inzage gelegd bij de afdeling Parlementaire Documentatie."
    assert cited.footnote_refs == (note.id,) and note.section == ("1. Microtechnologie",)
    assert texts(doc, "signature") == ["De Minister van Economische Zaken, A. B. Proefminister"]
    assert (meta["ondertekenaar"], meta["functie_ondertekenaar"]) == ("A. B. Proefminister", "De Minister van Economische Zaken")
    assert "25800-2" in {r.key for r in doc.references}
    assert "xpp" not in " ".join(p.text for p in doc.paragraphs)


def test_kamer_is_the_chamber_not_its_number():
    for name in ("kst-37020-X-1.xml", "kst-21501-30-612.xml"):
        assert load(name).metadata["kamer"] == "Tweede Kamer der Staten-Generaal"


@pytest.mark.parametrize("name", ["kst-21501-30-612.xml", "kst-21501-30-612.html"])
def test_every_indiener_is_kept(name):
    assert load(name).metadata["indiener"] == "P.Q. Testpersoon; R.S. Voorbeeldig"


@pytest.mark.parametrize("name", ["kst-21501-30-612.xml", "kst-21501-30-612.html", "kst-25900-XIII-4.xml"])
def test_addressee_and_place_date_in_plain_paragraphs_are_letterhead(name):
    doc = load(name)
    first, second = doc.paragraphs[:2]
    assert (first.kind, first.text) == ("letterhead", "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal")
    assert second.kind == "letterhead"
    expected = {"kst-25900-XIII-4.xml": ("1997-11-12", "12 november 1997")}.get(name, ("2023-07-07", "7 juli 2023"))
    assert (doc.metadata["date"], doc.metadata["datum"]) == expected
    # What follows the place and date is the body.
    assert doc.paragraphs[2].kind in ("paragraph", "heading")


def test_a_date_line_after_the_body_has_started_is_running_text():
    data = (
        b"<officiele-publicatie><kamerstuk><stuk><algemeen><vrije-tekst><tekst>"
        b"<al>Het kabinet schrijft op 1 mei 2023 een brief.</al><al>Den Haag, 7 juli 2023</al>"
        b"</tekst></vrije-tekst></algemeen></stuk></kamerstuk></officiele-publicatie>"
    )
    doc = parse_kamerstuk_xml(data, "x.xml")
    assert [p.kind for p in doc.paragraphs] == ["paragraph", "paragraph"] and "date" not in doc.metadata


@pytest.mark.parametrize(
    ("name", "caption", "row"),
    [
        ("kst-37020-X-1.xml", "Vastgestelde departementale begrotingsstaat van het ministerie van Defensie (X) voor het jaar 2027 (bedragen x € 1.000)",
         "1 | Inzet | 2.727.644 | 2.856.815 | 97.087"),
        ("kst-21501-30-612.xml", "Tabel 1 Testbudget (bedragen x € 1.000)", "Ontwerpcentra | 1.250"),
        ("kst-21501-30-612.html", "Tabel 1 Testbudget (bedragen x € 1.000)", "Ontwerpcentra | 1.250"),
    ],
)
def test_table_caption_is_kept_before_its_rows(name, caption, row):
    doc = load(name)
    records = [p.text for p in doc.paragraphs]
    start = records.index(caption)
    assert doc.paragraphs[start].kind == "paragraph"
    assert row in records[start + 1 : start + 4]


@pytest.mark.parametrize("name", ["kst-21501-30-612.xml", "kst-21501-30-612.html"])
def test_signature_with_deze_and_voornaam(name):
    doc = load(name)
    assert doc.metadata["ondertekenaar"] == "P.Q. Testpersoon"
    assert doc.metadata["functie_ondertekenaar"] == (
        "De Minister van Economische Zaken en Klimaat, namens deze, De directeur-generaal Bedrijfsleven en Innovatie"
    )
    assert texts(doc, "signature") == [
        "De Minister van Economische Zaken en Klimaat, namens deze, De directeur-generaal Bedrijfsleven en Innovatie, P.Q. Testpersoon"
    ]


def test_bill_with_budget_chapter_wie_considerans_and_articles():
    doc = load("kst-37020-X-1.xml")
    meta = doc.metadata
    assert doc.id == "kst-37020-X-1" and meta["dossier"] == "37020-X" and meta["kamerstuk"] == "37020-X-1"
    assert meta["source_url"] == "https://zoek.officielebekendmakingen.nl/kst-37020-X-1.html"
    assert (meta["date"], meta["datum"]) == ("2026-09-15", "15 september 2026")
    assert doc.paragraphs[0].kind == "letterhead" and doc.paragraphs[0].text == "Ontvangen 15 september 2026"
    assert by_text(doc, "Wij Willem-Alexander").kind == "paragraph"
    assert by_text(doc, "Alzo Wij in overweging").kind == "paragraph"
    assert texts(doc, "heading")[:2] == ["Artikel 1", "Artikel 2"]
    assert by_text(doc, "De bij deze wet behorende begrotingsstaat inzake").section == ("Artikel 2",)
    assert (meta["ondertekenaar"], meta["functie_ondertekenaar"]) == ("D. Yeşilgöz-Zegerius", "De Minister van Defensie")


def test_several_dossiers_raadnr_and_rijkswetnr():
    xml, html = load("kst-21501-30-612.xml"), load("kst-21501-30-612.html")
    for doc in (xml, html):
        assert doc.id == "kst-21501-30-612"
        assert (doc.metadata["dossier"], doc.metadata["dossiers_extra"]) == ("21501-30", "36512")
        assert doc.metadata["dossier_title"] == "Raad voor Concurrentievermogen (testdossier)"
    assert xml.metadata["rijkswetnummer"] == "R2201"


def test_xml_and_html_of_the_published_letter_give_the_same_body():
    xml, html = load("kst-21501-30-612.xml"), load("kst-21501-30-612.html")
    assert [(p.kind, p.text) for p in xml.paragraphs] == [(p.kind, p.text) for p in html.paragraphs]


@pytest.mark.parametrize("name", ["kst-21501-30-612.xml", "kst-21501-30-612.html"])
def test_table_of_contents_is_not_running_text(name):
    doc = load(name)
    assert not [p.text for p in doc.paragraphs if "Inhoudsopgave" in p.text]
    assert texts(doc, "heading") == ["1. Inzet van het kabinet", "2. Begroting"]
    assert by_text(doc, "Met deze testbrief").footnote_refs  # the body itself is all there


def test_xhtml_with_an_xml_declaration_is_read_as_html():
    data = (FIXTURES / "ah-tk-20222023-3456.html").read_bytes()
    assert data.startswith(b"<?xml")
    for parse in (parse_kamerstuk, parse_kamerstuk_xml):
        doc = parse(data, "ah-tk-20222023-3456.html")
        assert doc.format == "kamerstuk-html" and by_text(doc, "Kent u het bericht")


def test_kamervragen_keep_every_question_heading():
    doc = parse_kamerstuk_html((FIXTURES / "ah-tk-20222023-3456.html").read_bytes(), "ah-tk-20222023-3456.html")
    assert texts(doc, "heading")[1:] == ["Vraag 1", "Vraag 2", "Antwoord 1", "Antwoord 2"]
    assert by_text(doc, "Hoeveel testchips").section == ("Vraag 2",)
    assert by_text(doc, "Ongeveer duizend").section == ("Antwoord 2",)
    note = next(p for p in doc.paragraphs if p.kind == "footnote")
    assert note.text == "Testkrant, 1 juli 2023." and by_text(doc, "Kent u het bericht").footnote_refs == (note.id,)
    # p.dagtekening is the date of the publication.
    assert (doc.metadata["date"], doc.metadata["datum"]) == ("2023-07-24", "24 juli 2023")
    assert by_text(doc, "Den Haag, 24 juli 2023").kind == "letterhead"


def test_content_inside_the_main_form_is_read():
    from ingest.loader import parse_bytes

    page = (
        b"<!DOCTYPE html><html><head><title>Staatscourant</title></head><body><form id='mainForm' method='post'>"
        b"<nav><a href='/'>Home</a></nav><label for='q'>Zoeken</label><input id='q'><button>Zoek</button>"
        b"<main><h1>Regeling testchips</h1><p>Deze regeling geldt voor testchips.</p></main></form></body></html>"
    )
    doc = parse_bytes(page, "html", "regeling.html", "regeling")
    assert [p.text for p in doc.paragraphs] == ["Regeling testchips", "Deze regeling geldt voor testchips."]
    # The published page wraps everything in form#mainForm; its site chrome can push the content far down.
    kst = (FIXTURES / "kst-21501-30-612.html").read_bytes()
    padded = kst.replace(b"</head>", b"<script>" + b"var x = 1;\n" * 8000 + b"</script></head>")
    assert len(padded.split(b'id="broodtekst"')[0]) > 65536
    assert looks_like_kamerstuk(padded)
    assert [p.text for p in parse_bytes(padded, "html", "kst.html", "kst").paragraphs] == [
        p.text for p in load("kst-21501-30-612.html").paragraphs
    ]


def test_document_ids_keep_the_official_case(tmp_path):
    from ingest.loader import doc_id_for, load_document

    for stem in ("kst-37020-X-1", "kst-37020-x-1", "KST-37020-X-01"):
        assert doc_id_for(Path(f"{stem}.xml")) == "kst-37020-X-1"
    assert doc_id_for(Path("kst-33009-141.xml")) == "kst-33009-141"
    copy = tmp_path / "kst-37020-x-1.xml"
    copy.write_bytes((FIXTURES / "kst-37020-X-1.xml").read_bytes())
    doc = load_document(copy, 10_000_000)
    assert doc.id == "kst-37020-X-1"
    assert doc.metadata["source_url"].endswith(f"/{doc.id}.html")
    assert {p.doc_id for p in doc.paragraphs} == {doc.id}
    assert parse_kamerstuk(copy.read_bytes(), "brief.xml").id == doc.id
