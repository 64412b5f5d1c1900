"""Dutch sentence splitting: abbreviations, initials and numbers do not end a sentence."""

from __future__ import annotations

import pytest

from ingest.sentences import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Zie Kamerstuk 33 009 nr. 140. Daarna volgt de brief.", ["Zie Kamerstuk 33 009 nr. 140.", "Daarna volgt de brief."]),
        ("Bedrijven, o.a. ASML en NXP, doen mee. De sector groeit.", ["Bedrijven, o.a. ASML en NXP, doen mee.", "De sector groeit."]),
        ("Dat is de kern, d.w.z. Nederland moet kiezen. Dit is zin twee.", ["Dat is de kern, d.w.z. Nederland moet kiezen.", "Dit is zin twee."]),
        ("De brief van J. de Vries en J.P. Balkenende is kort. Hij leest hem.", ["De brief van J. de Vries en J.P. Balkenende is kort.", "Hij leest hem."]),
        ("Minister H.G.J. Bruins tekent. Dr. Jansen ook.", ["Minister H.G.J. Bruins tekent.", "Dr. Jansen ook."]),
        ("Er zijn ca. 20 bedrijven. Ook i.v.m. de wet, bijv. Artikel 3. Einde.", ["Er zijn ca. 20 bedrijven.", "Ook i.v.m. de wet, bijv. Artikel 3.", "Einde."]),
        ("Dit kost 1.5 miljard euro. Dat is veel.", ["Dit kost 1.5 miljard euro.", "Dat is veel."]),
        ("Hij zei: “Dit is goed.” Daarna ging hij weg.", ["Hij zei: “Dit is goed.”", "Daarna ging hij weg."]),
        ("Is dat zo? Ja! Zeker… Nu verder.", ["Is dat zo?", "Ja!", "Zeker…", "Nu verder."]),
        ("Prof. dr. Smit (EZK) reageert, m.b.t. de Semicon Board NL. Einde.", ["Prof. dr. Smit (EZK) reageert, m.b.t. de Semicon Board NL.", "Einde."]),
    ],
)
def test_split_survives_abbreviations_initials_and_numbers(text, expected):
    assert split_sentences(text) == expected


def test_sentences_are_verbatim_pieces_of_the_text():
    text = "Het kabinet geeft verdere opvolging aan het “Industriebeleid met focus”1, waarin de bouwstenen worden aangereikt. Zie o.a. Kamerstuk 29826 nr. 277. Einde"
    sentences = split_sentences(text)
    assert len(sentences) == 3
    assert all(s in text for s in sentences)
    assert " ".join(sentences) == text


def test_empty_and_single_sentence():
    assert split_sentences("") == []
    assert split_sentences("   ") == []
    assert split_sentences("Geen punt aan het eind") == ["Geen punt aan het eind"]
