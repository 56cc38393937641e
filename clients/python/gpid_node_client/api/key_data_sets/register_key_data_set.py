from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.key_data_set import KeyDataSet
from ...models.problem import Problem
from ...models.written import Written
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: KeyDataSet | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    prefer: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(prefer, Unset):
        headers["prefer"] = prefer

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/key-data-sets",
    }

    if isinstance(body, KeyDataSet):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/xml"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Written | None:
    if response.status_code == 201:
        response_201 = Written.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = Written.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Written]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: KeyDataSet | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    prefer: None | str | Unset = UNSET,
) -> Response[Problem | Written]:
    """Register a key data set

     Validates the key data set, derives its GPID and registers it on chain. 201 once mined (`Location`
    is the key data set); 202 when it is recorded but not yet mined (`Location` is the submission). With
    `Prefer: respond-async` (RFC 7240) the answer is 202 as soon as the registration is recorded: the
    GPID in it is final (derived from the invoice), and the submission says when it is on chain. A
    second registration of the same invoice is a 409 problem whose `gpid` names the existing GPID. An
    e-invoice body (XML or Factur-X PDF) registers its derived key data set when nothing is missing,
    else 422 with every missing path (see `/v1/key-data-sets/derive`); a credit note or corrective
    invoice amends the GPID of the invoice it corrects (201, `version` > 1; 404 when that invoice has no
    key data set of yours).

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        prefer (None | str | Unset): `respond-async`: answer 202 once recorded
        body (KeyDataSet): The key data set of one commercial invoice, schema version 1
            (DESIGN.md).
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Written]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        prefer=prefer,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: KeyDataSet | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    prefer: None | str | Unset = UNSET,
) -> Problem | Written | None:
    """Register a key data set

     Validates the key data set, derives its GPID and registers it on chain. 201 once mined (`Location`
    is the key data set); 202 when it is recorded but not yet mined (`Location` is the submission). With
    `Prefer: respond-async` (RFC 7240) the answer is 202 as soon as the registration is recorded: the
    GPID in it is final (derived from the invoice), and the submission says when it is on chain. A
    second registration of the same invoice is a 409 problem whose `gpid` names the existing GPID. An
    e-invoice body (XML or Factur-X PDF) registers its derived key data set when nothing is missing,
    else 422 with every missing path (see `/v1/key-data-sets/derive`); a credit note or corrective
    invoice amends the GPID of the invoice it corrects (201, `version` > 1; 404 when that invoice has no
    key data set of yours).

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        prefer (None | str | Unset): `respond-async`: answer 202 once recorded
        body (KeyDataSet): The key data set of one commercial invoice, schema version 1
            (DESIGN.md).
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Written
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        prefer=prefer,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: KeyDataSet | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    prefer: None | str | Unset = UNSET,
) -> Response[Problem | Written]:
    """Register a key data set

     Validates the key data set, derives its GPID and registers it on chain. 201 once mined (`Location`
    is the key data set); 202 when it is recorded but not yet mined (`Location` is the submission). With
    `Prefer: respond-async` (RFC 7240) the answer is 202 as soon as the registration is recorded: the
    GPID in it is final (derived from the invoice), and the submission says when it is on chain. A
    second registration of the same invoice is a 409 problem whose `gpid` names the existing GPID. An
    e-invoice body (XML or Factur-X PDF) registers its derived key data set when nothing is missing,
    else 422 with every missing path (see `/v1/key-data-sets/derive`); a credit note or corrective
    invoice amends the GPID of the invoice it corrects (201, `version` > 1; 404 when that invoice has no
    key data set of yours).

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        prefer (None | str | Unset): `respond-async`: answer 202 once recorded
        body (KeyDataSet): The key data set of one commercial invoice, schema version 1
            (DESIGN.md).
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Written]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        prefer=prefer,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: KeyDataSet | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    prefer: None | str | Unset = UNSET,
) -> Problem | Written | None:
    """Register a key data set

     Validates the key data set, derives its GPID and registers it on chain. 201 once mined (`Location`
    is the key data set); 202 when it is recorded but not yet mined (`Location` is the submission). With
    `Prefer: respond-async` (RFC 7240) the answer is 202 as soon as the registration is recorded: the
    GPID in it is final (derived from the invoice), and the submission says when it is on chain. A
    second registration of the same invoice is a 409 problem whose `gpid` names the existing GPID. An
    e-invoice body (XML or Factur-X PDF) registers its derived key data set when nothing is missing,
    else 422 with every missing path (see `/v1/key-data-sets/derive`); a credit note or corrective
    invoice amends the GPID of the invoice it corrects (201, `version` > 1; 404 when that invoice has no
    key data set of yours).

    Args:
        idempotency_key (None | str | Unset): Send the same key again (with the same body) to get
            the first answer again instead of writing twice. 1 to 255 visible ASCII characters, unique
            per API key.
        prefer (None | str | Unset): `respond-async`: answer 202 once recorded
        body (KeyDataSet): The key data set of one commercial invoice, schema version 1
            (DESIGN.md).
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Written
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            prefer=prefer,
        )
    ).parsed
