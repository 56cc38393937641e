import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.key_data_set_view import KeyDataSetView
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    gpid: str,
    *,
    version: int | None | Unset = UNSET,
    as_of: datetime.datetime | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_version: int | None | Unset
    if isinstance(version, Unset):
        json_version = UNSET
    else:
        json_version = version
    params["version"] = json_version

    json_as_of: None | str | Unset
    if isinstance(as_of, Unset):
        json_as_of = UNSET
    elif isinstance(as_of, datetime.datetime):
        json_as_of = as_of.isoformat()
    else:
        json_as_of = as_of
    params["as_of"] = json_as_of

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/key-data-sets/{gpid}".format(
            gpid=quote(str(gpid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | KeyDataSetView | Problem | None:
    if response.status_code == 200:
        response_200 = KeyDataSetView.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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
) -> Response[Any | KeyDataSetView | Problem]:
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
    version: int | None | Unset = UNSET,
    as_of: datetime.datetime | None | Unset = UNSET,
) -> Response[Any | KeyDataSetView | Problem]:
    """Read a key data set with its integrity proof

     The current version, or the version `version`, or the version current at `as_of` (not both).
    `integrity.checked_against` says whether the proof was made against the chain now or, the chain
    being unreachable, only against the index. Sends a weak `ETag`; `If-None-Match` answers 304 when
    unchanged.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number
        as_of (datetime.datetime | None | Unset): ISO 8601 instant; without a time zone it is read
            as UTC

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | KeyDataSetView | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        version=version,
        as_of=as_of,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gpid: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    as_of: datetime.datetime | None | Unset = UNSET,
) -> Any | KeyDataSetView | Problem | None:
    """Read a key data set with its integrity proof

     The current version, or the version `version`, or the version current at `as_of` (not both).
    `integrity.checked_against` says whether the proof was made against the chain now or, the chain
    being unreachable, only against the index. Sends a weak `ETag`; `If-None-Match` answers 304 when
    unchanged.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number
        as_of (datetime.datetime | None | Unset): ISO 8601 instant; without a time zone it is read
            as UTC

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | KeyDataSetView | Problem
    """

    return sync_detailed(
        gpid=gpid,
        client=client,
        version=version,
        as_of=as_of,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    as_of: datetime.datetime | None | Unset = UNSET,
) -> Response[Any | KeyDataSetView | Problem]:
    """Read a key data set with its integrity proof

     The current version, or the version `version`, or the version current at `as_of` (not both).
    `integrity.checked_against` says whether the proof was made against the chain now or, the chain
    being unreachable, only against the index. Sends a weak `ETag`; `If-None-Match` answers 304 when
    unchanged.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number
        as_of (datetime.datetime | None | Unset): ISO 8601 instant; without a time zone it is read
            as UTC

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | KeyDataSetView | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        version=version,
        as_of=as_of,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    as_of: datetime.datetime | None | Unset = UNSET,
) -> Any | KeyDataSetView | Problem | None:
    """Read a key data set with its integrity proof

     The current version, or the version `version`, or the version current at `as_of` (not both).
    `integrity.checked_against` says whether the proof was made against the chain now or, the chain
    being unreachable, only against the index. Sends a weak `ETag`; `If-None-Match` answers 304 when
    unchanged.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number
        as_of (datetime.datetime | None | Unset): ISO 8601 instant; without a time zone it is read
            as UTC

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | KeyDataSetView | Problem
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            client=client,
            version=version,
            as_of=as_of,
        )
    ).parsed
