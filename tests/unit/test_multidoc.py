"""Many documents: document filter, named documents, "which documents mention", scoped store reads,
and check without reading every record (fake embeddings, real embedded Chroma)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from index.embeddings import FakeEmbeddings
from index.listing import document_scope, listing_terms

TALENT_141 = "Het kabinet investeert in talent voor de chipsector met een actieplan voor techniekonderwijs in Brainport."
TALENT_OTHER = "Ook de regio Twente investeert in talent voor de chipsector met een eigen techniekpact voor scholieren."
BEETHOVEN_141 = "Met Project Beethoven versterken Rijk en regio het ecosysteem rond Eindhoven."
BEETHOVEN_REPORT = "Het rapport noemt Project Beethoven als voorbeeld van een regionale aanpak."


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "kst-33009-141.md").write_text(f"# Kamerstuk 33009, nr. 141: Talent\n\n{TALENT_141}\n\n{BEETHOVEN_141}\n", encoding="utf-8")
    (folder / "brief-twente.md").write_text(f"# Brief over Twente\n\n{TALENT_OTHER}\n\nDe campus groeit snel.\n", encoding="utf-8")
    (folder / "rapport-wennink-2025.md").write_text(f"# De route naar toekomstige welvaart\n\n{BEETHOVEN_REPORT}\n", encoding="utf-8")
    return folder


@pytest.fixture
def assistant(settings, corpus) -> Assistant:
    helper = Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings())
    helper.ingest()
    return helper


def test_listing_questions_yield_their_terms_and_other_questions_none():
    assert listing_terms("Welke documenten noemen Beethoven?") == listing_terms("Which documents mention Beethoven?")
    assert listing_terms("Welke documenten noemen Beethoven?")
    assert listing_terms("In welk document staat dat de minister toezegde?") == ()
    assert listing_terms("Wat is Beethoven?") == ()


def named_documents(question: str, catalogue: list[dict]) -> list[str]:
    return list(document_scope(question, catalogue).documents)


def test_named_documents_by_kamerstuk_reference_and_by_report_author():
    catalogue = [
        {"id": "kst-33009-141", "title": "Kamerstuk 33009, nr. 141: Talent", "metadata": {}},
        {"id": "rapport-wennink-2025", "title": "De route naar toekomstige welvaart", "metadata": {}},
        {"id": "kamerbrief", "title": "Kamerbrief die het rapport-Wennink citeert", "metadata": {}},
    ]
    assert named_documents("Wat staat er in Kamerstuk 33 009, nr. 141 over talent?", catalogue) == ["kst-33009-141"]
    assert "rapport-wennink-2025" in named_documents("Wat zegt het rapport-Wennink over groei?", catalogue)
    for question in ("What does the Wennink report say about growth?", "What does Wennink's report recommend?",
                     "Which measures does the report by Wennink propose?", "Wat zegt het Wennink rapport?"):
        assert "rapport-wennink-2025" in named_documents(question, catalogue), question
    assert named_documents("The report says what about talent?", catalogue) == []
    assert named_documents("Wat staat er in Kamerstuk 33009 nr. 999?", catalogue) == []  # not indexed: no filter
    assert named_documents("Wat zegt het kabinet over talent?", catalogue) == []


CATALOGUE = [
    {"id": "kamerbrief-semicon", "title": "Kamerbrief Semicon Visie 2035", "metadata": {"betreft": "Semicon Visie 2035"}},
    {"id": "kst-33009-171", "title": "Kamerstuk 33009, nr. 171: Voortgang Project Beethoven", "metadata": {"dossier": "33009", "stuk": "171"}},
    {"id": "groeifonds", "title": "Nationaal Groeifonds – Voortgangsrapportage 2025: halfgeleiders", "metadata": {}},
    {"id": "non-paper", "title": "Netherlands non-paper on the review of the European Chips Act", "metadata": {}},
    {"id": "kst-31288-1187", "title": "Kamerstuk 31288, nr. 1187: Actieplan techniektalent voor de halfgeleiderketen",
     "metadata": {"dossier": "31288", "stuk": "1187"}},
    {"id": "kst-33009-140", "title": "Kamerstuk 33009, nr. 140: Nationale Technologiestrategie", "metadata": {"dossier": "33009", "stuk": "140"}},
]


@pytest.mark.parametrize("question, documents, topic", [
    ("Wat is het kenmerk van de Kamerbrief over de Semicon Visie 2035?", ("kamerbrief-semicon",), "Wat is het kenmerk?"),
    ("According to the letter on the Semicon Visie 2035, which analysis underlines a coherent approach?", ("kamerbrief-semicon",),
     "which analysis underlines a coherent approach?"),
    ("Wat zegt de voortgangsrapportage van het Nationaal Groeifonds over chipontwerp?", ("groeifonds",), "Wat zegt over chipontwerp?"),
    ("Hoeveel woningen noemt Kamerstuk 33009 nr. 171?", ("kst-33009-171",), "Hoeveel woningen noemt?"),
    # The covering letter of a report, named by the report's title.
    ("Wie ondertekende volgens de begeleidende brief bij de Semicon Visie 2035 het stuk?", ("kamerbrief-semicon",),
     "Wie ondertekende het stuk?"),
    ("Whom does the letter accompanying the Semicon Visie 2035 thank?", ("kamerbrief-semicon",), "Whom does thank?"),
    # A kind of document that one indexed title has names that document.
    ("Wat stelt de Nederlandse non-paper voor over staatssteun?", ("non-paper",), "Wat stelt voor over staatssteun?"),
    ("Wat zegt de Kamerbrief over talent?", ("kamerbrief-semicon",), "Wat zegt over talent?"),
    # A plan or a strategy by its name.
    ("Wie stelt de monitor van het Actieplan techniektalent op?", ("kst-31288-1187",), "Wie stelt de monitor techniektalent op?"),
    ("Wat staat er volgens de Nationale Technologiestrategie over fotonica?", ("kst-33009-140",), "Wat staat er over fotonica?"),
])
def test_a_named_document_leaves_the_words_that_name_it_out_of_the_topic(question, documents, topic):
    scope = document_scope(question, CATALOGUE)
    assert (scope.documents, scope.topic) == (documents, topic)


def test_a_plan_or_strategy_that_no_title_names_names_nothing():
    for question in ("Wat zegt het plan over talent?", "Welke strategie volgt het kabinet?", "Wat staat er in de agenda?"):
        assert document_scope(question, CATALOGUE).documents == ()


@pytest.mark.parametrize("question, asked", [
    # The gate weighs the name where the document's title holds it: its passages hold it too.
    ("Welke organisatie stelt de technologiemonitor van de Nationale Technologiestrategie op?",
     "Welke organisatie stelt de technologiemonitor van Nationale Technologiestrategie op?"),
    # Words of the name that the title does not hold ("Nederlandse" for "Netherlands") are left out.
    ("Wat stelt de Nederlandse non-paper voor over staatssteun?", "Wat stelt non-paper voor over staatssteun?"),
    ("Hoeveel woningen noemt Kamerstuk 33009 nr. 171?", "Hoeveel woningen noemt Kamerstuk 33009 nr 171?"),
])
def test_the_gate_weighs_the_name_where_the_named_title_holds_it(question, asked):
    assert document_scope(question, CATALOGUE).asked == asked


@pytest.mark.parametrize("question, statement", [
    ("In welk document staat dat de minister van Defensie aanschuift?", "de minister van Defensie aanschuift?"),
    ("Welk document meldt dat de instroom is gestegen, en met hoeveel?", "de instroom is gestegen, en met hoeveel?"),
    ("Which document says that the Board meets three times a year?", "the Board meets three times a year?"),
])
def test_which_document_says_that_asks_for_the_statement(question, statement):
    scope = document_scope(question, CATALOGUE)
    assert (scope.topic, scope.statement) == (statement, True)
    assert not document_scope("Wat is het kenmerk?", CATALOGUE).statement


def test_a_title_that_no_document_has_names_nothing_and_keeps_its_words():
    for question in (
        "Wat staat er in de brief over de woningbouw?",
        "Wat zegt het kabinet over de Semicon Visie 2035?",
        "Wat zegt de rapportage over chipontwerp?",  # no title has the word itself
    ):
        assert document_scope(question, CATALOGUE).documents == ()
        assert document_scope(question, CATALOGUE).topic == question
    # Nothing left but the name: the question itself is the topic.
    assert document_scope("Wat zegt Kamerstuk 33009 nr. 171?", CATALOGUE).topic == "Wat zegt Kamerstuk 33009 nr. 171?"


def test_a_document_filter_keeps_retrieval_inside_those_documents(assistant):
    unfiltered = assistant.retriever.search("talent voor de chipsector", 5)
    assert {h.paragraph.doc_id for h in unfiltered} >= {"kst-33009-141", "brief-twente"}

    only = assistant.retriever.search("talent voor de chipsector", 5, documents=["brief-twente"])

    assert only and {h.paragraph.doc_id for h in only} == {"brief-twente"}


def test_a_question_that_names_a_kamerstuk_is_answered_from_it(assistant):
    hits = assistant.retriever.search("Wat staat er in Kamerstuk 33009 nr. 141 over talent?", 5)

    assert hits and {h.paragraph.doc_id for h in hits} == {"kst-33009-141"}


def test_a_question_that_names_a_document_by_its_title_is_answered_from_it(assistant):
    hits = assistant.retriever.search("Wat zegt de brief over Twente over talent voor de chipsector?", 5)

    assert hits and {h.paragraph.doc_id for h in hits} == {"brief-twente"}


def test_a_question_about_one_document_that_it_does_not_answer_says_which_document(assistant):
    answer = assistant.ask("Wat staat er in Kamerstuk 33009 nr. 141 over Axelera?")

    assert not answer.answerable
    assert answer.answer.startswith("Dat staat niet in Kamerstuk 33009, nr. 141: Talent, dus")
    assert not assistant.ask("Wat zegt het kabinet over Axelera?").answer.startswith("Dat staat niet in Kamerstuk")


def test_which_documents_mention_lists_each_document_once_with_its_passage(assistant):
    hits = assistant.retriever.search("Welke documenten noemen Beethoven?", 5)

    assert sorted(h.paragraph.doc_id for h in hits) == ["kst-33009-141", "rapport-wennink-2025"]
    assert all("Beethoven" in h.paragraph.text for h in hits)
    answer = assistant.ask("Welke documenten noemen Beethoven?")
    assert answer.answerable
    assert {c.doc_id for c in answer.citations} == {"kst-33009-141", "rapport-wennink-2025"}


def test_store_reads_one_document_and_records_by_id_without_reading_all(assistant, monkeypatch):
    monkeypatch.setattr(assistant.store, "records", lambda: pytest.fail("read every record"))

    records = assistant.store.document_records("brief-twente")

    assert [p.text for p in records if p.kind == "paragraph"] == [TALENT_OTHER, "De campus groeit snel."]
    assert assistant.store.records_by_ids([records[1].id, "missing", records[0].id]) == [records[1], records[0]]


def test_check_compares_with_retrieved_candidates_only(assistant, monkeypatch):
    assistant.search("warm up", 1)  # the retriever's own cache is built before the guard below
    monkeypatch.setattr(assistant.store, "records", lambda: pytest.fail("read every record"))
    monkeypatch.setattr(assistant, "records", lambda: pytest.fail("read every record"), raising=False)

    exact = assistant.check(f"“{TALENT_OTHER}”")
    near = assistant.check("“" + TALENT_OTHER.replace("Twente", "Delft") + "”")

    assert exact.verdict == "supported" and exact.match == "exact"
    assert near.verdict == "not_supported" and near.match == "fuzzy"
