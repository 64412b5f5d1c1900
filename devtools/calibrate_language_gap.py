"""Measure how much lower e5 rates a sentence against a question in the other language.

    .venv/bin/python -m devtools.calibrate_language_gap [CORPUS] [PAIRS.jsonl]

Defaults: eval/own_multidoc/corpus and eval/language_pairs.jsonl, one question written in Dutch
and in English per line ("nl", "en") with "source", words of the sentence that answers it. The
corpus is ingested into a temporary index (the real e5 model). For each pair: the similarity of
the answering sentence with the question in the sentence's own language and in the other, and the
gap; then the median gap, which `CROSS_LANGUAGE_GAP` in `assistant/extractive.py` is set to.
The English questions were written for this measurement; some of the Dutch ones are questions of
the letter sets (eval/dev_qa.jsonl, eval/own_qa.jsonl), and some sources answer questions of the
multi-document sets too, whose own questions are not among the pairs.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from assistant.config import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT / "eval" / "own_multidoc" / "corpus"
DEFAULT_PAIRS = PROJECT_ROOT / "eval" / "language_pairs.jsonl"


def main(argv: list[str]) -> int:
    from assistant import extractive
    from assistant.config import Settings
    from ingest.sentences import split_sentences
    from devtools.evaluate import corpus_assistant, load_jsonl
    from ingest.language import language_of

    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    pairs = load_jsonl(Path(argv[1]) if len(argv) > 1 else DEFAULT_PAIRS, ["nl", "en", "source"])
    gaps = []
    with corpus_assistant(Settings.load(), corpus) as assistant:
        embedder = assistant.sentence_embedder()
        sentences = [(p, s) for p in assistant.store.records() for s in split_sentences(p.text)]
        print(f"{'lang':4} {'own':>6} {'other':>6} {'gap':>7}  source")
        for pair in pairs:
            found = next(((p, s) for p, s in sentences if pair["source"] in s), None)
            if found is None:
                print(f"     {'':>6} {'':>6} {'':>7}  {pair['source']}: no sentence of the corpus holds it")
                continue
            paragraph, sentence = found
            vector = embedder.passages([paragraph.searchable(sentence)])[0]
            language = language_of(paragraph.text)
            own = float(embedder.query(pair[language]) @ vector)
            other = float(embedder.query(pair["en" if language == "nl" else "nl"]) @ vector)
            gaps.append(own - other)
            print(f"{language:4} {own:6.4f} {other:6.4f} {own - other:+7.4f}  {pair['source']}")
    if not gaps:
        return 1
    print(f"\n{len(gaps)} pairs: median gap {statistics.median(gaps):.4f}, mean {statistics.mean(gaps):.4f}, "
          f"sd {statistics.pstdev(gaps):.4f} (CROSS_LANGUAGE_GAP is {extractive.CROSS_LANGUAGE_GAP})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
