"""Development tools around the assistant: evaluation, benchmark, stress checks, threshold calibration
and the fake LLM server. They use the assistant only through its public API; the assistant's CLI
loads `devtools.commands` when one of their commands is called, and imports nothing else from here."""
