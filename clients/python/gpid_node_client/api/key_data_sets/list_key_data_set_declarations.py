from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gpid_declarations import GPIDDeclarations
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    gpid: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/key-data-sets/{gpid}/declarations".format(
            gpid=quote(str(gpid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GPIDDeclarations | Problem | None:
    if response.status_code == 200:
        response_200 = GPIDDeclarations.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
) -> Response[GPIDDeclarations | Problem]:
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
) -> Response[GPIDDeclarations | Problem]:
    """The declarations referencing a GPID, with the outcomes Customs recorded

     Every declaration linked to the GPID (in the order they were linked), each with the outcomes Customs
    recorded on chain for it (`match`, `discrepancies`, `integrity_failure`; the version checked, the
    country, the time). For everyone who may read the GPID (its seller and buyer, their brokers,
    Customs): others get 404, as for a read. Links and outcomes are public facts on chain: no data of
    the key data set is shown.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GPIDDeclarations | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gpid: str,
    *,
    client: AuthenticatedClient,
) -> GPIDDeclarations | Problem | None:
    """The declarations referencing a GPID, with the outcomes Customs recorded

     Every declaration linked to the GPID (in the order they were linked), each with the outcomes Customs
    recorded on chain for it (`match`, `discrepancies`, `integrity_failure`; the version checked, the
    country, the time). For everyone who may read the GPID (its seller and buyer, their brokers,
    Customs): others get 404, as for a read. Links and outcomes are public facts on chain: no data of
    the key data set is shown.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GPIDDeclarations | Problem
    """

    return sync_detailed(
        gpid=gpid,
        client=client,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
) -> Response[GPIDDeclarations | Problem]:
    """The declarations referencing a GPID, with the outcomes Customs recorded

     Every declaration linked to the GPID (in the order they were linked), each with the outcomes Customs
    recorded on chain for it (`match`, `discrepancies`, `integrity_failure`; the version checked, the
    country, the time). For everyone who may read the GPID (its seller and buyer, their brokers,
    Customs): others get 404, as for a read. Links and outcomes are public facts on chain: no data of
    the key data set is shown.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GPIDDeclarations | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    *,
    client: AuthenticatedClient,
) -> GPIDDeclarations | Problem | None:
    """The declarations referencing a GPID, with the outcomes Customs recorded

     Every declaration linked to the GPID (in the order they were linked), each with the outcomes Customs
    recorded on chain for it (`match`, `discrepancies`, `integrity_failure`; the version checked, the
    country, the time). For everyone who may read the GPID (its seller and buyer, their brokers,
    Customs): others get 404, as for a read. Links and outcomes are public facts on chain: no data of
    the key data set is shown.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GPIDDeclarations | Problem
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            client=client,
        )
    ).parsed
