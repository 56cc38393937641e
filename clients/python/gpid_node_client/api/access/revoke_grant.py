from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.revoked import Revoked
from ...types import Response


def _get_kwargs(
    gpid: str,
    account: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/key-data-sets/{gpid}/grants/{account}".format(
            gpid=quote(str(gpid), safe=""),
            account=quote(str(account), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Revoked | None:
    if response.status_code == 200:
        response_200 = Revoked.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = Revoked.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Revoked]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    gpid: str,
    account: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | Revoked]:
    """End a grant

     The grantee may no longer link declarations to the GPID. What was already shared stays shared: it
    keeps the content key it received (the answer's `note` says so). 404 when it holds no active grant.
    202 while the revocation is not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        account (str): the grantee's account

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Revoked]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        account=account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gpid: str,
    account: str,
    *,
    client: AuthenticatedClient,
) -> Problem | Revoked | None:
    """End a grant

     The grantee may no longer link declarations to the GPID. What was already shared stays shared: it
    keeps the content key it received (the answer's `note` says so). 404 when it holds no active grant.
    202 while the revocation is not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        account (str): the grantee's account

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Revoked
    """

    return sync_detailed(
        gpid=gpid,
        account=account,
        client=client,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    account: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | Revoked]:
    """End a grant

     The grantee may no longer link declarations to the GPID. What was already shared stays shared: it
    keeps the content key it received (the answer's `note` says so). 404 when it holds no active grant.
    202 while the revocation is not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        account (str): the grantee's account

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Revoked]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        account=account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    account: str,
    *,
    client: AuthenticatedClient,
) -> Problem | Revoked | None:
    """End a grant

     The grantee may no longer link declarations to the GPID. What was already shared stays shared: it
    keeps the content key it received (the answer's `note` says so). 404 when it holds no active grant.
    202 while the revocation is not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        account (str): the grantee's account

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Revoked
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            account=account,
            client=client,
        )
    ).parsed
