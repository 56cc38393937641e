from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.verdict import Verdict
from ...models.verify_disclosure_json_body import VerifyDisclosureJsonBody
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: VerifyDisclosureJsonBody | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/disclosures/verify",
    }

    if isinstance(body, VerifyDisclosureJsonBody):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, str):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "text/plain"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Verdict | None:
    if response.status_code == 200:
        response_200 = Verdict.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Verdict]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: VerifyDisclosureJsonBody | str | Unset = UNSET,
) -> Response[Problem | Verdict]:
    """Verify a disclosure against the chain (no API key needed)

     The body is a `gpid-disclosure/1` document as JSON, or as `text/plain` its JSON or the `GPD1:` text
    of its QR code. The fields are proven when the document's salts and proofs give the digest the
    registry holds for its version; `superseded` says a later version amended the key data set since. A
    document that proves nothing is answered 200 with `valid: false` and each problem named (a tampered
    value, another GPID or version, a forged proof, another chain or registry).

    Args:
        body (VerifyDisclosureJsonBody): a gpid-disclosure/1 document (see docs/protocol.md,
            Disclosure document)
        body (str): the document's JSON, or GPD1: and base45

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Verdict]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: VerifyDisclosureJsonBody | str | Unset = UNSET,
) -> Problem | Verdict | None:
    """Verify a disclosure against the chain (no API key needed)

     The body is a `gpid-disclosure/1` document as JSON, or as `text/plain` its JSON or the `GPD1:` text
    of its QR code. The fields are proven when the document's salts and proofs give the digest the
    registry holds for its version; `superseded` says a later version amended the key data set since. A
    document that proves nothing is answered 200 with `valid: false` and each problem named (a tampered
    value, another GPID or version, a forged proof, another chain or registry).

    Args:
        body (VerifyDisclosureJsonBody): a gpid-disclosure/1 document (see docs/protocol.md,
            Disclosure document)
        body (str): the document's JSON, or GPD1: and base45

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Verdict
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: VerifyDisclosureJsonBody | str | Unset = UNSET,
) -> Response[Problem | Verdict]:
    """Verify a disclosure against the chain (no API key needed)

     The body is a `gpid-disclosure/1` document as JSON, or as `text/plain` its JSON or the `GPD1:` text
    of its QR code. The fields are proven when the document's salts and proofs give the digest the
    registry holds for its version; `superseded` says a later version amended the key data set since. A
    document that proves nothing is answered 200 with `valid: false` and each problem named (a tampered
    value, another GPID or version, a forged proof, another chain or registry).

    Args:
        body (VerifyDisclosureJsonBody): a gpid-disclosure/1 document (see docs/protocol.md,
            Disclosure document)
        body (str): the document's JSON, or GPD1: and base45

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Verdict]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: VerifyDisclosureJsonBody | str | Unset = UNSET,
) -> Problem | Verdict | None:
    """Verify a disclosure against the chain (no API key needed)

     The body is a `gpid-disclosure/1` document as JSON, or as `text/plain` its JSON or the `GPD1:` text
    of its QR code. The fields are proven when the document's salts and proofs give the digest the
    registry holds for its version; `superseded` says a later version amended the key data set since. A
    document that proves nothing is answered 200 with `valid: false` and each problem named (a tampered
    value, another GPID or version, a forged proof, another chain or registry).

    Args:
        body (VerifyDisclosureJsonBody): a gpid-disclosure/1 document (see docs/protocol.md,
            Disclosure document)
        body (str): the document's JSON, or GPD1: and base45

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Verdict
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
