from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.derived import Derived
from ...models.problem import Problem
from ...types import File, Response


def _get_kwargs(
    *,
    body: File,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/key-data-sets/derive",
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/xml"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Derived | Problem | None:
    if response.status_code == 200:
        response_200 = Derived.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Derived | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: File,
) -> Response[Derived | Problem]:
    """Derive a key data set from an e-invoice (nothing is written)

     Reads the e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) safely and
    maps it to a key data set, completed by your item catalogue (`/v1/items`) and partner directory
    (`/v1/partners`); the invoice's own values win. `missing` lists every field that is missing or
    invalid, with a message a clerk can act on; `sources` says where each field came from; `source`
    identifies the document (its SHA-256). 422 when the document cannot be read (malformed or hostile
    XML, no invoice inside the PDF, mandatory terms missing).

    Args:
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Derived | Problem]
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
    client: AuthenticatedClient,
    body: File,
) -> Derived | Problem | None:
    """Derive a key data set from an e-invoice (nothing is written)

     Reads the e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) safely and
    maps it to a key data set, completed by your item catalogue (`/v1/items`) and partner directory
    (`/v1/partners`); the invoice's own values win. `missing` lists every field that is missing or
    invalid, with a message a clerk can act on; `sources` says where each field came from; `source`
    identifies the document (its SHA-256). 422 when the document cannot be read (malformed or hostile
    XML, no invoice inside the PDF, mandatory terms missing).

    Args:
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Derived | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: File,
) -> Response[Derived | Problem]:
    """Derive a key data set from an e-invoice (nothing is written)

     Reads the e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) safely and
    maps it to a key data set, completed by your item catalogue (`/v1/items`) and partner directory
    (`/v1/partners`); the invoice's own values win. `missing` lists every field that is missing or
    invalid, with a message a clerk can act on; `sources` says where each field came from; `source`
    identifies the document (its SHA-256). 422 when the document cannot be read (malformed or hostile
    XML, no invoice inside the PDF, mandatory terms missing).

    Args:
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Derived | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: File,
) -> Derived | Problem | None:
    """Derive a key data set from an e-invoice (nothing is written)

     Reads the e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII, Factur-X/ZUGFeRD PDF) safely and
    maps it to a key data set, completed by your item catalogue (`/v1/items`) and partner directory
    (`/v1/partners`); the invoice's own values win. `missing` lists every field that is missing or
    invalid, with a message a clerk can act on; `sources` says where each field came from; `source`
    identifies the document (its SHA-256). 422 when the document cannot be read (malformed or hostile
    XML, no invoice inside the PDF, mandatory terms missing).

    Args:
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Derived | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
