from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.submission import Submission
from ...types import Response


def _get_kwargs(
    submission: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/submissions/{submission}".format(
            submission=quote(str(submission), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Submission | None:
    if response.status_code == 200:
        response_200 = Submission.from_dict(response.json())

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
) -> Response[Problem | Submission]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    submission: int,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | Submission]:
    """A write's progress: pending, sent, mined or failed (with its error)

    Args:
        submission (int): the submission number of a 202 answer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Submission]
    """

    kwargs = _get_kwargs(
        submission=submission,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    submission: int,
    *,
    client: AuthenticatedClient,
) -> Problem | Submission | None:
    """A write's progress: pending, sent, mined or failed (with its error)

    Args:
        submission (int): the submission number of a 202 answer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Submission
    """

    return sync_detailed(
        submission=submission,
        client=client,
    ).parsed


async def asyncio_detailed(
    submission: int,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | Submission]:
    """A write's progress: pending, sent, mined or failed (with its error)

    Args:
        submission (int): the submission number of a 202 answer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Submission]
    """

    kwargs = _get_kwargs(
        submission=submission,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    submission: int,
    *,
    client: AuthenticatedClient,
) -> Problem | Submission | None:
    """A write's progress: pending, sent, mined or failed (with its error)

    Args:
        submission (int): the submission number of a 202 answer

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Submission
    """

    return (
        await asyncio_detailed(
            submission=submission,
            client=client,
        )
    ).parsed
