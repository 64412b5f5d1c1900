"""The eval command's answer metrics, on a stand-in assistant (no model, no index)."""

from __future__ import annotations

from types import SimpleNamespace

from devtools.evaluate import evaluate_answers

ITEMS = [
    {"id": "a", "question": "Wanneer?", "answerable": True, "facts": ["2025"], "source": "begin 2025"},
    {"id": "b", "question": "Wie?", "answerable": True, "facts": ["ASML"], "source": "ASML"},
    {"id": "c", "question": "Hoeveel cleanrooms?", "answerable": False},
]


class StandIn:
    """Answers a and b from one cited paragraph each; b's summary was dropped (a fallback)."""

    def ask(self, question, history, backend):
        citation = SimpleNamespace(text="begin 2025 de Semicon Board NL; ASML")
        if question == "Wanneer?":
            return SimpleNamespace(answerable=True, answer="Begin 2025 [1].", backend="local", citations=[citation])
        if question == "Wie?":
            return SimpleNamespace(answerable=True, answer="“ASML”", backend="extractive (fallback van local)", citations=[citation])
        return SimpleNamespace(answerable=False, answer="Dat staat er niet.", backend="local", citations=[])


def test_a_generative_backend_prints_how_often_its_answer_was_dropped():
    metrics, records = evaluate_answers(StandIn(), ITEMS, "local")
    assert metrics["accuracy"] == 1.0 and metrics["refusal_accuracy"] == 1.0
    assert metrics["fallbacks"] == 0.5
    assert "fallbacks" not in evaluate_answers(StandIn(), ITEMS, "extractive")[0]
