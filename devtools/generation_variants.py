"""Compare generation strategies (assistant/generation.py) on eval question sets, one process.

    python -m devtools.generation_variants --qa eval/dev_qa.jsonl --strategies passages,select+grammar \
        [--corpus corpus] [--ids q01,q05] [--backend local]

Loads the embedder, the index and the model once and runs every strategy over the same questions,
printing `assistant eval`'s answer metrics plus fallbacks and the time per answer. ASSISTANT_HOME
(default: a folder under /tmp per corpus) holds the index; link its `models` folder to an existing
model cache to skip converting the embedding model again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import generation  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from devtools import evaluate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--qa", type=Path, action="append", required=True)
    parser.add_argument("--strategies", default=generation.DEFAULT_STRATEGY)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--ids", default="")
    parser.add_argument("--backend", default="local")
    parser.add_argument("--skip-holdout", action="store_true", help='leave out items marked "split": "holdout"')
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args()

    corpus_key = hashlib.sha256(str(args.corpus.resolve()).encode()).hexdigest()[:8]
    home = Path(os.environ.get("ASSISTANT_HOME") or f"/tmp/generation-variants-{corpus_key}")
    settings = Settings.load(home=home, corpus_dir=args.corpus.resolve(), backend=args.backend)
    assistant = Assistant(settings)
    assistant.ensure_index()
    items = [item for path in args.qa for item in evaluate.load_jsonl(path, ["id", "question"])]
    if args.ids:
        wanted = set(args.ids.split(","))
        items = [item for item in items if item["id"] in wanted]
    if args.skip_holdout:
        items = [item for item in items if item.get("split") != "holdout"]
    assistant.ask("Wat is de Semicon Visie 2035?", [], args.backend)  # loads the model, warms the cache

    replies: list[str] = []
    answer_part = generation.answer_part

    def recorded(reply, request, _answer_part=answer_part):
        replies.append(reply)
        return _answer_part(reply, request)

    generation.answer_part = recorded  # the model's raw reply, for --show

    for name in args.strategies.split(","):
        generation.DEFAULT_STRATEGY = name
        seconds: list[float] = []
        ask = assistant.ask

        def timed(question, history=None, backend=None, _ask=ask):
            started = time.perf_counter()
            try:
                return _ask(question, history, backend)
            finally:
                seconds.append(time.perf_counter() - started)

        assistant.ask = timed  # type: ignore[method-assign]
        notices: dict[str, str] = {}
        inner = timed

        def noted(question, history=None, backend=None, _inner=inner):
            replies.clear()
            answer = _inner(question, history, backend)
            notices[question] = " | ".join(filter(None, [answer.notice, *(f"reply: {r!r}" for r in replies)]))
            return answer

        assistant.ask = noted  # type: ignore[method-assign]
        metrics, records = evaluate.evaluate_answers(assistant, items, args.backend)
        assistant.ask = ask  # type: ignore[method-assign]
        metrics["p50_s"] = round(statistics.median(seconds), 2) if seconds else 0.0
        print(json.dumps({"strategy": name, "sets": [p.name for p in args.qa], **metrics}), flush=True)
        if args.show:
            for r in records:
                print(f"  {r['id']} ok={r.get('correct')} cite={r.get('citation_hit')} [{r['backend']}] {r['answer'][:220]!r}")
                if notices.get(r["question"]):
                    print(f"     notice: {notices[r['question']][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
