from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.declaration_view import DeclarationView
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    country: str,
    reference: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/declarations/{country}/{reference}".format(
            country=quote(str(country), safe=""),
            reference=quote(str(reference), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeclarationView | Problem | None:
    if response.status_code == 200:
        response_200 = DeclarationView.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[DeclarationView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    country: str,
    reference: str,
    *,
    client: AuthenticatedClient,
) -> Response[DeclarationView | Problem]:
    """A declaration and the GPIDs it references

    Args:
        country (str): ISO 3166-1 alpha-2
        reference (str): the declaration's reference

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeclarationView | Problem]
    """

    kwargs = _get_kwargs(
        country=country,
        reference=reference,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    country: str,
    reference: str,
    *,
    client: AuthenticatedClient,
) -> DeclarationView | Problem | None:
    """A declaration and the GPIDs it references

    Args:
        country (str): ISO 3166-1 alpha-2
        reference (str): the declaration's reference

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeclarationView | Problem
    """

    return sync_detailed(
        country=country,
        reference=reference,
        client=client,
    ).parsed


async def asyncio_detailed(
    country: str,
    reference: str,
    *,
    client: AuthenticatedClient,
) -> Response[DeclarationView | Problem]:
    """A declaration and the GPIDs it references

    Args:
        country (str): ISO 3166-1 alpha-2
        reference (str): the declaration's reference

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeclarationView | Problem]
    """

    kwargs = _get_kwargs(
        country=country,
        reference=reference,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    country: str,
    reference: str,
    *,
    client: AuthenticatedClient,
) -> DeclarationView | Problem | None:
    """A declaration and the GPIDs it references

    Args:
        country (str): ISO 3166-1 alpha-2
        reference (str): the declaration's reference

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeclarationView | Problem
    """

    return (
        await asyncio_detailed(
            country=country,
            reference=reference,
            client=client,
        )
    ).parsed
