"""The UI's named endpoints, called the way scripts call a Gradio app."""

from __future__ import annotations

import pytest

from tests.browser.conftest import GRADIO_PANDAS_NOISE
from tests.fakes.assistant import LETTER, NORMAL_ANSWER

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120), *GRADIO_PANDAS_NOISE]


def test_named_endpoints(sites):
    from gradio_client import Client

    client = Client(sites.assistant + "/", verbose=False, analytics_enabled=False, download_files=False)
    try:
        answer = client.predict("Wat is de rol van Nederland?", None, None, api_name="/ask")
        assert answer["answer"] == NORMAL_ANSWER
        assert answer["citations"][0]["url"] == f"/doc/{LETTER}#p-{LETTER}:p3"
        checked = client.predict("Nederland speelt een leidende rol in de mondiale halfgeleiderketen.", api_name="/check")
        assert checked["verdict"] == "supported" and checked["match"] == "exact"
        docs = client.predict(api_name="/documents")
        assert [d["id"] for d in docs][0] == LETTER
        with pytest.raises(Exception, match="leeg"):
            client.predict("   ", None, None, api_name="/ask")
    finally:
        client.close()
