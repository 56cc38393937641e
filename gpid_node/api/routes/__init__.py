"""The v1 routes, one module per resource; each only parses, calls one service of the node and answers."""

from __future__ import annotations

from fastapi import Response

ACCEPTED_DESCRIPTION = (
    "Accepted but not yet mined within the node's write timeout: the write is recorded and will be sent; "
    "`Location` names the submission to follow (GET /v1/submissions/{id})."
)


LOCATION = {"Location": {"description": "what was written, or the submission to follow (202)", "schema": {"type": "string"}}}


def written_responses(model: type, created: str) -> dict[int | str, dict]:
    """The 201 and 202 answers of a write, both with ``Location``."""
    return {
        201: {"description": created, "headers": LOCATION},
        202: {"model": model, "description": ACCEPTED_DESCRIPTION, "headers": LOCATION},
    }


def answer_change(response: Response, result: dict) -> dict:
    """The answer of a change that creates nothing (a revocation, an ended mandate): as it stands once mined;
    202 with ``Location`` naming the submission while pending."""
    if result.get("status") == "pending":
        response.status_code = 202
        response.headers["Location"] = f"/v1/submissions/{result['submission']}"
    return result


def answer_write(response: Response, result: dict, location: str) -> dict:
    """201 with ``Location`` once mined (the service answers once indexed, so the next read sees it);
    202 while pending."""
    if result.get("status") != "pending":
        response.headers["Location"] = location
    return answer_change(response, result)
