"""`assistant check` over the bundled letter with fake embeddings: exact quotes, near misses with
their differences, supported paraphrases and claims with a wrong name, number or date."""

from __future__ import annotations

import pytest

from assistant.check import _keeps_source_words, word_diff, words_of
from assistant.config import PROJECT_ROOT, Settings
from assistant.service import Assistant
from ingest.errors import UserError
from index.embeddings import FakeEmbeddings

ALINEA_4_SENTENCE = "Nederland speelt een leidende rol in de mondiale halfgeleiderketen."


@pytest.fixture(scope="module")
def checker(tmp_path_factory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("check") / "home", corpus_dir=PROJECT_ROOT / "corpus", embedding_model="fake", backend="extractive")
    assistant = Assistant(settings, embeddings=FakeEmbeddings())
    assistant.ingest()
    return assistant


def assert_citations_are_records(checker: Assistant, result) -> None:
    records = {p.id: p for p in checker.store.records()}
    for n, citation in enumerate(result.citations, start=1):
        paragraph = records[citation.paragraph_id]
        assert citation.n == n
        assert citation.text == paragraph.text
        assert citation.url == f"/doc/{paragraph.doc_id}#p-{paragraph.id}"


@pytest.mark.parametrize(
    "quote",
    [
        ALINEA_4_SENTENCE,
        f"“{ALINEA_4_SENTENCE}”",
        '"publiek-private   samenwerking is daarbij ESSENTIEEL"',  # case and spacing do not count
        "Een sterke economie is de basis onder onze welvaart onze veiligheid en ons welzijn",  # nor punctuation
    ],
)
def test_exact_quote_is_supported_exactly(checker, quote):
    result = checker.check(quote)
    assert (result.verdict, result.match, result.score) == ("supported", "exact", 1.0)
    assert result.differences == ""
    assert_citations_are_records(checker, result)
    assert " ".join(words_of(quote)) in " ".join(words_of(result.citations[0].text))


@pytest.mark.parametrize(
    "quote, differences",
    [
        ("“Nederland speelt een belangrijke rol in de mondiale halfgeleiderketen.”",
         "nederland speelt een [-leidende-] {+belangrijke+} rol in de mondiale halfgeleiderketen"),
        ("“Nederland speelt een leidende rol in de halfgeleiderketen.”",
         "nederland speelt een leidende rol in de [-mondiale-] halfgeleiderketen"),
        ("Duitsland speelt een leidende rol in de mondiale halfgeleiderketen.",
         "[-nederland-] {+duitsland+} speelt een leidende rol in de mondiale halfgeleiderketen"),
        # Not a quote, but a source sentence with one content word replaced: whatever the
        # embeddings say about its meaning, it says something else.
        ("Een zwakke economie is de basis onder onze welvaart.",
         "een [-sterke-] {+zwakke+} economie is de basis onder onze welvaart"),
    ],
)
def test_near_miss_is_not_supported_and_shows_differences(checker, quote, differences):
    result = checker.check(quote)
    assert (result.verdict, result.match) == ("not_supported", "fuzzy")
    assert result.differences == differences
    assert 0.8 < result.score < 1.0
    assert_citations_are_records(checker, result)
    assert len(result.citations) == 1
    assert "halfgeleiderketen" in result.citations[0].text or "sterke economie" in result.citations[0].text


def test_quote_is_judged_on_its_words_but_a_claim_on_its_meaning(checker):
    # Word order changed: as a quote it is not in the letter, as a claim the letter supports it.
    reordered = "In de mondiale halfgeleiderketen speelt Nederland een leidende rol."
    claim = checker.check(reordered)
    assert (claim.verdict, claim.match) == ("supported", "semantic")
    assert claim.citations[0].label == "alinea 4"
    quote = checker.check(f"“{reordered}”")
    assert quote.verdict == "not_supported"
    assert quote.match != "semantic"


def test_paraphrase_adding_words_is_supported(checker):
    result = checker.check("Begin 2025 is de Semicon Board NL van start gegaan.")
    assert (result.verdict, result.match) == ("supported", "semantic")
    assert "begin 2025 de Semicon Board NL van start gegaan" in result.citations[0].text
    assert_citations_are_records(checker, result)


def test_who_signed_a_document_counts_as_named_in_each_of_its_paragraphs(checker):
    # "Ik dank de leden van de Semicon Board NL …" in the letter Heleen Herbert signed.
    signed = checker.check("Heleen Herbert dankt de leden van de Semicon Board NL voor de goede samenwerking.")
    other = checker.check("Mark Rutte dankt de leden van de Semicon Board NL voor de goede samenwerking.")

    assert (signed.verdict, signed.match) == ("supported", "semantic")
    assert "Ik dank de leden van de Semicon Board NL" in signed.citations[0].text
    assert other.verdict == "not_supported"


@pytest.mark.parametrize(
    "claim",
    [
        "Het rapport-Draghi is van 12 december 2025.",  # the date belongs to the Wennink report
        "De Semicon Board NL is in 2023 van start gegaan.",
        "Intel heeft zitting in de Semicon Board NL.",
        "De brief is ondertekend door de minister van Financiën.",
        "De Nationale Technologiestrategie is Kamerstuk 33 009 nr. 141.",
        "Nederland speelt geen leidende rol in de mondiale halfgeleiderketen.",
        "Het kabinet noemt de halfgeleiderindustrie “bijzonder kansrijk”.",
        "Het kabinet verhoogt de kinderbijslag met tien procent.",
    ],
)
def test_claim_with_a_wrong_name_number_date_or_quote_is_not_supported(checker, claim):
    result = checker.check(claim)
    assert result.verdict == "not_supported"
    assert result.match in ("", "fuzzy")
    assert result.citations  # the closest passages, to look at


def test_result_serialises_like_the_api_returns_it(checker):
    data = checker.check("Het rapport-Draghi is van 12 december 2025.").to_dict()
    assert set(data) == {"claim", "verdict", "citations", "match", "differences", "score"}
    assert data["claim"] == "Het rapport-Draghi is van 12 december 2025."
    assert set(data["citations"][0]) == {"n", "doc_id", "doc_title", "paragraph_id", "label", "page", "text", "url"}


def test_empty_claim_is_a_user_error(checker):
    with pytest.raises(UserError):
        checker.check("   ")


def test_word_diff_ignores_context_around_the_quote():
    assert word_diff("dit is een test van de zin hier", "een proef van de zin") == "een [-test-] {+proef+} van de zin"
    assert word_diff("Het rapport-Wennink van 12 december 2025", "het rapport-Wennink is van 12 december 2025.") == (
        "het rapport-wennink {+is+} van 12 december 2025"
    )


def test_a_claim_that_a_source_denies_is_not_supported_and_cites_the_denial(checker):
    # The letter: "Dit is echter geen vanzelfsprekendheid: ons verdienvermogen staat onder druk."
    result = checker.check("Ons verdienvermogen is een vanzelfsprekendheid.")
    assert result.verdict == "not_supported"
    assert any("geen vanzelfsprekendheid" in c.text for c in result.citations)


def test_naming_what_the_source_refers_to_keeps_its_words_and_another_name_does_not():
    paragraph = words_of("Met de Chiptalent-regeling kunnen werkgevers een tegemoetkoming ontvangen. Voor de regeling is 60 miljoen euro beschikbaar.")
    source = words_of("Voor de regeling is 60 miljoen euro beschikbaar.")
    assert _keeps_source_words(source, words_of("Voor de Chiptalent-regeling is 60 miljoen euro beschikbaar."), set(paragraph))
    assert not _keeps_source_words(source, words_of("Voor de Beethoven-regeling is 60 miljoen euro beschikbaar."), set(paragraph))
    assert not _keeps_source_words(source, words_of("Voor de subsidie is 60 miljoen euro beschikbaar."), set(paragraph))


def test_leaving_words_out_is_rephrasing_but_leaving_out_a_negation_is_not():
    source = words_of("Het Rijk draagt via een aanvullende woningbouwimpuls 180 miljoen euro bij.")
    assert _keeps_source_words(source, words_of("Het Rijk draagt via een woningbouwimpuls 180 miljoen euro bij."), set(source))
    denied = words_of("Het kabinet trekt geen afzonderlijk budget uit.")
    assert not _keeps_source_words(denied, words_of("Het kabinet trekt afzonderlijk budget uit."), set(denied))


def test_a_claim_leaving_out_a_word_of_its_source_sentence_is_supported(checker):
    # Alinea 4: "Nederland speelt een leidende rol in de mondiale halfgeleiderketen."
    result = checker.check("Nederland speelt een rol in de mondiale halfgeleiderketen.")
    assert (result.verdict, result.match) == ("supported", "semantic")
