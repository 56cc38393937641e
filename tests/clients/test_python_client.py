"""The dev participants work through the generated client (clients/python) against a real dev node:
the seller registers and reads, grants the import broker, the broker links its declaration, Customs
verifies; every problem answer surfaces as a typed exception. And the committed client is the one
scripts/generate-client makes from the committed document."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from faults.chaos import DevNode
from support.processes import credentials

from gpid_node.api.problems import problem_types

from gpid_node_client import AuthenticatedClient, ProblemError, unwrap  # isort: skip
from gpid_node_client import errors  # isort: skip
from gpid_node_client.api.access import grant_access  # isort: skip
from gpid_node_client.api.declarations import get_declaration, link_declaration  # isort: skip
from gpid_node_client.api.key_data_sets import get_key_data_set, get_key_data_set_history, list_key_data_sets, register_key_data_set  # isort: skip
from gpid_node_client.api.problem_types import get_problem_type  # isort: skip
from gpid_node_client.api.verifications import verify_declaration  # isort: skip
from gpid_node_client.models import GrantRequest, KeyDataSet, KeyDataSetView, LinkRequest, Problem, VerificationRequest  # isort: skip

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((REPOSITORY / "schemas" / "examples" / "design-example.json").read_text())


def client_of(node: DevNode, role: str, country: str | None = None) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=node.url, token=node.key(role, country), raise_on_unexpected_status=True, timeout=60)


def account_of(node: DevNode, role: str, country: str | None = None) -> str:
    return next(p["account"] for p in credentials(node.data_dir)["participants"]
                if p["role"] == role and (country is None or p["country"] == country))  # fmt: skip


def fresh_example() -> dict[str, Any]:
    data = json.loads(json.dumps(EXAMPLE))
    data["invoice"]["number"] = f"CLIENT-{uuid.uuid4().hex[:10].upper()}"
    return data


def test_the_dev_participants_register_read_link_and_verify_through_the_client(dev_node: DevNode) -> None:
    seller = client_of(dev_node, "seller", "DE")
    data = fresh_example()
    written = unwrap(register_key_data_set.sync_detailed(client=seller, body=KeyDataSet.from_dict(data)))
    assert written.status == "registered" and written.version == 1 and written.block
    gpid = written.gpid

    view = unwrap(get_key_data_set.sync_detailed(gpid, client=seller))
    assert isinstance(view, KeyDataSetView) and view.gpid == gpid and view.version == 1
    assert isinstance(view.data, KeyDataSet) and view.data.invoice.number == data["invoice"]["number"]
    assert view.integrity.verified is True
    listed = unwrap(list_key_data_sets.sync_detailed(client=seller, limit=200))
    assert gpid in {item.gpid for item in listed.items}

    # The seller grants the import broker (GB) this GPID; the broker links its import declaration.
    broker = client_of(dev_node, "broker", "GB")
    grantee = account_of(dev_node, "broker", "GB")
    granted = unwrap(grant_access.sync_detailed(gpid, client=seller, body=GrantRequest(grantee=grantee, reason="declares the import")))
    assert granted.grantee.lower() == grantee.lower()
    reference = f"26GB{uuid.uuid4().hex[:12].upper()}"
    link = LinkRequest.from_dict({"reference": reference, "country": "GB", "direction": "import", "gpids": [gpid]})
    linked = unwrap(link_declaration.sync_detailed(client=broker, body=link))
    assert gpid in json.dumps(linked.to_dict())
    declaration = unwrap(get_declaration.sync_detailed("GB", reference, client=broker))
    assert declaration.reference == reference

    # Customs GB checks the declaration against the key data set: it matches.
    customs = client_of(dev_node, "customs", "GB")
    goods = data["goods"][0]
    request = VerificationRequest.from_dict({"declaration": {
        "reference": reference, "country": "GB", "direction": "import", "filed_at": datetime.now(UTC).isoformat(),
        "items": [{"gpid": gpid, "goods_sequence": 1, "hs_code": goods["hs_code"], "packages": goods["packages"]}]}})  # fmt: skip
    verification = unwrap(verify_declaration.sync_detailed(client=customs, body=request))
    assert verification.result == "match", verification.to_dict()

    history = unwrap(get_key_data_set_history.sync_detailed(gpid, client=customs))
    assert [v.version for v in history.versions] == [1]


def test_problem_answers_surface_as_typed_errors(dev_node: DevNode) -> None:
    seller = client_of(dev_node, "seller", "DE")
    data = fresh_example()
    gpid = unwrap(register_key_data_set.sync_detailed(client=seller, body=KeyDataSet.from_dict(data))).gpid

    with pytest.raises(errors.InvoiceAlreadyRegistered) as again:
        unwrap(register_key_data_set.sync_detailed(client=seller, body=KeyDataSet.from_dict(data)))
    assert again.value.gpid == gpid and again.value.status == 409 and again.value.slug == "invoice-already-registered"
    assert isinstance(again.value, errors.Conflict) and isinstance(again.value.problem, Problem)

    broken = fresh_example()
    broken["goods"][0]["hs_code"] = "999999"
    broken["goods"][0]["value"] = "18450.123"
    with pytest.raises(errors.ValidationFailed) as invalid:
        unwrap(register_key_data_set.sync_detailed(client=seller, body=KeyDataSet.from_dict(broken)))
    assert {path for path, _ in invalid.value.errors} >= {"goods[0].hs_code", "goods[0].value"}

    with pytest.raises(errors.BadRequest) as malformed:
        unwrap(get_key_data_set.sync_detailed("GP-NOT-A-GPID", client=seller))
    assert malformed.value.slug == "invalid-gpid"

    competitor = client_of(dev_node, "seller", "FR")
    with pytest.raises(errors.UnknownGPID) as hidden:
        unwrap(get_key_data_set.sync_detailed(gpid, client=competitor))
    assert hidden.value.status == 404

    stranger = AuthenticatedClient(base_url=dev_node.url, token="gpid_nokey.nosecret")
    with pytest.raises(errors.Unauthenticated):
        unwrap(get_key_data_set.sync_detailed(gpid, client=stranger))

    # Every problem type names its documentation, and the node serves it.
    page = unwrap(get_problem_type.sync_detailed(again.value.slug, client=seller, accept="application/json"))
    assert page.type_ == again.value.type and page.statuses == [409]
    with pytest.raises(errors.NotFound):
        unwrap(get_problem_type.sync_detailed("no-such-type", client=seller, accept="application/json"))


def test_every_status_and_type_the_node_documents_maps_to_an_exception_of_that_status() -> None:
    for doc in problem_types():
        for status in doc.statuses:
            assert status in errors.BY_STATUS, f"the client has no exception for {status} ({doc.slug}): add one to the template"
            problem = Problem(type_=doc.uri, title=doc.title, status=status, detail="d")
            error = errors.problem_error(problem)
            assert isinstance(error, errors.BY_STATUS[status]) and isinstance(error, ProblemError)
    for slug, cls in errors.BY_SLUG.items():
        assert slug in {doc.slug for doc in problem_types()}, f"{cls.__name__} names a type the node never emits"


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def test_the_committed_client_has_one_function_per_operation_of_the_committed_document() -> None:
    document = json.loads((REPOSITORY / "schemas" / "openapi.json").read_text())
    package = REPOSITORY / "clients" / "python" / "gpid_node_client" / "api"
    expected = {f"{op['tags'][0].replace('-', '_')}/{_snake(op['operationId'])}.py"
                for ops in document["paths"].values() for op in ops.values()}  # fmt: skip
    generated = {str(path.relative_to(package)) for path in package.glob("*/*.py") if path.name != "__init__.py"}
    assert generated == expected, "clients/python is stale: run scripts/generate-client"
    templates = REPOSITORY / "clients" / "python" / "templates"
    rendered = (package.parent / "errors.py").read_text()
    assert "class InvoiceAlreadyRegistered(Conflict)" in rendered and (templates / "errors.py.jinja").is_file()
