from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_page import EventPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    types: list[str] | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params["limit"] = limit

    json_types: list[str] | None | Unset
    if isinstance(types, Unset):
        json_types = UNSET
    elif isinstance(types, list):
        json_types = types

    else:
        json_types = types
    params["types"] = json_types

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EventPage | Problem | None:
    if response.status_code == 200:
        response_200 = EventPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[EventPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    types: list[str] | None | Unset = UNSET,
) -> Response[EventPage | Problem]:
    """The event feed

     Events about the key data sets you may read, oldest first, after the event `after` (from the first
    without it). Ids are chain positions, so every node serves the same feed. Poll with `after=<next>`;
    `types` narrows the feed (repeat it).

    Args:
        after (None | str | Unset): an event id (`<block>-<log index>`); the feed's `next`
        limit (int | Unset): page size Default: 100.
        types (list[str] | None | Unset): only these event types

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventPage | Problem]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        types=types,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    types: list[str] | None | Unset = UNSET,
) -> EventPage | Problem | None:
    """The event feed

     Events about the key data sets you may read, oldest first, after the event `after` (from the first
    without it). Ids are chain positions, so every node serves the same feed. Poll with `after=<next>`;
    `types` narrows the feed (repeat it).

    Args:
        after (None | str | Unset): an event id (`<block>-<log index>`); the feed's `next`
        limit (int | Unset): page size Default: 100.
        types (list[str] | None | Unset): only these event types

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventPage | Problem
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        types=types,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    types: list[str] | None | Unset = UNSET,
) -> Response[EventPage | Problem]:
    """The event feed

     Events about the key data sets you may read, oldest first, after the event `after` (from the first
    without it). Ids are chain positions, so every node serves the same feed. Poll with `after=<next>`;
    `types` narrows the feed (repeat it).

    Args:
        after (None | str | Unset): an event id (`<block>-<log index>`); the feed's `next`
        limit (int | Unset): page size Default: 100.
        types (list[str] | None | Unset): only these event types

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventPage | Problem]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        types=types,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    types: list[str] | None | Unset = UNSET,
) -> EventPage | Problem | None:
    """The event feed

     Events about the key data sets you may read, oldest first, after the event `after` (from the first
    without it). Ids are chain positions, so every node serves the same feed. Poll with `after=<next>`;
    `types` narrows the feed (repeat it).

    Args:
        after (None | str | Unset): an event id (`<block>-<log index>`); the feed's `next`
        limit (int | Unset): page size Default: 100.
        types (list[str] | None | Unset): only these event types

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            types=types,
        )
    ).parsed
