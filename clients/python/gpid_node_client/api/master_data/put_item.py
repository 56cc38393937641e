from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.catalogue_item import CatalogueItem
from ...models.problem import Problem
from ...models.put_item_body import PutItemBody
from ...types import Response


def _get_kwargs(
    item_id: str,
    *,
    body: PutItemBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/items/{item_id}".format(
            item_id=quote(str(item_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | CatalogueItem | Problem | None:
    if response.status_code == 200:
        response_200 = CatalogueItem.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = cast(Any, None)
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
) -> Response[Any | CatalogueItem | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    item_id: str,
    *,
    client: AuthenticatedClient,
    body: PutItemBody,
) -> Response[Any | CatalogueItem | Problem]:
    """Create or replace a catalogue entry

     What your e-invoices lack for an item: HS code, country of origin, preferential origin, net mass and
    packages per invoiced unit. 201 when new, 200 when replaced; 422 naming each invalid field.

    Args:
        item_id (str): the seller's item id (BT-155) as the invoices give it
        body (PutItemBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CatalogueItem | Problem]
    """

    kwargs = _get_kwargs(
        item_id=item_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    item_id: str,
    *,
    client: AuthenticatedClient,
    body: PutItemBody,
) -> Any | CatalogueItem | Problem | None:
    """Create or replace a catalogue entry

     What your e-invoices lack for an item: HS code, country of origin, preferential origin, net mass and
    packages per invoiced unit. 201 when new, 200 when replaced; 422 naming each invalid field.

    Args:
        item_id (str): the seller's item id (BT-155) as the invoices give it
        body (PutItemBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CatalogueItem | Problem
    """

    return sync_detailed(
        item_id=item_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    item_id: str,
    *,
    client: AuthenticatedClient,
    body: PutItemBody,
) -> Response[Any | CatalogueItem | Problem]:
    """Create or replace a catalogue entry

     What your e-invoices lack for an item: HS code, country of origin, preferential origin, net mass and
    packages per invoiced unit. 201 when new, 200 when replaced; 422 naming each invalid field.

    Args:
        item_id (str): the seller's item id (BT-155) as the invoices give it
        body (PutItemBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CatalogueItem | Problem]
    """

    kwargs = _get_kwargs(
        item_id=item_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    item_id: str,
    *,
    client: AuthenticatedClient,
    body: PutItemBody,
) -> Any | CatalogueItem | Problem | None:
    """Create or replace a catalogue entry

     What your e-invoices lack for an item: HS code, country of origin, preferential origin, net mass and
    packages per invoiced unit. 201 when new, 200 when replaced; 422 naming each invalid field.

    Args:
        item_id (str): the seller's item id (BT-155) as the invoices give it
        body (PutItemBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CatalogueItem | Problem
    """

    return (
        await asyncio_detailed(
            item_id=item_id,
            client=client,
            body=body,
        )
    ).parsed
