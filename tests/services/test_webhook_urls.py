"""The operator's allow-list of webhook receivers (services/webhook_urls.py), with a fake resolver."""

from __future__ import annotations

import pytest

from gpid_node.services.webhook_urls import UrlPolicy

NAMES = {"erp.example.com": ["93.184.215.14"], "rebind.example.com": ["10.0.0.8"], "meta.example.com": ["169.254.169.254"],
         "localhost": ["127.0.0.1"]}  # fmt: skip


def policy(allowed: list[str], loopback: bool = False) -> UrlPolicy:
    return UrlPolicy(tuple(allowed), loopback, resolver=lambda host, port: NAMES.get(host, []))


@pytest.mark.parametrize(
    ("allowed", "loopback", "url"),
    [
        (["erp.example.com"], False, "https://erp.example.com/hooks/gpid"),
        (["*.example.com"], False, "https://erp.example.com/hooks"),
        (["*"], False, "https://erp.example.com/hooks"),
        (["*"], False, "http://8.8.8.8/hooks"),
        (["10.0.0.0/8"], False, "http://10.1.2.3:8080/hooks"),
        (["rebind.example.com", "10.0.0.0/24"], False, "http://rebind.example.com/"),
        ([], True, "http://127.0.0.1:9000/hook"),
        ([], True, "http://localhost:9000/hook"),
        ([], True, "http://[::1]:9000/hook"),
    ],
)
def test_allowed(allowed: list[str], loopback: bool, url: str) -> None:
    assert policy(allowed, loopback).refusal(url) is None


@pytest.mark.parametrize(
    ("allowed", "loopback", "url", "says"),
    [
        ([], False, "https://erp.example.com/", "allows no webhook receivers"),
        (["other.example.com"], False, "https://erp.example.com/", "not among the hosts"),
        (["*"], False, "http://169.254.169.254/latest/meta-data/", "link-local"),
        (["*"], False, "http://meta.example.com/", "link-local"),  # a name pointing at the metadata service
        (["*"], False, "http://rebind.example.com/", "private"),  # a public name pointing inside
        (["*"], False, "http://10.1.2.3/", "private"),
        (["*"], False, "http://127.0.0.1:9000/", "loopback"),  # loopback only in development mode
        (["*"], False, "http://100.100.100.200/", "non-public"),  # shared address space (a metadata service too)
        (["*"], False, "http://[fd00:ec2::254]/", "private"),
        (["*"], False, "https://nowhere.example.com/", "does not resolve"),
        (["*"], True, "file:///etc/passwd", "scheme"),
        (["*"], True, "http://user:pw@127.0.0.1/", "password"),
        (["*"], True, "http://127.0.0.1:99999/", "port"),
    ],
)
def test_refused(allowed: list[str], loopback: bool, url: str, says: str) -> None:
    refusal = policy(allowed, loopback).refusal(url)
    assert refusal is not None and says in refusal
