from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.link_request import LinkRequest
from ...models.linked import Linked
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: LinkRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/declarations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Linked | Problem | None:
    if response.status_code == 201:
        response_201 = Linked.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = Linked.from_dict(response.json())

        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Linked | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: LinkRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Linked | Problem]:
    """Link GPIDs to a declaration

     Records on chain that the declaration references each GPID (brokers, the seller or the buyer). 201
    once every link is mined or refused (each link says which); 202 while some are not yet mined.

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (LinkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Linked | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: LinkRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Linked | Problem | None:
    """Link GPIDs to a declaration

     Records on chain that the declaration references each GPID (brokers, the seller or the buyer). 201
    once every link is mined or refused (each link says which); 202 while some are not yet mined.

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (LinkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Linked | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: LinkRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Linked | Problem]:
    """Link GPIDs to a declaration

     Records on chain that the declaration references each GPID (brokers, the seller or the buyer). 201
    once every link is mined or refused (each link says which); 202 while some are not yet mined.

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (LinkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Linked | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: LinkRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Linked | Problem | None:
    """Link GPIDs to a declaration

     Records on chain that the declaration references each GPID (brokers, the seller or the buyer). 201
    once every link is mined or refused (each link says which); 202 while some are not yet mined.

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (LinkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Linked | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
