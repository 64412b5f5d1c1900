"""Kamerstuk references in running text: the forms letters use, and things that only look alike."""

import pytest

from ingest.references import find_references, without_references


def keys(text: str) -> list[str]:
    return [ref.key for ref in find_references(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zie Kamerstuk 33 009 nr. 141.", ["33009-141"]),
        ("(Kamerstuk 29826 nr. 277)", ["29826-277"]),
        ("Kamerstukken II 2024/25, 33009, nr. 166", ["33009-166"]),
        ("Kamerstukken II 2023/24, 29 826, nrs. 140 en 141", ["29826-140", "29826-141"]),
        ("zie kst-33009-141 en https://zoek.officielebekendmakingen.nl/kst-29826-277.html", ["33009-141", "29826-277"]),
        ("Kamerstuk 33\u00a0009, nr.\u00a0141", ["33009-141"]),
        ("Kamerstuk 33009, nummer 12", ["33009-12"]),
        ("Kamerstuk 33009, nr. 140 en nr. 141", ["33009-140", "33009-141"]),
        ("Kamerstukken II 2023/24, 29 826, nrs. 140, 141 en 142", ["29826-140", "29826-141", "29826-142"]),
        ("Kamerstukken 2024-2025, 33009, nr. 9", ["33009-9"]),
        ("kamerstuk 33009 Nr. 3", ["33009-3"]),
    ],
)
def test_recognised_forms(text, expected):
    assert keys(text) == expected


def test_sub_dossiers_and_budget_chapters_stay_part_of_the_id():
    assert keys("Kamerstuk 21 501-30, nr. 512") == ["21501-30-512"]
    assert keys("Kamerstukken II 2024/25, 36 600 XIII, nr. 5") == ["36600-XIII-5"]
    assert keys("kst-21501-30-512 en kst-36600-xiii-5") == ["21501-30-512", "36600-XIII-5"]
    ref = find_references("Kamerstuk 36 600 XIII, nr. 5")[0]
    assert ref.doc_id == "kst-36600-XIII-5"
    assert ref.url("http://x", "xml") == "http://x/kst-36600-XIII-5.xml"


def test_follow_up_references_after_a_semicolon():
    text = "Kamerstukken II 2023/24, 29 826, nr. 140; 33 009, nr. 141"
    assert keys(text) == ["29826-140", "33009-141"]


@pytest.mark.parametrize(
    "text",
    [
        "Ons kenmerk TZ202509-008",
        "In 2024 en 2025 groeide de sector.",
        "Zie nr. 5 van de lijst.",
        "Kamerstukken II 2024/25",
        "Het dossier 33009 is groot.",
        "Kamerstuk nr. 141",
        "kst-1268678",
        "tel. 070 379 8911, nr. 3",
    ],
)
def test_no_false_positives(text):
    assert keys(text) == []


def test_a_year_after_the_list_is_not_a_number():
    assert keys("Kamerstuk 33009, nr. 141, 2 april 2024") == ["33009-141"]
    assert keys("Kamerstukken II 2023/24, 29 826, nrs. 140 en 141, 2024") == ["29826-140", "29826-141"]


def test_distinct_in_order_of_appearance_with_raw_text():
    refs = find_references("Eerst kst-33009-141, dan Kamerstuk 29826 nr. 277 en weer Kamerstuk 33 009, nr. 141.")
    assert [r.key for r in refs] == ["33009-141", "29826-277"]
    assert refs[1].raw == "Kamerstuk 29826 nr. 277"
    assert refs[1].dossier == "29826" and refs[1].number == "277"


def test_without_references_blanks_each_reference_and_keeps_positions():
    text = "Zie Kamerstuk 33 009, nr. 141; 33 009, nr. 159 en kst-29826-277. Er doen 37 bedrijven mee."
    blanked = without_references(text)
    assert len(blanked) == len(text)
    assert "141" not in blanked and "159" not in blanked and "29826" not in blanked
    assert blanked.startswith("Zie ") and blanked.endswith("Er doen 37 bedrijven mee.")
