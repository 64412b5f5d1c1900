"""Support checks of a sentence against source paragraphs: entities, quotes, negation, similarity."""

from __future__ import annotations

from assistant.support import (
    SentenceEmbedder,
    adds_negation,
    best_support,
    coverage,
    entities,
    is_supported,
    misquoted,
    missing_entities,
)
from index.embeddings import FakeEmbeddings
from ingest.records import Paragraph

FOOTNOTE_3 = "“De Route Naar Toekomstige Welvaart” het rapport-Wennink van 12 december 2025"
ALINEA_8 = (
    "Om te komen tot deze integrale strategische aanpak, is begin 2025 de Semicon Board NL van start gegaan. "
    "Een brede groep van departementen, bedrijven, financiële partijen en andere relevante stakeholders heeft hier het afgelopen jaar aan bijgedragen."
)
FOOTNOTE_5 = (
    "In de Semicon Board NL hebben zitting: de ministers van Economische Zaken (voorzitter), van Defensie; "
    "uit het bedrijfsleven hebben zitting op C-level: ASML, ASM, VDL ETG, NXP en High Tech NL (namens het MKB)."
)
ALINEA_4 = (
    "De halfgeleiderindustrie is één van de sectoren die in het “Industriebeleid met focus” wordt aangemerkt als bijzonder beloftevol. "
    "Nederland speelt een leidende rol in de mondiale halfgeleiderketen."
)


def para(text: str, number: int = 1, kind: str = "paragraph", anchor: str = "") -> Paragraph:
    return Paragraph(
        id=f"doc:{kind}{number}", doc_id="doc", doc_title="Brief", kind=kind, number=number,
        label=f"{kind} {number}", pages=(1,), section=(), text=text, anchor=anchor,
    )


class CountingEmbeddings(FakeEmbeddings):
    def __init__(self):
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def test_entities_are_numbers_dates_names_and_document_numbers():
    found = entities("Volgens Kamerstuk 33 009 nr. 140 is het rapport-Draghi van 12 december 2025 door ASML gelezen.")
    assert {"33009", "140", "12", "2025", "december", "kamerstuk", "draghi", "asml"} <= set(found)
    assert "volgens" not in found  # a function word at the start is no name
    assert "intel" not in entities("Intel heeft zitting.")
    assert "intel" in entities("Intel heeft zitting.", include_first=True)
    assert "may" not in entities("The cabinet may act in 2025.")
    assert "may" in entities("It happened on 5 May 2025.")


def test_missing_entities_compares_numbers_digit_groups_and_names():
    assert missing_entities("Het is Kamerstuk 33009 nr. 140.", "Kamerstuk 33 009 nr. 140") == []
    assert missing_entities("Het is Kamerstuk 33 009 nr. 141.", "Kamerstuk 33 009 nr. 140") != []
    assert missing_entities("Het rapport-Wennink is van 12 december 2025.", FOOTNOTE_3) == []
    assert "draghi" in missing_entities("Het rapport-Draghi is van 12 december 2025.", FOOTNOTE_3)
    assert "november" in missing_entities("Het rapport-Wennink is van 12 november 2025.", FOOTNOTE_3)
    assert missing_entities("Het rapport-Wennink is van 12 december 2024.", FOOTNOTE_3) == ["2024"]


def test_english_names_of_dutch_things_match_their_dutch_words():
    assert missing_entities("The report-Wennink dates from 12 December 2025.", FOOTNOTE_3) == []
    assert missing_entities("The Netherlands plays a leading role.", ALINEA_4) == []
    assert missing_entities("It was published in March 2025.", "gepubliceerd in maart 2025") == []
    assert missing_entities("It was published in March 2025.", "gepubliceerd in mei 2025") == ["march"]


def test_numbers_written_out_are_numbers_where_asked():
    source = "PhotonDelta ontving in de tweede ronde van het Nationaal Groeifonds 470 miljoen euro voor zes jaar."
    assert missing_entities("PhotonDelta ontving in de eerste ronde 470 miljoen euro.", source, True, written_numbers=True) == ["1"]
    assert missing_entities("PhotonDelta ontving in ronde 2 van het fonds 470 miljoen euro voor 6 jaar.", source, True, written_numbers=True) == []
    assert missing_entities("The mechanism has been activated twice.", "The mechanism has not yet been activated.", written_numbers=True) == ["2"]
    # "een", "one" and "ten" are left alone: an article, a pronoun, "ten minste".
    assert missing_entities("Er is ten minste een regeling.", "Er is een regeling.", written_numbers=True) == []
    # Without written_numbers (the relevance gate) a question's "twee" asks for no digit.
    assert missing_entities("Welke twee lidstaten?", "België en Finland", written_numbers=False) == []


def test_misquoted_finds_quotes_that_are_not_verbatim():
    assert misquoted("De sector heet in het “Industriebeleid met focus” beloftevol.", ALINEA_4) == []
    assert misquoted('De sector heet "bijzonder beloftevol".', ALINEA_4) == []
    assert misquoted("De sector heet “bijzonder kansrijk”.", ALINEA_4) == ["bijzonder kansrijk"]


def test_adds_negation_only_when_the_source_sentence_has_none():
    assert adds_negation("Nederland speelt geen leidende rol.", "Nederland speelt een leidende rol in de mondiale halfgeleiderketen.")
    assert adds_negation("The Netherlands does not play a leading role.", "Nederland speelt een leidende rol.")
    assert not adds_negation("De concurrentie staat niet stil.", "De internationale concurrentie staat echter allesbehalve stil.")
    assert not adds_negation("Ons verdienvermogen staat onder druk.", "Dit is echter geen vanzelfsprekendheid: ons verdienvermogen staat onder druk.")


def test_a_sentence_stating_what_the_source_denies_is_a_negation_too():
    source = "Het kabinet trekt voor de strategie geen afzonderlijk budget uit; de financiering loopt via bestaande middelen."
    assert adds_negation("Het kabinet trekt voor de strategie een afzonderlijk budget uit.", source)
    # The denied words are not repeated: the source's negation belongs to a clause the sentence leaves out.
    assert not adds_negation("De financiering loopt via bestaande middelen.", source)
    assert not adds_negation("Nederland investeert in chips en talent.", "Nederland investeert niet alleen in chips maar ook in talent.")
    # Inside a noun phrase a negation names something and denies nothing.
    milestones = "Van de 58 mijlpalen zijn er 46 gehaald. De niet gehaalde mijlpalen betreffen de bouw."
    assert not adds_negation("Van de 58 mijlpalen zijn er 46 gehaald.", milestones.split(". ")[1])


def test_coverage_is_the_share_of_content_words_in_the_source():
    assert coverage("ASML en NXP hebben zitting in de Semicon Board NL.", FOOTNOTE_5) == 1.0
    assert coverage("Intel en Samsung bouwen fabrieken.", FOOTNOTE_5) == 0.0


def test_is_supported_requires_entities_and_meaning():
    embedder = SentenceEmbedder(FakeEmbeddings())
    board, members, sectors = para(ALINEA_8, 8), para(FOOTNOTE_5, 5, "footnote"), para(ALINEA_4, 4)
    assert is_supported("De Semicon Board NL is begin 2025 van start gegaan.", [board], embedder)
    assert is_supported("ASML en NXP hebben zitting in de Semicon Board NL.", [members], embedder)
    assert not is_supported("De Semicon Board NL is begin 2023 van start gegaan.", [board], embedder)
    assert not is_supported("Intel heeft zitting in de Semicon Board NL.", [members], embedder)  # only the first word is wrong
    assert not is_supported("Nederland speelt geen leidende rol in de mondiale halfgeleiderketen.", [sectors], embedder)
    assert not is_supported("De sector wordt in het Industriebeleid met focus “bijzonder kansrijk” genoemd.", [sectors], embedder)
    assert not is_supported("Het kabinet verhoogt de kinderbijslag.", [board, members, sectors], embedder)
    # The sentence must be supported by the paragraphs given, not by the corpus at large.
    assert not is_supported("De Semicon Board NL is begin 2025 van start gegaan.", [sectors], embedder)


class _SameMeaning(FakeEmbeddings):
    """Every text means the same: only the literal tests (names, numbers, negations) decide."""

    def embed_documents(self, texts):
        return [[1.0] + [0.0] * (self.dimension - 1) for _ in texts]


def test_across_languages_names_may_be_translated_but_numbers_must_occur():
    embedder = SentenceEmbedder(_SameMeaning())
    dutch = para("Nederland en Duitsland trekken de werkgroep over investeringen, die in 2025 voor het eerst bijeenkomt.", 1)
    assert is_supported("The Netherlands and Germany lead the working group on investment.", [dutch], embedder)
    assert not is_supported("The Netherlands and Germany lead the working group, which first meets in 2026.", [dutch], embedder)
    # In the source's own language a name is a name.
    assert not is_supported("Nederland en Frankrijk trekken de werkgroep over investeringen.", [dutch], embedder)


def test_best_support_returns_the_closest_source_sentence():
    embedder = SentenceEmbedder(FakeEmbeddings())
    board, sectors = para(ALINEA_8, 8), para(ALINEA_4, 4)
    similarity, paragraph, sentence = best_support("In de mondiale halfgeleiderketen speelt Nederland een leidende rol.", [board, sectors], embedder)
    assert paragraph is sectors
    assert sentence == "Nederland speelt een leidende rol in de mondiale halfgeleiderketen."
    assert similarity > 0.95
    assert best_support("Iets.", [], embedder) == (0.0, None, "")


def test_sentence_embedder_embeds_each_source_sentence_once():
    embeddings = CountingEmbeddings()
    embedder = SentenceEmbedder(embeddings)
    first = embedder.passages(["a b", "c d", "a b"])
    again = embedder.passages(["c d", "a b"])
    assert embeddings.embedded == ["a b", "c d"]
    assert (first[1] == again[0]).all() and first.shape == (3, embeddings.dimension)


def test_the_document_title_names_what_its_paragraphs_call_the_strategy():
    embedder = SentenceEmbedder(FakeEmbeddings())
    source = Paragraph(
        id="nts:1", doc_id="nts", doc_title="Kamerstuk 33009, nr. 140: Nationale Technologiestrategie", kind="paragraph",
        number=1, label="alinea 1", pages=(1,), section=(), text="De conceptversie van de strategie telde negen technologieën.",
    )
    assert is_supported("De conceptversie van de Nationale Technologiestrategie telde negen technologieën.", [source], embedder)
    assert not is_supported("De conceptversie van de Nationale Groeistrategie telde negen technologieën.", [source], embedder)
