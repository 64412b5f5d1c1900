"""Abbreviations the documents define (Schwartz and Hearst), and passages naming them in either form."""

from __future__ import annotations

from index.abbreviations import definitions, with_abbreviations


def test_a_short_form_in_parentheses_is_defined_by_the_words_before_it():
    texts = [
        "Daarop heeft de Rijksdienst voor Ondernemend Nederland (RVO) een interessepeiling gehouden.",
        "De ambities worden uitgewerkt door de Kennis- en Innovatieagenda Sleuteltechnologieën (KIA ST).",
        "Het kabinet neemt deel aan het IPCEI Advanced Semiconductor Technologies (IPCEI AST).",
    ]
    assert definitions(texts) == {
        "RVO": "Rijksdienst voor Ondernemend Nederland",
        "KIA ST": "Kennis- en Innovatieagenda Sleuteltechnologieën",
        "IPCEI AST": "IPCEI Advanced Semiconductor Technologies",
    }


def test_words_and_years_in_parentheses_are_no_abbreviations():
    texts = [
        "Het advies (zie bijlage) is openbaar.",
        "De strategie (2024) telt tien technologieën.",
        "Het gaat om Delft (NL) en Leuven.",  # "NL" has no long form before it
    ]
    assert definitions(texts) == {}


def test_a_passage_writing_one_form_also_names_the_other():
    pairs = {"IPCEI AST": "IPCEI Advanced Semiconductor Technologies"}
    assert with_abbreviations("Deelname aan het IPCEI Advanced Semiconductor Technologies", pairs).endswith("IPCEI AST")
    assert with_abbreviations("Het IPCEI AST loopt tot 2031.", pairs).endswith("IPCEI Advanced Semiconductor Technologies")
    assert with_abbreviations("Het IPCEI loopt tot 2031.", pairs) == "Het IPCEI loopt tot 2031."
