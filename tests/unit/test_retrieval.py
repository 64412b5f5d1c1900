"""Hybrid retrieval over the index: fusion, footnote context, near-duplicates, Dutch BM25, LangChain."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document as LCDocument

from assistant.service import Assistant
from ingest.errors import UserError
from index.embeddings import FakeEmbeddings
from index.lexical import LexicalIndex, fold, tokenize
from index.retrieval import Hit, HybridRetriever, ParagraphRetriever
from ingest.records import Paragraph
from tests.conftest import LETTER

DRAFT = (
    "Het kabinet investeert de komende tien jaar in een nieuwe cleanroom voor onderzoek naar fotonische chips "
    "op de campus in Twente, samen met universiteiten, regionale ontwikkelingsmaatschappijen en bedrijven."
)
FINAL = DRAFT.replace("tien jaar", "twaalf jaar")
BUDGET = "Voor de cleanroom in Twente reserveert het kabinet in totaal 120 miljoen euro uit het Nationaal Groeifonds voor fotonica."
BUDGET_DRAFT = BUDGET.replace("120", "100")
OTHER = "De provincie Overijssel draagt bij aan de huisvesting van startende bedrijven in de fotonica op de campus."


@pytest.fixture
def letter_assistant(fake_assistant) -> Assistant:
    fake_assistant.ingest()
    return fake_assistant


def test_footnote_hit_brings_the_paragraph_that_references_it(letter_assistant):
    records = letter_assistant.store.records()
    footnote = next(p for p in records if p.kind == "footnote" and "29826" in p.text)

    hits = letter_assistant.search(footnote.text, 5)

    hit = next(h for h in hits if h.paragraph.id == footnote.id)
    assert hit.context and [p.id for p in hit.context] == list(footnote.referenced_by)
    assert all(footnote.id in p.footnote_refs for p in hit.context)
    assert "Industriebeleid met focus" in hit.context[0].text
    assert hit.to_dict()["context"] == list(footnote.referenced_by)


def test_paragraph_hit_brings_its_footnotes(letter_assistant):
    records = letter_assistant.store.records()
    paragraph = next(p for p in records if p.kind == "paragraph" and len(p.footnote_refs) >= 1 and "Wennink" in p.text)

    hit = letter_assistant.search(paragraph.text, 1)[0]

    assert hit.paragraph.id == paragraph.id
    assert [p.id for p in hit.context] == list(paragraph.footnote_refs)
    assert all(p.kind == "footnote" for p in hit.context)


def test_fused_scores_are_ordered_and_both_signals_count(letter_assistant):
    hits = letter_assistant.search("Wanneer is de Semicon Board NL van start gegaan?", 5)

    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].dense > 0 and hits[0].lexical > 0
    assert "Semicon Board" in hits[0].paragraph.text


def test_dossier_number_with_or_without_space_finds_the_footnote(letter_assistant):
    for query in ("Kamerstuk 33009 nr. 141", "Kamerstuk 33 009 nr. 141"):
        top = letter_assistant.search(query, 3)[0]
        assert top.paragraph.kind == "footnote" and "33 009 nr. 141" in top.paragraph.text, query


@pytest.fixture
def duplicates_assistant(settings, tmp_path: Path) -> Assistant:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "concept.txt").write_text(f"Concept fotonica\n\n{DRAFT}\n\n{BUDGET_DRAFT}\n\n{OTHER}\n", encoding="utf-8")
    (corpus / "definitief.txt").write_text(f"Definitief fotonica\n\n{FINAL}\n\n{BUDGET}\n", encoding="utf-8")
    assistant = Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings())
    assistant.ingest()
    return assistant


def test_no_near_duplicate_paragraphs_in_one_result(duplicates_assistant):
    stored = [p.text for p in duplicates_assistant.store.records()]
    assert DRAFT in stored and FINAL in stored

    for k in (3, 10):
        texts = [h.paragraph.text for h in duplicates_assistant.search("cleanroom fotonische chips Twente", k)]
        assert sum(t in (DRAFT, FINAL) for t in texts) == 1, texts
    # Everything else stays, related paragraphs too: only the one near-duplicate is left out.
    assert len(texts) == len(stored) - 1 and OTHER in texts


def test_paragraphs_differing_in_a_number_are_not_duplicates(duplicates_assistant):
    texts = [h.paragraph.text for h in duplicates_assistant.search("Hoeveel miljoen euro voor de cleanroom uit het Groeifonds?", 5)]
    assert BUDGET in texts and BUDGET_DRAFT in texts


def test_tokenize_normalises_dutch():
    assert tokenize("Kamerstuk 33 009 nr. 141") == tokenize("Kamerstuk 33009 nr. 141")
    assert tokenize("geïnformeerd over één coëfficiënt") == tokenize("geinformeerd over een coefficient")
    assert tokenize("halfgeleiders") == tokenize("halfgeleider")
    assert tokenize("De Halfgeleiderindustrie") == tokenize("halfgeleiderindustrie")
    assert tokenize("Welke is de en het van volgens de brief?") == []
    assert set(tokenize("publiek-private samenwerking")) >= set(tokenize("private samenwerking"))
    assert fold("Één  ÉÉN") == "een  een"


def test_bm25_scores_follow_normalised_terms():
    texts = [
        "Zie Kamerstuk 33 009 nr. 141 over de halfgeleiderindustrie.",
        "Het kabinet heeft de Kamer geïnformeerd over de energietransitie.",
        "Talentontwikkeling en technische opleidingen.",
    ]
    index = LexicalIndex(texts)

    assert int(index.scores("33009").argmax()) == 0
    assert int(index.scores("geinformeerd energie transitie").argmax()) == 1
    assert int(index.scores("halfgeleiders").argmax()) == 0
    assert not index.scores("welke volgens de").any()
    assert not index.scores("onbekendwoord").any()
    assert not LexicalIndex([]).scores("chips").any()


def test_empty_index_returns_no_hits(settings, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "brief.txt").write_text("Brief\n\nEen alinea over chips.\n", encoding="utf-8")
    assistant = Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings())
    assistant.ingest()
    (corpus / "brief.txt").unlink()
    assistant.ingest()

    assert assistant.store.count() == 0
    assert assistant.search("chips") == []
    assert ParagraphRetriever(retriever=assistant.retriever).invoke("chips") == []
    assert assistant.ready() == (False, "De index is leeg; voer 'assistant ingest' uit.")


def test_search_before_any_ingest_is_a_clear_error(fake_assistant):
    with pytest.raises(UserError, match="assistant ingest"):
        fake_assistant.search("chips")


def test_retriever_sees_newly_ingested_documents(settings, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / LETTER.name).write_bytes(LETTER.read_bytes())
    assistant = Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings())
    assistant.ingest()
    assert all(h.paragraph.text != OTHER for h in assistant.search(OTHER, 5))

    (corpus / "overijssel.txt").write_text(f"Overijssel\n\n{OTHER}\n", encoding="utf-8")
    assistant.ingest()

    assert assistant.search(OTHER, 1)[0].paragraph.text == OTHER


def test_paragraph_retriever_returns_langchain_documents(letter_assistant):
    retriever = ParagraphRetriever(retriever=letter_assistant.retriever, k=3)

    documents = retriever.invoke("Semicon Board NL")

    assert len(documents) == 3
    assert all(isinstance(d, LCDocument) for d in documents)
    top = documents[0]
    hit = top.metadata["hit"]
    assert isinstance(hit, Hit)
    assert top.page_content == hit.paragraph.text and top.id == hit.paragraph.id
    assert top.metadata["doc_id"] == "kamerbrief-semicon-visie-2035"
    assert top.metadata["label"] == hit.paragraph.label and top.metadata["score"] == hit.score
    assert isinstance(retriever.retriever, HybridRetriever)


class _RankedStore:
    """A store whose dense ranking is given: the English paragraph first, then the Dutch one."""

    def __init__(self, records):
        self._records = records

    def version(self):
        return "1"

    def records(self):
        return self._records

    def documents(self):
        return []

    def query(self, vector, n):
        return [(self._records[1].id, 0.9), (self._records[0].id, 0.8)]

    def sentence_vectors(self, ids):
        return {}


def _paragraph(doc_id: str, text: str) -> Paragraph:
    return Paragraph(f"{doc_id}#1", doc_id, doc_id, "paragraph", 1, "alinea 1", (1,), (), text)


def test_a_paragraph_in_another_language_keeps_its_dense_rank_on_both_lists():
    dutch = _paragraph("brief", "Het kabinet stelt een termijn van zes maanden voor de beoordeling van steunmeldingen voor.")
    english = _paragraph("non-paper", "The Netherlands proposes that the Commission decides on state aid notifications within six months.")
    retriever = HybridRetriever(_RankedStore([dutch, english]), FakeEmbeddings())
    assert retriever.snapshot().languages == {"brief": "nl", "non-paper": "en"}
    # BM25 finds only the Dutch paragraph (the question's words); the English one, first on the dense
    # list, is not outranked for lacking words it could never share with a Dutch question.
    hits = retriever.search("Welke termijn stelt het kabinet voor de beoordeling van steunmeldingen?", 2)
    assert [h.paragraph.doc_id for h in hits] == ["non-paper", "brief"]


def test_the_retrievers_vocabulary_holds_the_definitions_of_the_indexed_records():
    texts = ["Het Researchcentrum voor Onderwijs en Arbeidsmarkt (ROA) stelt de monitor op.", "De monitor."]
    records = [Paragraph(f"d#{i}", "d", "d", "paragraph", i, f"alinea {i}", (1,), (), t) for i, t in enumerate(texts, 1)]
    retriever = HybridRetriever(_RankedStore(records), FakeEmbeddings())
    assert retriever.vocabulary().abbreviations == {"ROA": "Researchcentrum voor Onderwijs en Arbeidsmarkt"}


def _paragraph_with_footnote(footnote_text: str) -> HybridRetriever:
    """A paragraph and its footnote, the footnote first on the dense list."""
    paragraph = Paragraph(
        "brief#1", "brief", "brief", "paragraph", 1, "alinea 1", (1,), (),
        "In het voorjaar is de coalitie opgericht. Zij telt negen lidstaten.", footnote_refs=("brief#2",),
    )
    footnote = Paragraph(
        "brief#2", "brief", "brief", "footnote", 1, "voetnoot 1", (1,), (), footnote_text,
        referenced_by=("brief#1",), anchor="In het voorjaar is de coalitie opgericht.",
    )
    return HybridRetriever(_RankedStore([paragraph, footnote]), FakeEmbeddings())


def test_a_footnote_found_through_its_anchor_alone_ranks_behind_its_paragraph_unless_the_source_is_asked():
    retriever = _paragraph_with_footnote("Kamerstuk 33 009, nr. 159.")
    # The footnote is first on both lists (its anchor sentence, in a shorter text), yet none of the
    # question's words is its own: it says only where the news was published.
    assert retriever.search("Wanneer is de coalitie opgericht?", 2)[0].paragraph.id == "brief#1"
    assert retriever.search("Naar welk Kamerstuk verwijst de brief over de oprichting van de coalitie?", 2)[0].paragraph.id == "brief#2"


def test_a_footnote_keeps_its_place_when_it_adds_a_word_of_the_question_to_its_anchor():
    retriever = _paragraph_with_footnote("De coalitie telt naast Nederland acht lidstaten.")
    # "coalitie" is in the anchor as well: found through it. "Nederland" is the footnote's own.
    assert retriever.search("Wanneer is de coalitie opgericht?", 2)[0].paragraph.id == "brief#1"
    assert retriever.search("Welke landen richtten met Nederland de coalitie op?", 2)[0].paragraph.id == "brief#2"


def test_a_paragraph_announcing_a_list_and_its_items_bring_each_other():
    def record(n: int, kind: str, text: str) -> Paragraph:
        return Paragraph(f"d#{n}", "d", "d", kind, n, f"{kind} {n}", (1,), (), text)

    intro = record(1, "paragraph", "De strategie hanteert drie criteria:")
    records = [
        intro, record(2, "footnote", "Zie de bijlage."), record(3, "list_item", "het verdienvermogen;"),
        record(4, "list_item", "de veiligheid."), record(5, "paragraph", "Een nieuwe alinea."), record(6, "list_item", "los punt"),
    ]
    lists = HybridRetriever(_RankedStore(records), FakeEmbeddings()).snapshot().lists
    assert lists == {"d#1": ("d#3", "d#4"), "d#3": ("d#1",), "d#4": ("d#1",)}



class _GivenDenseStore(_RankedStore):
    """A store whose dense list is given as (paragraph, similarity) pairs."""

    def __init__(self, ranked):
        super().__init__([p for p, _ in ranked])
        self._ranked = [(p.id, similarity) for p, similarity in ranked]

    def query(self, vector, n):
        return self._ranked[:n]


def test_a_paragraph_of_the_document_the_question_is_about_moves_ahead_on_the_dense_list():
    def paragraph(doc_id: str, title: str, text: str) -> Paragraph:
        return Paragraph(f"{doc_id}#1", doc_id, title, "paragraph", 1, "alinea 1", (1,), (), text)

    report = paragraph("groeifonds", "Voortgangsrapportage Groeifonds", "Er komen meer plaatsen in het mbo.")
    plan = paragraph("actieplan", "Actieplan techniektalent", "Er komen meer plaatsen op het hbo.")
    question = "Wat zegt het actieplan techniektalent over opleidingen?"
    # No word of the question in either text: only the dense list ranks them, the report first.
    retriever = HybridRetriever(_GivenDenseStore([(report, 0.81), (plan, 0.80)]), FakeEmbeddings())
    hits = retriever.search(question, 2)
    assert [h.paragraph.doc_id for h in hits] == ["actieplan", "groeifonds"]
    assert hits[0].dense == 0.80  # the similarity shown is the paragraph's own

    # Within one document every paragraph gets the same title: the order stays the store's.
    same_title = paragraph("actieplan-2", "Actieplan techniektalent", "Er komen meer plaatsen in het mbo.")
    retriever = HybridRetriever(_GivenDenseStore([(same_title, 0.81), (plan, 0.80)]), FakeEmbeddings())
    assert [h.paragraph.id for h in retriever.search(question, 2)] == ["actieplan-2#1", "actieplan#1"]


class _GivenSentencesStore(_GivenDenseStore):
    def __init__(self, ranked, sentences):
        super().__init__(ranked)
        self._sentences = sentences

    def sentence_vectors(self, ids):
        return {pid: self._sentences[pid] for pid in ids if pid in self._sentences}


def test_a_long_paragraph_is_also_compared_by_its_closest_sentence():
    question = "Hoeveel technici worden er extra opgeleid?"
    asked = FakeEmbeddings().embed_query(question)
    long = Paragraph("b#1", "b", "Brief", "paragraph", 1, "alinea 1", (1,), (), "Een lange alinea over veel dingen. En over vakmensen.")
    short = Paragraph("b#2", "b", "Brief", "paragraph", 2, "alinea 2", (1,), (), "Een korte alinea.")
    ranked = [(short, 0.85), (long, 0.80)]
    # Its second sentence is the question's closest text: 0.7 * 0.80 + 0.3 * 1.0 = 0.86 > 0.85.
    retriever = HybridRetriever(_GivenSentencesStore(ranked, {"b#1": [[0.0] * len(asked), asked]}), FakeEmbeddings())
    hits = retriever.search(question, 2)
    assert [h.paragraph.id for h in hits] == ["b#1", "b#2"]
    assert hits[0].dense == 0.80  # the similarity shown is the paragraph's own
    # Without sentence vectors (an index from before them) the paragraph's own vector decides.
    assert [h.paragraph.id for h in HybridRetriever(_GivenDenseStore(ranked), FakeEmbeddings()).search(question, 2)] == ["b#2", "b#1"]
