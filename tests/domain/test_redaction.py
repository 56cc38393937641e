"""The one rule for showing URLs and texts that may quote them: credentials, provider keys and query
values hidden; the rest (scheme, host, port, API path) kept so the message still says where."""

from __future__ import annotations

import pytest

from gpid_node.domain.redaction import redact_text, redact_url, url_secrets

INFURA_KEY = "0123456789abcdef0123456789abcdef"
ALCHEMY_KEY = "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        ("https://rpcuser:rpcpass@rpc.example:8545/", "https://rpcuser:***@rpc.example:8545/", "rpcpass"),
        ("postgresql+psycopg://gpid:s3cret-pw@db:5432/gpid_broker", "postgresql+psycopg://gpid:***@db:5432/gpid_broker", "s3cret-pw"),
        ("postgresql://gpid:s3cret-pw@db/gpid_node_2026_0123456789", "postgresql://gpid:***@db/gpid_node_2026_0123456789", "s3cret-pw"),
        ("https://tok3n-alone@rpc.example/", "https://***@rpc.example/", "tok3n-alone"),
        (f"https://mainnet.infura.io/v3/{INFURA_KEY}", "https://mainnet.infura.io/v3/***", INFURA_KEY),
        (f"https://eth-mainnet.g.alchemy.com/v2/{ALCHEMY_KEY}", "https://eth-mainnet.g.alchemy.com/v2/***", ALCHEMY_KEY),
        ("https://rpc.example/rpc?apikey=KeyValue-42&net=main", "https://rpc.example/rpc?apikey=***&net=***", "KeyValue-42"),
        ("https://rpc.example/#frag-secret", "https://rpc.example/#***", "frag-secret"),
        (f"wss://rpc.example/ws/v3/{INFURA_KEY}", "wss://rpc.example/ws/v3/***", INFURA_KEY),
        (f"ftp://rpc.example/v3/{INFURA_KEY}", "ftp://rpc.example/v3/***", INFURA_KEY),
    ],
)
def test_a_url_is_shown_without_its_credentials_or_key(url: str, shown: str, secret: str) -> None:
    assert redact_url(url) == shown
    assert secret not in redact_url(url)
    assert secret in url_secrets(url)


@pytest.mark.parametrize("text", ["http://127.0.0.1:8545", "https://rpc.example/v3/rpc", "sqlite:////data/index.sqlite3",
                                  "./data/index.sqlite3", "not a url"])  # fmt: skip
def test_what_holds_no_secret_is_shown_as_it_is(text: str) -> None:
    assert redact_url(text) == text
    assert url_secrets(text) == frozenset()


def test_a_text_quoting_a_url_or_its_key_is_redacted_wherever_it_quotes_it() -> None:
    url = f"https://user:p%40ss-word@mainnet.infura.io/v3/{INFURA_KEY}?apikey=abcdef12"
    library_error = (f"HTTPSConnectionPool(host='mainnet.infura.io', port=443): Max retries exceeded with url: /v3/{INFURA_KEY}"
                     f"?apikey=abcdef12 (the password was p@ss-word); 401 for url: {url}")  # fmt: skip
    shown = redact_text(library_error, url_secrets(url))
    for secret in (INFURA_KEY, "abcdef12", "p@ss-word", "p%40ss-word"):
        assert secret not in shown
    assert "mainnet.infura.io" in shown and "Max retries exceeded" in shown


def test_short_fragments_are_not_searched_for_in_free_text() -> None:
    assert redact_text("a plain sentence", {"a", "pl"}) == "a plain sentence"
