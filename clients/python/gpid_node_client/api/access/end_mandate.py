from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.end_mandate_direction import EndMandateDirection
from ...models.mandate_written import MandateWritten
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    agent: str,
    direction: EndMandateDirection,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/mandates/{agent}/{direction}".format(
            agent=quote(str(agent), safe=""),
            direction=quote(str(direction), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MandateWritten | Problem | None:
    if response.status_code == 200:
        response_200 = MandateWritten.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = MandateWritten.from_dict(response.json())

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
) -> Response[MandateWritten | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agent: str,
    direction: EndMandateDirection,
    *,
    client: AuthenticatedClient,
) -> Response[MandateWritten | Problem]:
    """Withdraw a mandate

     404 when the agent holds no such mandate of your trader. 202 while not yet mined.

    Args:
        agent (str): the agent's account
        direction (EndMandateDirection): export or import

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MandateWritten | Problem]
    """

    kwargs = _get_kwargs(
        agent=agent,
        direction=direction,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agent: str,
    direction: EndMandateDirection,
    *,
    client: AuthenticatedClient,
) -> MandateWritten | Problem | None:
    """Withdraw a mandate

     404 when the agent holds no such mandate of your trader. 202 while not yet mined.

    Args:
        agent (str): the agent's account
        direction (EndMandateDirection): export or import

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MandateWritten | Problem
    """

    return sync_detailed(
        agent=agent,
        direction=direction,
        client=client,
    ).parsed


async def asyncio_detailed(
    agent: str,
    direction: EndMandateDirection,
    *,
    client: AuthenticatedClient,
) -> Response[MandateWritten | Problem]:
    """Withdraw a mandate

     404 when the agent holds no such mandate of your trader. 202 while not yet mined.

    Args:
        agent (str): the agent's account
        direction (EndMandateDirection): export or import

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MandateWritten | Problem]
    """

    kwargs = _get_kwargs(
        agent=agent,
        direction=direction,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agent: str,
    direction: EndMandateDirection,
    *,
    client: AuthenticatedClient,
) -> MandateWritten | Problem | None:
    """Withdraw a mandate

     404 when the agent holds no such mandate of your trader. 202 while not yet mined.

    Args:
        agent (str): the agent's account
        direction (EndMandateDirection): export or import

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MandateWritten | Problem
    """

    return (
        await asyncio_detailed(
            agent=agent,
            direction=direction,
            client=client,
        )
    ).parsed
