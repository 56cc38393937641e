from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.problem_type_view import ProblemTypeView
from ...types import UNSET, Response, Unset


def _get_kwargs(
    name: str,
    *,
    accept: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept, Unset):
        headers["accept"] = accept

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/problems/{name}".format(
            name=quote(str(name), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ProblemTypeView | None:
    if response.status_code == 200:
        response_200 = ProblemTypeView.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ProblemTypeView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    accept: None | str | Unset = UNSET,
) -> Response[Problem | ProblemTypeView]:
    """What one problem type means and what to do about it

    Args:
        name (str): the last part of the type URI
        accept (None | str | Unset): `application/json` for data; an HTML page otherwise

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProblemTypeView]
    """

    kwargs = _get_kwargs(
        name=name,
        accept=accept,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    accept: None | str | Unset = UNSET,
) -> Problem | ProblemTypeView | None:
    """What one problem type means and what to do about it

    Args:
        name (str): the last part of the type URI
        accept (None | str | Unset): `application/json` for data; an HTML page otherwise

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProblemTypeView
    """

    return sync_detailed(
        name=name,
        client=client,
        accept=accept,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    accept: None | str | Unset = UNSET,
) -> Response[Problem | ProblemTypeView]:
    """What one problem type means and what to do about it

    Args:
        name (str): the last part of the type URI
        accept (None | str | Unset): `application/json` for data; an HTML page otherwise

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProblemTypeView]
    """

    kwargs = _get_kwargs(
        name=name,
        accept=accept,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    accept: None | str | Unset = UNSET,
) -> Problem | ProblemTypeView | None:
    """What one problem type means and what to do about it

    Args:
        name (str): the last part of the type URI
        accept (None | str | Unset): `application/json` for data; an HTML page otherwise

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProblemTypeView
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            accept=accept,
        )
    ).parsed
