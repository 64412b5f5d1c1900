"""Kamerstukken as zoek.officielebekendmakingen.nl publishes them: the XML and the HTML page.

The XML follows the "officiele-publicaties" schema (<kamerstuk>, <dossier>, <stuk>, <al>,
<tussenkop>, <divisie>/<kop>, <lijst>/<li>, inline <noot> footnotes, <slotformule>,
<ondertekening>), or for stukken up to about 2009 the older "kamerwrk" schema (<frontm> with
<vergjaar> and <onderw>, <body>/<stuk> with <ltrlabel>/<nummer>, <tuskop>, <ondtek>, and
root-level <voetnoot> bodies that <voetref> markers point at). The HTML page (HTML or XHTML) is
the same document rendered inside the site's chrome (header, navigation, sidebar, footer, all
of it inside form#mainForm); only its content area (div#broodtekst) is read. All become the
same format-neutral blocks, so every format gives the same records.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import UserError
from ingest.assemble import MARKED, Block, assemble, mark, unmark
from ingest.records import Document, normalize_space

BASE_URL = "https://zoek.officielebekendmakingen.nl"

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
        start=1,
    )
}
_DUTCH_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_KST_NAME = re.compile(r"^kst-(\d{5}(?:-(?:\d{2}|[IVXLC]+|[A-Z]))?)-(\d{1,5})$", re.IGNORECASE)
# Labels of bullet lists carry no meaning; numbered labels ("1.", "a.") are kept in the text.
_BULLETS = set("-–—•·*▪◦o")
# A letter that writes its letterhead as plain paragraphs: "Aan de Voorzitter van …" and
# "Den Haag, 7 juli 2023" ("'s-Gravenhage, 12 november 1997") before the body starts.
_PLACE_DATE = re.compile(
    r"^(?:['’]s-)?[A-Z][\w.-]*(?:[ -][\w.-]+){0,3},\s*\d{1,2}\s+(?:" + "|".join(_MONTHS) + r")\s+\d{4}\.?$", re.IGNORECASE
)
_ADDRESSEE = re.compile(r"^Aan (?:de|het)\s+\S")
_ADDRESSEE_MAX_CHARS = 160
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_XML_ROOTS = {"officiele-publicatie", "kamerstuk", "kamerwrk"}


def root_element(data: bytes) -> tuple[str, str]:
    """(namespace, name) of the first element of `data`, ("", "") when it has none.

    Only the start of the document is parsed, so the answer does not depend on an XML
    declaration or doctype, nor on whether the rest of the page is well-formed XML.
    """
    from lxml import etree

    events = etree.iterparse(
        io.BytesIO(data[:65536]), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _event, element in events:
            name = etree.QName(element)
            return name.namespace or "", name.localname
    except etree.XMLSyntaxError:
        pass
    return "", ""


def is_html(data: bytes) -> bool:
    """Whether `data` is an (X)HTML page: its root element, or for HTML that is no XML, its <html> tag."""
    namespace, name = root_element(data)
    if name:
        return name.lower() == "html" or namespace == _XHTML_NS
    return bool(re.search(rb"<html[\s>]", data[:65536], re.IGNORECASE))


def looks_like_kamerstuk(data: bytes) -> bool:
    """Whether `data` is a Kamerstuk as XML (either schema) or as the (X)HTML page of officielebekendmakingen.nl."""
    if is_html(data):
        head = data[:65536].decode("utf-8", "ignore")
        # The page names itself in its <head>; its content may come after a lot of site chrome.
        if re.search(r"content\s*=\s*[\"']kst-\d", head, re.IGNORECASE):
            return True
        text = data.decode("utf-8", "ignore")
        has_content = re.search(r"id\s*=\s*[\"']?broodtekst", text, re.IGNORECASE)
        is_kst = re.search(r"class\s*=\s*[\"'][^\"']*\b(?:stuktitel|dossiertitel)\b", text, re.IGNORECASE)
        return bool(has_content and is_kst)
    _namespace, name = root_element(data)
    if name == "officiele-publicatie":  # also used for the Staatscourant and other publications
        return bool(re.search(r"<(?:kamerstuk|stuk|dossier)[\s>]", data[:65536].decode("utf-8", "ignore")))
    return name in _XML_ROOTS


def parse_kamerstuk(data: bytes, path: str, doc_id: str | None = None) -> Document:
    """Parse any format: the (X)HTML page when the root element is <html>, the XML otherwise."""
    if is_html(data):
        return parse_kamerstuk_html(data, path, doc_id)
    return parse_kamerstuk_xml(data, path, doc_id)


def official_id(name: str) -> str:
    """'kst-37020-x-1' -> 'kst-37020-X-1': a Kamerstuk file name as the site spells the id; '' otherwise."""
    match = _KST_NAME.match(name)
    return f"kst-{match.group(1).upper()}-{int(match.group(2))}" if match else ""


@dataclass
class _Builder:
    """Collects body blocks, footnotes (by printed number) and metadata for either format."""

    blocks: list[Block] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    # Per footnote number, the sentence that carried its marker where it was last taken out of the text.
    anchors: dict[str, str] = field(default_factory=dict)

    def unmark(self, text: str) -> tuple[str, list[str]]:
        """Running text with `mark`ed footnote markers -> the text and its marker numbers."""
        clean, markers, sentences = unmark(text)
        self.anchors.update(zip(markers, sentences))
        return clean, list(markers)

    def add(self, kind: str, text: str, level: int = 1, markers: list[str] | tuple[str, ...] = ()) -> None:
        text = normalize_space(text)
        if not text:
            return
        if kind == "paragraph" and self._in_letterhead():
            if _PLACE_DATE.match(text):
                self.dated(text)
                kind = "letterhead"
            elif _ADDRESSEE.match(text) and len(text) <= _ADDRESSEE_MAX_CHARS:
                kind = "letterhead"
        markers = tuple(dict.fromkeys(markers))
        sentences = tuple(self.anchors.get(number, "") for number in markers)
        self.blocks.append(Block(kind=kind, text=text, level=max(1, level), footnote_markers=markers, marker_sentences=sentences))

    def _in_letterhead(self) -> bool:
        """Nothing but letterhead so far: where an addressee and a place and date stand."""
        return len(self.blocks) < 3 and all(block.kind == "letterhead" for block in self.blocks)

    def also(self, key: str, value: str) -> None:
        """A metadata field that may hold several values (indieners, extra dossiers), "; "-joined."""
        value = normalize_space(value)
        values = [v for v in self.meta.get(key, "").split("; ") if v]
        if value and value not in values:
            self.meta[key] = "; ".join([*values, value])

    def note(self, number: str, text: str) -> None:
        number, text = normalize_space(number), normalize_space(text)
        if number and text:
            self.notes.setdefault(number, text)

    def signatory(self, name: str, function: str) -> None:
        name, function = normalize_space(name), normalize_space(function).rstrip(",")
        for key, value in (("ondertekenaar", name), ("functie_ondertekenaar", function)):
            if value:
                previous = self.meta.get(key)
                self.meta[key] = f"{previous}; {value}" if previous else value

    def dated(self, printed: str, iso: str = "") -> None:
        printed = normalize_space(printed)
        if printed:
            match = _DUTCH_DATE.search(printed)
            self.meta.setdefault("datum", match.group(0) if match else printed)
        iso = iso or _iso_date(printed)
        if iso:
            self.meta.setdefault("date", iso)

    def document(self, path: str, doc_id: str | None, fmt: str) -> Document:
        meta = {k: v for k, v in self.meta.items() if v}
        dossier, number = meta.get("dossier", ""), meta.get("stuk", "")
        if dossier and number:
            meta["kamerstuk"] = f"{dossier}-{number}"
        doc_id = doc_id or (f"kst-{meta['kamerstuk']}" if "kamerstuk" in meta else _id_from_path(path))
        publication = f"kst-{meta['kamerstuk']}" if "kamerstuk" in meta else doc_id
        if publication.startswith("kst-"):
            meta["source_url"] = f"{BASE_URL}/{publication}.html"
        meta["type"] = "kamerstuk"
        if not self.blocks:
            raise UserError("geen leesbare tekst van een Kamerstuk gevonden.")
        return assemble(doc_id, _title(meta, doc_id), path, fmt, self._with_footnotes(), meta)

    def _with_footnotes(self) -> list[Block]:
        """Each footnote right after the first block citing it, so it shares that block's section."""
        pending = dict(self.notes)
        ordered: list[Block] = []
        for block in self.blocks:
            ordered.append(block)
            for number in block.footnote_markers:
                if number in pending:
                    ordered.append(Block(kind="footnote", text=pending.pop(number), footnote_number=number))
        ordered += [Block(kind="footnote", text=text, footnote_number=nr) for nr, text in pending.items()]
        return ordered


def _title(meta: dict[str, str], doc_id: str) -> str:
    if "kamerstuk" in meta:
        base = f"Kamerstuk {meta['dossier']}, nr. {meta['stuk']}"
    else:
        base = doc_id
    subject = meta.get("betreft") or meta.get("dossier_title")
    return f"{base}: {subject}" if subject else base


def _id_from_path(path: str) -> str:
    stem = Path(path).stem
    return official_id(stem) or stem


def _iso_date(text: str) -> str:
    match = _DUTCH_DATE.search(text or "")
    if not match:
        return ""
    day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    return f"{year:04d}-{month:02d}-{day:02d}"


def _dossier_number(text: str) -> str:
    """'33 009' -> '33009'; keeps a sub-dossier or chapter that is part of the publication id."""
    match = re.search(r"(\d{2})[\s.\u00a0]?(\d{3})(?:\s*-\s*(\d{2})\b|[\s-]+([IVXLC]+|[A-Z])\b)?", text)
    if not match:
        return ""
    number = match.group(1) + match.group(2)
    suffix = match.group(3) or match.group(4)
    return f"{number}-{suffix}" if suffix else number


def _stuk_number(text: str) -> str:
    match = re.search(r"(\d{1,5})", text)
    return str(int(match.group(1))) if match else ""


def _list_label(label: str) -> str:
    label = normalize_space(label)
    return "" if not label or set(label) <= _BULLETS | {" "} else label


# ---------------------------------------------------------------------------------- XML


_XML_SKIP = {
    "metadata", "kamerstukkop", "dossier", "stuknr", "plaatje", "illustratie", "colspec", "witreg", "nootref",
    "officiele-inhoudsopgave", "ltrlabel", "voetref",
}  # fmt: skip
_XML_BLOCKS = {
    "al", "al-groep", "tussenkop", "tuskop", "divisie", "kop", "lijst", "li", "table", "slotformule", "ondertekening",
    "ondtek", "ontvanger", "datumtekst", "plaats-datum", "tekst", "brief", "brieftekst", "algemeen", "vrije-tekst",
    "aanhef", "tekst-sluiting", "artikel", "lid", "bijlage", "considerans", "considerans.al", "wat", "box",
    "definitielijst", "definitie-item", "slotzin", "voetnoot", "wie",
}  # fmt: skip
# Parts of a name that the XML writes without a space between them: <voornaam>S.</voornaam><achternaam>…
_NAME_PARTS = {"voornaam", "voorletters", "tussenvoegsel", "achternaam"}
_FOOTNOTES = {"noot", "voetnoot"}


def parse_kamerstuk_xml(data: bytes, path: str, doc_id: str | None = None) -> Document:
    """A Kamerstuk in the XML of officielebekendmakingen.nl (either schema); an XHTML page goes to the HTML reader."""
    from lxml import etree

    if is_html(data):
        return parse_kamerstuk_html(data, path, doc_id)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise UserError("XML-bestand is niet leesbaar (geen geldige XML).") from None
    kamerstuk = next((e for e in root.iter() if _name(e) in ("kamerstuk", "kamerwrk")), None)
    if kamerstuk is None:
        raise UserError("XML-bestand is geen Kamerstuk in het formaat van officielebekendmakingen.nl.")
    reader = _XmlReader(root)
    if _name(kamerstuk) == "kamerwrk":
        reader.read_kamerwrk(kamerstuk)
    else:
        reader.read(kamerstuk)
    return reader.out.document(path, doc_id, "kamerstuk-xml")


def _name(el: Any) -> str:
    tag = getattr(el, "tag", None)
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _own_text(el: Any) -> str:
    return normalize_space("".join(el.itertext()))


class _XmlReader:
    def __init__(self, root: Any) -> None:
        self.out = _Builder()
        # <nootref refid> and <voetref refid> point at a footnote that may only come later in the document.
        self.note_ids = {}
        for el in root.iter():
            if _name(el) in _FOOTNOTES and el.get("id"):
                self.note_ids[el.get("id")] = self._note_number(el)
        for el in root.iter():
            if _name(el) in ("meta", "metadata") and el.get("name") and el.get("content"):
                self._meta(el.get("name"), el.get("content"))

    def _meta(self, name: str, content: str) -> None:
        keys = {
            "OVERHEIDop.documenttitel": "betreft",
            "OVERHEIDop.dossiertitel": "dossier_title",
            "OVERHEIDop.vergaderjaar": "vergaderjaar",
            "DCTERMS.issued": "date",
        }
        if name == "OVERHEIDop.indiener":
            self.out.also("indiener", content)
        elif name in keys:
            self.out.meta.setdefault(keys[name], normalize_space(content))

    def read(self, kamerstuk: Any) -> None:
        meta = self.out.meta
        for child in kamerstuk:
            name = _name(child)
            if name == "kamerstukkop":
                for line in child:
                    kind, text = (line.get("inhoud") or "").lower(), normalize_space(self.inline(line, []))
                    if "vergaderjaar" in kind:
                        meta["vergaderjaar"] = re.sub(r"^Vergaderjaar\s+", "", text, flags=re.IGNORECASE)
                    elif kind in ("kamer", "kameraanduiding"):  # not "kamernummer" ("2") nor "documenttype"
                        meta["kamer"] = text
            elif name == "dossier":
                self._dossier(child)
            elif name == "stuk":
                self._stuk(child)

    def read_kamerwrk(self, root: Any) -> None:
        """The older schema: <kop> with the chamber, <frontm> with year and dossier, <body>/<stuk>, root <voetnoot>s."""
        meta = self.out.meta
        for child in root:
            name = _name(child)
            if name == "kop":
                for line in child:
                    text = normalize_space(self.inline(line, []))
                    if text.lower().startswith("vergaderjaar"):
                        meta.setdefault("vergaderjaar", re.sub(r"^Vergaderjaar\s+", "", text, flags=re.IGNORECASE))
                    elif _name(line) == "titel" and text:
                        meta.setdefault("kamer", text)
            elif name == "frontm":
                for el in child.iter():
                    if _name(el) == "vergjaar":
                        meta.setdefault("vergaderjaar", _own_text(el))
                    elif _name(el) == "onderw":
                        parts = {_name(part): part for part in el}
                        number = _dossier_number(_own_text(parts["nummer"])) if "nummer" in parts else ""
                        title = normalize_space(self.inline(parts["naam"], [])) if "naam" in parts else ""
                        self._add_dossier(number, title)
            elif name == "body":
                for part in child:
                    if _name(part) == "stuk":
                        self._stuk(part)
                    else:
                        self.walk_one(part, 0)
            elif name == "voetnoot":
                self._register_note(child)

    def _dossier(self, dossier: Any) -> None:
        title = next((normalize_space(self.inline(c, [])) for c in dossier if _name(c) == "titel"), "")
        for child in dossier:
            if _name(child) == "dossiernummer":
                self._add_dossier(self._dossiernummer(child), title)
                title = ""  # a second number in the same <dossier> shares its title

    def _dossiernummer(self, el: Any) -> str:
        """<dossiernr>37 020</dossiernr><begrotingshoofdstuk>X</…> -> '37020-X'; <raadnr>30</raadnr> -> '21501-30'."""
        parts = {_name(part): _own_text(part) for part in el}
        if parts.get("rijkswetnr"):
            self.out.meta.setdefault("rijkswetnummer", parts["rijkswetnr"])
        if "dossiernr" not in parts:
            return _dossier_number(_own_text(el))
        number = _dossier_number(parts["dossiernr"])
        part = parts.get("raadnr") or parts.get("begrotingshoofdstuk") or ""
        return f"{number}-{part.upper()}" if number and part and "-" not in number else number

    def _add_dossier(self, number: str, title: str) -> None:
        if number and "dossier" not in self.out.meta:
            self.out.meta["dossier"] = number
            if title:
                self.out.meta["dossier_title"] = title
        elif number and number != self.out.meta.get("dossier"):
            self.out.meta["dossiers_extra"] = ", ".join(filter(None, [self.out.meta.get("dossiers_extra", ""), number]))

    def _stuk(self, stuk: Any) -> None:
        for child in stuk:
            name = _name(child)
            if name == "stuknr":
                ondernummer = next((e for e in child.iter() if _name(e) == "ondernummer"), child)
                self.out.meta["stuk"] = _stuk_number("".join(ondernummer.itertext()))
            elif name == "nummer":  # kamerwrk: <ltrlabel>Nr. </ltrlabel><nummer>3</nummer>
                self.out.meta.setdefault("stuk", _stuk_number(_own_text(child)))
            elif name == "titel":
                self.out.meta["title"] = normalize_space(self.inline(child, []))
            else:
                self.walk_one(child, 0)

    def walk(self, el: Any, depth: int) -> None:
        for child in el:
            self.walk_one(child, depth)

    def walk_one(self, el: Any, depth: int) -> None:
        name = _name(el)
        out = self.out
        if not name or name in _XML_SKIP:
            return
        if name == "divisie":
            self.walk(el, depth + 1)
        elif name == "kop":
            markers: list[str] = []
            out.add("heading", self._kop_text(el, markers), level=max(depth, 1), markers=markers)
        elif name in ("tussenkop", "tuskop"):
            markers = []
            out.add("heading", self.inline(el, markers), level=depth + 1, markers=markers)
        elif name == "lijst":
            self._list(el)
        elif name == "slotformule":
            markers = []
            out.add("closing", self.inline(el, markers), markers=markers)
        elif name in ("ondertekening", "ondtek"):
            self._signature(el)
        elif name == "ontvanger":
            out.add("letterhead", self.inline(el, []))
        elif name in ("datumtekst", "plaats-datum"):
            text = self.inline(el, [])
            iso = next((d.get("isodatum") for d in el.iter() if _name(d) == "datum" and d.get("isodatum")), "")
            out.dated(text, iso)
            out.add("letterhead", text)
        elif name == "table":
            self._table(el)
        elif name in _FOOTNOTES:
            self._register_note(el)
        elif name == "aanhef" and not self._has_blocks(el):
            out.add("salutation", self.inline(el, []))
        elif self._has_blocks(el):
            self.walk(el, depth)
        else:
            markers = []
            out.add("paragraph", self.inline(el, markers), markers=markers)

    @staticmethod
    def _has_blocks(el: Any) -> bool:
        return any(_name(child) in _XML_BLOCKS for child in el)

    def inline(self, el: Any, markers: list[str]) -> str:
        """Running text of an element; footnotes become markers (added to `markers`), not text."""
        text, found = self.out.unmark(self._marked(el))
        markers.extend(found)
        return text

    def _marked(self, el: Any) -> str:
        """Running text of an element with its footnote markers `mark`ed where they stand."""
        parts = [el.text or ""] if isinstance(el.tag, str) else []
        for child in el:
            name = _name(child)
            if name in _FOOTNOTES:
                parts.append(mark(self._register_note(child)))
            elif name in ("nootref", "voetref"):
                number = self.note_ids.get(child.get("refid") or "") or child.get("nr") or _own_text(child)
                if number:
                    parts.append(mark(number))
            elif name in ("li.nr", "lidnr"):
                pass
            elif name:
                text = self._marked(child)
                parts.append(f" {text} " if name in _XML_BLOCKS or name in _NAME_PARTS or name == "br" else text)
            parts.append(child.tail or "")
        return "".join(parts)

    def _note_number(self, noot: Any) -> str:
        if _name(noot) == "voetnoot":
            return normalize_space(noot.get("nr") or "")
        number = next((e for e in noot if _name(e) == "noot.nr"), None)
        return normalize_space("".join(number.itertext())) if number is not None else ""

    def _register_note(self, noot: Any) -> str:
        number = self._note_number(noot) or str(len(self.out.notes) + 1)
        texts = [self.inline(part, []) for part in noot if _name(part) not in ("noot.nr", "")]
        if not texts:
            texts = [noot.text or ""]
        self.out.note(number, " ".join(texts))
        return number

    def _kop_text(self, kop: Any, markers: list[str]) -> str:
        parts = [self.inline(part, markers) for part in kop if _name(part) in ("label", "nr", "titel")]
        return " ".join(parts) if parts else self.inline(kop, markers)

    def _list(self, lijst: Any) -> None:
        for li in lijst:
            if _name(li) != "li":
                continue
            label = next(("".join(e.itertext()) for e in li if _name(e) == "li.nr"), "")
            markers: list[str] = []
            texts = [li.text or ""]
            nested = []
            for child in li:
                if _name(child) == "lijst":
                    nested.append(child)
                elif _name(child) != "li.nr":
                    texts.append(self.inline(child, markers))
                texts.append(child.tail or "")
            label = _list_label(label)
            text = normalize_space(" ".join(texts))
            self.out.add("list_item", f"{label} {text}" if label else text, markers=markers)
            for sub in nested:
                self._list(sub)

    def _signature(self, el: Any) -> None:
        """Each <naam> signs with the <functie>s and <deze> ("namens deze,") written before it."""
        function: list[str] = []
        for node in el.iter():
            name = _name(node)
            if name == "naam":
                self.out.signatory(self.inline(node, []), " ".join(function))
                function = []
            elif name == "functie":
                function.append(normalize_space(self.inline(node, [])))
            elif name == "deze":  # its own words; a <functie> or <naam> inside it comes by itself
                function.append(normalize_space(node.text or ""))
        parts = [normalize_space(self.inline(child, [])) for child in el if _name(child)]
        self.out.add("signature", " ".join(p for p in parts if p) or self.inline(el, []))

    def _table(self, table: Any) -> None:
        """The caption (<title>) as a record of its own, then one record per row, cells joined with " | "."""
        for child in table:
            if _name(child) == "title":
                markers: list[str] = []
                self.out.add("paragraph", self.inline(child, markers), markers=markers)
        for row in table.iter():
            if _name(row) == "row":
                markers = []
                cells = [normalize_space(self.inline(cell, markers)) for cell in row if _name(cell) == "entry"]
                self.out.add("paragraph", " | ".join(c for c in cells if c), markers=markers)


# --------------------------------------------------------------------------------- HTML


_HTML_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "blockquote", "dl", "dt", "dd", "figure", "pre", "hr",
}  # fmt: skip
# Not <form>: the site wraps the whole page, content included, in form#mainForm; its controls are chrome.
_HTML_CHROME_TAGS = ["script", "style", "noscript", "nav", "button", "iframe", "svg", "template", "input", "select", "textarea", "label"]
_HTML_CHROME_CLASSES = {
    "note-close", "sr-only", "visually-hidden", "skiplink", "skiplinks", "print-only", "toolbar", "breadcrumb",
    "officiele-inhoudsopgave",  # the table of contents repeats the headings; it is no running text
}  # fmt: skip
_HTML_DATE_CLASSES = {"kamerstukdatum", "datumtekst", "plaats-datum", "datum", "dagtekening"}
_HTML_NAME_PARTS = ["voornaam", "voorletters", "tussenvoegsel"]
_INLINE_TAGS = {"a", "span", "sup", "sub", "em", "strong", "b", "i", "small"}


def parse_kamerstuk_html(data: bytes, path: str, doc_id: str | None = None) -> Document:
    """A Kamerstuk as the HTML page of zoek.officielebekendmakingen.nl (site chrome is ignored)."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        # XHTML pages are read by the HTML parser on purpose: it forgives what the XML parser refuses.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            soup = BeautifulSoup(data, "lxml")
        except Exception:  # lxml missing or refusing the input: the pure-Python parser is slower but forgiving
            soup = BeautifulSoup(data, "html.parser")
    content = (
        soup.find(id="broodtekst")
        or soup.select_one("div.stuk")
        or soup.find("article")
        or soup.find("main")
        or soup.body
    )
    if content is None:
        raise UserError("HTML-pagina heeft geen leesbare inhoud.")
    reader = _HtmlReader()
    reader.head_meta(soup)
    reader.read(content)
    return reader.out.document(path, doc_id, "kamerstuk-html")


def _classes(tag: Any) -> set[str]:
    value = tag.get("class") if hasattr(tag, "get") else None
    if isinstance(value, str):
        return set(value.split())
    return set(value or ())


class _HtmlReader:
    def __init__(self) -> None:
        self.out = _Builder()
        self.last_heading_level = 0

    def head_meta(self, soup: Any) -> None:
        metas = {}
        for tag in soup.find_all("meta"):
            name, content = tag.get("name") or tag.get("property"), tag.get("content")
            if name and content:
                metas.setdefault(name.lower(), normalize_space(content))
                if name.lower() == "overheidop.indiener":
                    self.out.also("indiener", content)
        meta = self.out.meta
        identifier = metas.get("dc.identifier") or metas.get("dcterms.identifier") or ""
        match = _KST_NAME.match(identifier)
        if match:
            meta["dossier"], meta["stuk"] = match.group(1).upper(), match.group(2)
        if metas.get("overheidop.dossiernummer") and "dossier" not in meta:
            meta["dossier"] = _dossier_number(metas["overheidop.dossiernummer"])
        if metas.get("overheidop.ondernummer") and "stuk" not in meta:
            meta["stuk"] = _stuk_number(metas["overheidop.ondernummer"])
        for key, target in (
            ("overheidop.documenttitel", "betreft"),
            ("overheidop.dossiertitel", "dossier_title"),
            ("overheidop.vergaderjaar", "vergaderjaar"),
        ):
            if metas.get(key):
                meta[target] = metas[key]
        issued = metas.get("dcterms.issued") or metas.get("overheidop.datumontvangst") or ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", issued):
            meta["date"] = issued

    def read(self, content: Any) -> None:
        for tag in content.find_all(_HTML_CHROME_TAGS):
            tag.decompose()
        for tag in content.find_all(lambda t: bool(_classes(t) & _HTML_CHROME_CLASSES)):
            tag.decompose()
        for part in content.find_all(class_=_HTML_NAME_PARTS):  # <span class="voornaam">S.</span><span class="achternaam">
            part.append(" ")
        self._take_footnotes(content)
        self._mark_references(content)
        for br in content.find_all("br"):
            br.replace_with(" ")
        self._walk(content)

    def _take_footnotes(self, content: Any) -> None:
        """Move footnote bodies out of the text; they become footnote blocks after the body."""
        from bs4 import NavigableString

        def is_note(tag: Any) -> bool:
            if tag.name in _INLINE_TAGS:  # a marker wrapped in <span class="noot">, not a footnote body
                return False
            classes = _classes(tag)
            return "noot" in classes or "voetnoot" in classes or (tag.name == "li" and _in_notes_list(tag))

        found = content.find_all(is_note)
        # A note inside another note (a wrapper div around the note's own div) is read with its parent.
        for note in [n for n in found if not any(is_note(p) for p in n.parents if hasattr(p, "get"))]:
            number_tag = note.find(class_="nootnum") or note.find("sup") or note.find(class_=re.compile(r"noot-?nr"))
            if number_tag is not None:
                number = normalize_space(number_tag.get_text())
                number_tag.decompose()
            else:
                number = str(note.get("value") or "")
            text = normalize_space(_plain_text(note))
            if not number:
                number = str(len(self.out.notes) + 1)
            self.out.note(number, text)
            note.replace_with(NavigableString(""))
        for holder in content.find_all(lambda t: t.get("id") == "noten" or "noten" in _classes(t)):
            holder.decompose()

    def _mark_references(self, content: Any) -> None:
        """Replace footnote markers by placeholders so each block knows which notes it cites."""
        for marker in content.find_all(_is_marker):
            number = normalize_space(marker.get_text())
            parent = marker.parent
            target = parent if parent is not None and parent.name == "sup" and normalize_space(parent.get_text()) == number else marker
            target.replace_with(f"{mark(number)}")

    def _text(self, tag: Any) -> tuple[str, list[str]]:
        raw = _plain_text(tag)
        return self.out.unmark(raw)

    def _walk(self, el: Any) -> None:
        run: list[Any] = []
        for child in list(el.children):
            if getattr(child, "name", None) in _HTML_BLOCK_TAGS:
                self._flush(run)
                run = []
                self._block(child)
            else:
                run.append(child)
        self._flush(run)

    def _flush(self, run: list[Any]) -> None:
        raw = "".join(_plain_text(node) for node in run)
        text, markers = self.out.unmark(raw)
        self.out.add("paragraph", text, markers=markers)

    def _block(self, tag: Any) -> None:
        name, classes = tag.name, _classes(tag)
        out = self.out
        if "stuktitel" in classes and self._is_question_heading(tag):
            text, markers = self._text(tag)
            out.add("heading", text, level=max(1, int(name[1]) - 1) if re.fullmatch(r"h[1-6]", name) else 1, markers=markers)
        elif classes & {"dossiertitel", "stuktitel"}:
            self._title(tag, classes)
        elif classes & {"kamerstukkop", "vergaderjaar", "kamer"}:
            text = normalize_space(self._text(tag)[0])
            if "vergaderjaar" in text.lower():
                out.meta.setdefault("vergaderjaar", re.sub(r"^Vergaderjaar\s+", "", text, flags=re.IGNORECASE))
            elif text:
                out.meta.setdefault("kamer", text)
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = max(1, int(name[1]) - 1)
            self.last_heading_level = level
            text, markers = self._text(tag)
            out.add("heading", text, level=level, markers=markers)
        elif classes & {"tussenkop", "kop"}:
            text, markers = self._text(tag)
            out.add("heading", text, level=self.last_heading_level + 1, markers=markers)
        elif classes & _HTML_DATE_CLASSES:
            text = self._text(tag)[0]
            out.dated(text)
            out.add("letterhead", text)
        elif classes & {"ontvanger", "kamerstuk-ontvanger"}:
            out.add("letterhead", self._text(tag)[0])
        elif "slotformule" in classes:
            text, markers = self._text(tag)
            out.add("closing", text, markers=markers)
        elif "ondertekening" in classes:
            self._signature(tag)
        elif name in ("ul", "ol"):
            self._list(tag)
        elif name == "table":
            caption = tag.find("caption")
            if caption is not None:
                text, markers = self._text(caption)
                out.add("paragraph", text, markers=markers)
            for row in tag.find_all("tr"):
                markers: list[str] = []
                cells = []
                for cell in row.find_all(["td", "th"]):
                    text, found = self._text(cell)
                    cells.append(normalize_space(text))
                    markers += found
                out.add("paragraph", " | ".join(c for c in cells if c), markers=markers)
        elif name == "dl":
            for term in tag.find_all("dt"):
                definition = term.find_next_sibling("dd")
                text, markers = self._text(term)
                if definition is not None:
                    more, found = self._text(definition)
                    text, markers = f"{text}: {more}", markers + found
                out.add("paragraph", text, markers=markers)
        elif name == "hr":
            return
        elif any(getattr(c, "name", None) in _HTML_BLOCK_TAGS for c in tag.children):
            self._walk(tag)
        else:
            text, markers = self._text(tag)
            out.add("paragraph", text, markers=markers)

    def _title(self, tag: Any, classes: set[str]) -> None:
        meta = self.out.meta
        text = normalize_space(MARKED.sub("", _plain_text(tag)))
        if "dossiertitel" in classes:
            number_tag = tag.find(class_="dossiernummer")
            number = normalize_space(number_tag.get_text()) if number_tag else ""
            if not number:
                match = re.match(r"(\d{2}\s?\d{3}(?:\s*-\s*\d{2}|[\s-]+[IVXLC]+\b|[\s-]+[A-Z]\b)?)", text)
                number = match.group(1) if match else ""
            title = normalize_space(text[len(number) :] if text.startswith(number) else text)
            dossier = _dossier_number(number)
            if meta.get("dossier") and dossier and dossier != meta["dossier"]:  # a stuk in several dossiers
                meta["dossiers_extra"] = ", ".join(filter(None, [meta.get("dossiers_extra", ""), dossier]))
                return
            meta.setdefault("dossier", dossier)
            if title:
                meta.setdefault("dossier_title", title.lstrip(":. "))
        else:
            number_tag = tag.find(class_="stuknummer")
            number = normalize_space(number_tag.get_text()) if number_tag else ""
            match = None if number else re.match(r"(Nr\.?\s*\d+)", text, re.IGNORECASE)
            number = number or (match.group(1) if match else "")
            meta.setdefault("stuk", _stuk_number(number))
            title = normalize_space(text[len(number) :] if number and text.startswith(number) else text)
            if title:
                meta.setdefault("title", title)
        if not meta.get("dossier"):
            meta.pop("dossier", None)
        if not meta.get("stuk"):
            meta.pop("stuk", None)

    def _list(self, tag: Any) -> None:
        counter = int(tag.get("start") or 1) if str(tag.get("start") or "1").isdigit() else 1
        for li in tag.find_all("li", recursive=False):
            nested = [c for c in li.children if getattr(c, "name", None) in ("ul", "ol")]
            for sub in nested:
                sub.extract()
            text, markers = self._text(li)
            text = re.sub(r"^[-–—•·*▪◦]\s+", "", normalize_space(text))
            if tag.name == "ol" and not re.match(r"^(?:\d+|[a-z]|[ivx]+)[.)]\s", text):
                text = f"{counter}. {text}"
            counter += 1
            self.out.add("list_item", text, markers=markers)
            for sub in nested:
                self._list(sub)

    def _is_question_heading(self, tag: Any) -> bool:
        """Kamervragen carry one h2.stuktitel per question and answer; only a first, lone one is the title."""
        in_question = any(_classes(p) & {"vraag", "antwoord"} for p in tag.parents if hasattr(p, "get"))
        return in_question or "title" in self.out.meta

    def _signature(self, tag: Any) -> None:
        """Each span.naam signs with the span.functie and "namens deze," parts written before it."""
        function: list[str] = []
        for part in tag.find_all(class_=["naam", "functie", "deze"]):
            if "naam" in _classes(part):
                self.out.signatory(part.get_text(), " ".join(function))
                function = []
            else:
                function.append(normalize_space(part.get_text()))
        text, markers = self._text(tag)
        self.out.add("signature", text, markers=markers)


def _in_notes_list(li: Any) -> bool:
    return any(p.get("id") == "noten" or "noten" in _classes(p) for p in li.parents if hasattr(p, "get"))


def _is_marker(tag: Any) -> bool:
    if tag.name not in ("a", "span", "sup"):
        return False
    text = normalize_space(tag.get_text())
    if not re.fullmatch(r"\d{1,3}[a-z]?|\*{1,3}", text):
        return False
    classes = _classes(tag)
    if "nootnum" in classes or any(c.startswith("supernote-click") for c in classes) or "noot-ref" in classes:
        return True
    href = tag.get("href") or ""
    # A bare <sup><a href="#…">3</a></sup> is how other renderings of the same page mark notes.
    return tag.name == "a" and href.startswith("#") and tag.parent is not None and tag.parent.name == "sup"


def _plain_text(node: Any) -> str:
    from bs4.element import NavigableString, PreformattedString

    if isinstance(node, PreformattedString):  # comments, doctype, CDATA, processing instructions
        return ""
    if isinstance(node, NavigableString):
        return str(node)
    pieces = []
    for child in node.children:
        text = _plain_text(child)
        # Block children inside an inline run still separate words.
        pieces.append(f" {text} " if getattr(child, "name", None) in _HTML_BLOCK_TAGS else text)
    return "".join(pieces)
