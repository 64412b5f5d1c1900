"""Calibrate `support.SUPPORT_THRESHOLD` and `support.MIN_COVERAGE` (answers and `assistant check` alike) on the bundled letter.

    .venv/bin/python -m devtools.calibrate_support        (ASSISTANT_HOME as for the app)

For every statement: the e5 similarity of the closest source sentence, over all paragraphs (raw) and
over only the paragraphs that pass the entity, quotation and negation tests (gated: the similarity
the thresholds decide on, since a swapped name, number or date is already rejected before it). Positives are exact
quotes and hand-written light paraphrases (word order, synonyms); negatives are statements with a
swapped name, number or date, contradictions and unrelated statements. Prints each group's
min/mean/max similarity and content-word coverage, the threshold that separates positives from
negatives, the current settings, and the verdicts of `assistant check`.
"""

from __future__ import annotations

EXACT = [
    "Een sterke economie is de basis onder onze welvaart, onze veiligheid en ons welzijn.",
    "Nederland speelt een leidende rol in de mondiale halfgeleiderketen.",
    "Publiek-private samenwerking is daarbij essentieel.",
    "Dit traject heeft geresulteerd in de Semicon Visie 2035.",
    "De internationale concurrentie staat echter allesbehalve stil.",
]

PARAPHRASES = [
    "Een sterke economie vormt de basis onder onze welvaart, veiligheid en welzijn.",
    "Economische groei is een van de belangrijkste missies van het kabinet.",
    "In de mondiale halfgeleiderketen speelt Nederland een leidende rol.",
    "Publiek-private samenwerking is daarbij van essentieel belang.",
    "Begin 2025 is de Semicon Board NL gestart.",
    "Het traject heeft geleid tot de Semicon Visie 2035.",
    "Het rapport-Wennink dateert van 12 december 2025.",
    "De Nationale Technologiestrategie is Kamerstuk 33 009 nr. 140.",
    "ASML en NXP hebben zitting in de Semicon Board NL.",
    "De internationale concurrentie staat allerminst stil.",
    "Nederland moet snel stappen zetten om zijn positie in de halfgeleiderindustrie te behouden en te versterken.",
    "In het Industriebeleid met focus wordt de halfgeleiderindustrie als bijzonder beloftevol aangemerkt.",
    "De Semicon Visie 2035 geeft uw Kamer een goede basis om hierover met het kabinet in gesprek te gaan.",
    "Wanneer andere landen sneller groeien in productiviteit, raakt Nederland achterop.",
    "De halfgeleidersector is van groot belang voor ons toekomstige verdienvermogen en onze weerbaarheid.",
]

ENGLISH = [
    "The Semicon Board NL started at the beginning of 2025.",
    "A strong economy is the basis of our prosperity, our security and our well-being.",
    "The Netherlands plays a leading role in the global semiconductor chain.",
    "Public-private cooperation is essential.",
    "The rapport-Wennink dates from 12 December 2025.",
]

SWAPPED = [
    "Het rapport-Draghi is van 12 december 2025.",
    "De Semicon Board NL is in 2023 opgericht.",
    "Intel heeft zitting in de Semicon Board NL.",
    "De brief is ondertekend door de minister van Financiën.",
    "De Nationale Technologiestrategie is Kamerstuk 33 009 nr. 141.",
    "Het rapport-Wennink is van 12 november 2025.",
    "Begin 2024 is de Semicon Board NL van start gegaan.",
    "Duitsland speelt een leidende rol in de mondiale halfgeleiderketen.",
]

UNRELATED = [
    "Het kabinet verhoogt de kinderbijslag met tien procent.",
    "De Tweede Kamer heeft de begroting voor 2026 verworpen.",
    "Er worden tot 2035 vijf nieuwe chipfabrieken in Nederland gebouwd.",
    "Het weer in Den Haag is morgen zonnig.",
    "Het kabinet wil de halfgeleiderindustrie in Nederland afbouwen.",
    "Nederland speelt geen rol van betekenis in de mondiale halfgeleiderketen.",
    "Een zwakke economie is goed voor onze veiligheid.",
]


def main() -> None:
    from assistant import support
    from assistant.config import Settings
    from assistant.service import Assistant

    settings = Settings.load(backend="extractive")
    assistant = Assistant(settings)
    records = [p for d in assistant.read().documents for p in d.paragraphs]
    embedder = assistant.sentence_embedder()

    def scores(statement: str) -> tuple[float, float, float]:
        raw, nearest, _ = support.best_support(statement, records, embedder)
        gated = 0.0
        for paragraph in records:
            source = paragraph.search_text
            if support.missing_entities(statement, source, include_first=True, written_numbers=True) or support.misquoted(statement, source):
                continue
            similarity, _, closest = support.best_support(statement, [paragraph], embedder)
            if not support.adds_negation(statement, closest):
                gated = max(gated, similarity)
        return raw, gated, support.coverage(statement, nearest.search_text)

    groups = {
        "exact quotes": EXACT,
        "paraphrases": PARAPHRASES,
        "English translations": ENGLISH,
        "swapped name/number/date": SWAPPED,
        "unrelated/contradicting": UNRELATED,
    }
    results: dict[str, list[tuple[str, float, float, float]]] = {}
    for name, statements in groups.items():
        results[name] = [(s, *scores(s)) for s in statements]
        print(f"\n== {name}")
        for statement, raw, gated, covered in results[name]:
            print(f"  raw {raw:.3f}  gated {gated:.3f}  coverage {covered:.2f}  {statement}")

    print("\n== similarity per group (raw: closest sentence anywhere; gated: entity, quotation and negation tests passed)")
    for name, rows in results.items():
        for column, index in (("raw", 1), ("gated", 2), ("cover", 3)):
            values = [row[index] for row in rows]
            print(f"  {name:28s} {column:5s} min {min(values):.3f}  mean {sum(values) / len(values):.3f}  max {max(values):.3f}")

    positives = [row[2] for name in ("exact quotes", "paraphrases") for row in results[name]]
    negatives = [row[2] for name in ("swapped name/number/date", "unrelated/contradicting") for row in results[name]]
    print("\n== decision on the gated similarity (Dutch positives vs all negatives)")
    print(f"  lowest positive {min(positives):.3f}, highest negative {max(negatives):.3f}")
    if min(positives) > max(negatives):
        print(f"  separable: any threshold in ({max(negatives):.3f}, {min(positives):.3f}]; midpoint {(min(positives) + max(negatives)) / 2:.3f}")
    best = max(sorted(set(positives + negatives)), key=lambda t: sum(p >= t for p in positives) + sum(n < t for n in negatives))
    right = sum(p >= best for p in positives) + sum(n < best for n in negatives)
    print(f"  best threshold {best:.3f}: {right}/{len(positives) + len(negatives)} right")
    for label, value in (("support.SUPPORT_THRESHOLD", support.SUPPORT_THRESHOLD),):
        right = sum(p >= value for p in positives) + sum(n < value for n in negatives)
        missed = [row[0] for name in ("exact quotes", "paraphrases") for row in results[name] if row[2] < value]
        passed = [row[0] for name in ("swapped name/number/date", "unrelated/contradicting") for row in results[name] if row[2] >= value]
        print(f"  current {label} = {value}: {right}/{len(positives) + len(negatives)} right")
        for s in missed:
            print(f"    positive below: {s}")
        for s in passed:
            print(f"    negative above: {s}")

    print("\n== coverage floor for Dutch sentences (content words shared with the closest paragraph)")
    dutch_positive = [row[3] for name in ("exact quotes", "paraphrases") for row in results[name]]
    passing = [row for row in results["unrelated/contradicting"] if row[2] >= support.SUPPORT_THRESHOLD]
    print(f"  lowest positive {min(dutch_positive):.2f}; negatives above SUPPORT_THRESHOLD: " + ", ".join(f"{row[3]:.2f}" for row in passing))
    stopped = [row[0] for row in passing if row[3] < support.MIN_COVERAGE]
    print(f"  current support.MIN_COVERAGE = {support.MIN_COVERAGE}: stops {len(stopped)} of them, loses {sum(c < support.MIN_COVERAGE for c in dutch_positive)} positives")
    for statement in stopped:
        print(f"    stopped: {statement}")

    print("\n== verdicts of `assistant check` on every statement (exact, near miss, or entities + similarity + coverage)")
    assistant.ensure_index()
    for name, rows in results.items():
        verdicts = [assistant.check(row[0]).verdict for row in rows]
        expected = "supported" if name in ("exact quotes", "paraphrases", "English translations") else "not_supported"
        right = sum(v == expected for v in verdicts)
        print(f"  {name:28s} {right}/{len(rows)} {expected}")
        for row, verdict in zip(rows, verdicts):
            if verdict != expected:
                print(f"    {verdict}: {row[0]}")


if __name__ == "__main__":
    main()
