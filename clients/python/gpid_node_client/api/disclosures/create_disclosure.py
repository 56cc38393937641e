from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_disclosure_response_201 import CreateDisclosureResponse201
from ...models.disclosure_request import DisclosureRequest
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    gpid: str,
    *,
    body: DisclosureRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/key-data-sets/{gpid}/disclosures".format(
            gpid=quote(str(gpid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateDisclosureResponse201 | Problem | None:
    if response.status_code == 201:
        response_201 = CreateDisclosureResponse201.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateDisclosureResponse201 | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: DisclosureRequest,
) -> Response[CreateDisclosureResponse201 | Problem]:
    """Disclose chosen fields of a version, with their proof (JSON, or a QR code)

     For whoever may read the key data set's data (404 otherwise, as for a read). The answer is a self-
    contained `gpid-disclosure/1` document: the revealed fields, their salts (or one seed per goods
    column), the Merkle sibling hashes and the other sections' roots; it reveals no other value. Anyone
    checks it against the version's digest on chain (`POST /v1/disclosures/verify`, `gpid-node check-
    disclosure`). With `Accept: image/svg+xml` or `image/png` the answer is the document's QR code (its
    `GPD1:` text, error correction M) for a driver's papers. 422 naming a path that names no field, a
    version that does not exist, or a format-1 version (it has no per-field leaves).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        body (DisclosureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateDisclosureResponse201 | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: DisclosureRequest,
) -> CreateDisclosureResponse201 | Problem | None:
    """Disclose chosen fields of a version, with their proof (JSON, or a QR code)

     For whoever may read the key data set's data (404 otherwise, as for a read). The answer is a self-
    contained `gpid-disclosure/1` document: the revealed fields, their salts (or one seed per goods
    column), the Merkle sibling hashes and the other sections' roots; it reveals no other value. Anyone
    checks it against the version's digest on chain (`POST /v1/disclosures/verify`, `gpid-node check-
    disclosure`). With `Accept: image/svg+xml` or `image/png` the answer is the document's QR code (its
    `GPD1:` text, error correction M) for a driver's papers. 422 naming a path that names no field, a
    version that does not exist, or a format-1 version (it has no per-field leaves).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        body (DisclosureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateDisclosureResponse201 | Problem
    """

    return sync_detailed(
        gpid=gpid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: DisclosureRequest,
) -> Response[CreateDisclosureResponse201 | Problem]:
    """Disclose chosen fields of a version, with their proof (JSON, or a QR code)

     For whoever may read the key data set's data (404 otherwise, as for a read). The answer is a self-
    contained `gpid-disclosure/1` document: the revealed fields, their salts (or one seed per goods
    column), the Merkle sibling hashes and the other sections' roots; it reveals no other value. Anyone
    checks it against the version's digest on chain (`POST /v1/disclosures/verify`, `gpid-node check-
    disclosure`). With `Accept: image/svg+xml` or `image/png` the answer is the document's QR code (its
    `GPD1:` text, error correction M) for a driver's papers. 422 naming a path that names no field, a
    version that does not exist, or a format-1 version (it has no per-field leaves).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        body (DisclosureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateDisclosureResponse201 | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: DisclosureRequest,
) -> CreateDisclosureResponse201 | Problem | None:
    """Disclose chosen fields of a version, with their proof (JSON, or a QR code)

     For whoever may read the key data set's data (404 otherwise, as for a read). The answer is a self-
    contained `gpid-disclosure/1` document: the revealed fields, their salts (or one seed per goods
    column), the Merkle sibling hashes and the other sections' roots; it reveals no other value. Anyone
    checks it against the version's digest on chain (`POST /v1/disclosures/verify`, `gpid-node check-
    disclosure`). With `Accept: image/svg+xml` or `image/png` the answer is the document's QR code (its
    `GPD1:` text, error correction M) for a driver's papers. 422 naming a path that names no field, a
    version that does not exist, or a format-1 version (it has no per-field leaves).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        body (DisclosureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateDisclosureResponse201 | Problem
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            client=client,
            body=body,
        )
    ).parsed
