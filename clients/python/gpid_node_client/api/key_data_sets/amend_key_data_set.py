from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.amended import Amended
from ...models.amendment_request import AmendmentRequest
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    gpid: str,
    *,
    body: AmendmentRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/key-data-sets/{gpid}/amendments".format(
            gpid=quote(str(gpid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Amended | Problem | None:
    if response.status_code == 201:
        response_201 = Amended.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = Amended.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Amended | Problem]:
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
    body: AmendmentRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Amended | Problem]:
    """Amend a key data set

     `changes` is a JSON merge patch applied to the current version. The seller trader ID, the invoice
    number and the invoice date never change (422 naming them). 201 once mined (`Location` is the new
    version); 202 when not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (AmendmentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Amended | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: AmendmentRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Amended | Problem | None:
    """Amend a key data set

     `changes` is a JSON merge patch applied to the current version. The seller trader ID, the invoice
    number and the invoice date never change (422 naming them). 201 once mined (`Location` is the new
    version); 202 when not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (AmendmentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Amended | Problem
    """

    return sync_detailed(
        gpid=gpid,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: AmendmentRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Amended | Problem]:
    """Amend a key data set

     `changes` is a JSON merge patch applied to the current version. The seller trader ID, the invoice
    number and the invoice date never change (422 naming them). 201 once mined (`Location` is the new
    version); 202 when not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (AmendmentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Amended | Problem]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    *,
    client: AuthenticatedClient,
    body: AmendmentRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Amended | Problem | None:
    """Amend a key data set

     `changes` is a JSON merge patch applied to the current version. The seller trader ID, the invoice
    number and the invoice date never change (422 naming them). 201 once mined (`Location` is the new
    version); 202 when not yet mined.

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        body (AmendmentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Amended | Problem
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
