from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.key_data_set_list import KeyDataSetList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_invoice_number: None | str | Unset
    if isinstance(invoice_number, Unset):
        json_invoice_number = UNSET
    else:
        json_invoice_number = invoice_number
    params["invoice_number"] = json_invoice_number

    json_seller: None | str | Unset
    if isinstance(seller, Unset):
        json_seller = UNSET
    else:
        json_seller = seller
    params["seller"] = json_seller

    json_buyer: None | str | Unset
    if isinstance(buyer, Unset):
        json_buyer = UNSET
    else:
        json_buyer = buyer
    params["buyer"] = json_buyer

    json_declaration: None | str | Unset
    if isinstance(declaration, Unset):
        json_declaration = UNSET
    else:
        json_declaration = declaration
    params["declaration"] = json_declaration

    json_declaration_country: None | str | Unset
    if isinstance(declaration_country, Unset):
        json_declaration_country = UNSET
    else:
        json_declaration_country = declaration_country
    params["declaration_country"] = json_declaration_country

    json_registered_from: None | str | Unset
    if isinstance(registered_from, Unset):
        json_registered_from = UNSET
    else:
        json_registered_from = registered_from
    params["registered_from"] = json_registered_from

    json_registered_to: None | str | Unset
    if isinstance(registered_to, Unset):
        json_registered_to = UNSET
    else:
        json_registered_to = registered_to
    params["registered_to"] = json_registered_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/key-data-sets",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> KeyDataSetList | Problem | None:
    if response.status_code == 200:
        response_200 = KeyDataSetList.from_dict(response.json())

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[KeyDataSetList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> Response[KeyDataSetList | Problem]:
    """List the key data sets visible to you

     Newest registration first. Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter. `/v1/key-data-sets/export` gives the whole filtered list as CSV or JSON.

    Args:
        limit (int | Unset): page size Default: 50.
        offset (int | Unset): items to skip Default: 0.
        invoice_number (None | str | Unset): the invoice number (as written, or in normal form: no
            spaces, upper case); matches only key data sets whose data you may see and this node can
            read
        seller (None | str | Unset): the seller's trader ID, `SCHEME:VALUE`, e.g.
            `EORI:DE123456789012345`
        buyer (None | str | Unset): the buyer's trader ID, `SCHEME:VALUE`; matches only key data
            sets whose data you may see and this node can read
        declaration (None | str | Unset): the reference of a declaration that references the key
            data set
        declaration_country (None | str | Unset): the country of that declaration (ISO 3166-1
            alpha-2; with `declaration` only)
        registered_from (None | str | Unset): registered at or after: an ISO 8601 date (from its
            start) or date-time (without a time zone: UTC)
        registered_to (None | str | Unset): registered at or before: an ISO 8601 date (to its end)
            or date-time (without a time zone: UTC)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KeyDataSetList | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        invoice_number=invoice_number,
        seller=seller,
        buyer=buyer,
        declaration=declaration,
        declaration_country=declaration_country,
        registered_from=registered_from,
        registered_to=registered_to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> KeyDataSetList | Problem | None:
    """List the key data sets visible to you

     Newest registration first. Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter. `/v1/key-data-sets/export` gives the whole filtered list as CSV or JSON.

    Args:
        limit (int | Unset): page size Default: 50.
        offset (int | Unset): items to skip Default: 0.
        invoice_number (None | str | Unset): the invoice number (as written, or in normal form: no
            spaces, upper case); matches only key data sets whose data you may see and this node can
            read
        seller (None | str | Unset): the seller's trader ID, `SCHEME:VALUE`, e.g.
            `EORI:DE123456789012345`
        buyer (None | str | Unset): the buyer's trader ID, `SCHEME:VALUE`; matches only key data
            sets whose data you may see and this node can read
        declaration (None | str | Unset): the reference of a declaration that references the key
            data set
        declaration_country (None | str | Unset): the country of that declaration (ISO 3166-1
            alpha-2; with `declaration` only)
        registered_from (None | str | Unset): registered at or after: an ISO 8601 date (from its
            start) or date-time (without a time zone: UTC)
        registered_to (None | str | Unset): registered at or before: an ISO 8601 date (to its end)
            or date-time (without a time zone: UTC)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KeyDataSetList | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        offset=offset,
        invoice_number=invoice_number,
        seller=seller,
        buyer=buyer,
        declaration=declaration,
        declaration_country=declaration_country,
        registered_from=registered_from,
        registered_to=registered_to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> Response[KeyDataSetList | Problem]:
    """List the key data sets visible to you

     Newest registration first. Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter. `/v1/key-data-sets/export` gives the whole filtered list as CSV or JSON.

    Args:
        limit (int | Unset): page size Default: 50.
        offset (int | Unset): items to skip Default: 0.
        invoice_number (None | str | Unset): the invoice number (as written, or in normal form: no
            spaces, upper case); matches only key data sets whose data you may see and this node can
            read
        seller (None | str | Unset): the seller's trader ID, `SCHEME:VALUE`, e.g.
            `EORI:DE123456789012345`
        buyer (None | str | Unset): the buyer's trader ID, `SCHEME:VALUE`; matches only key data
            sets whose data you may see and this node can read
        declaration (None | str | Unset): the reference of a declaration that references the key
            data set
        declaration_country (None | str | Unset): the country of that declaration (ISO 3166-1
            alpha-2; with `declaration` only)
        registered_from (None | str | Unset): registered at or after: an ISO 8601 date (from its
            start) or date-time (without a time zone: UTC)
        registered_to (None | str | Unset): registered at or before: an ISO 8601 date (to its end)
            or date-time (without a time zone: UTC)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KeyDataSetList | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        invoice_number=invoice_number,
        seller=seller,
        buyer=buyer,
        declaration=declaration,
        declaration_country=declaration_country,
        registered_from=registered_from,
        registered_to=registered_to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> KeyDataSetList | Problem | None:
    """List the key data sets visible to you

     Newest registration first. Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter. `/v1/key-data-sets/export` gives the whole filtered list as CSV or JSON.

    Args:
        limit (int | Unset): page size Default: 50.
        offset (int | Unset): items to skip Default: 0.
        invoice_number (None | str | Unset): the invoice number (as written, or in normal form: no
            spaces, upper case); matches only key data sets whose data you may see and this node can
            read
        seller (None | str | Unset): the seller's trader ID, `SCHEME:VALUE`, e.g.
            `EORI:DE123456789012345`
        buyer (None | str | Unset): the buyer's trader ID, `SCHEME:VALUE`; matches only key data
            sets whose data you may see and this node can read
        declaration (None | str | Unset): the reference of a declaration that references the key
            data set
        declaration_country (None | str | Unset): the country of that declaration (ISO 3166-1
            alpha-2; with `declaration` only)
        registered_from (None | str | Unset): registered at or after: an ISO 8601 date (from its
            start) or date-time (without a time zone: UTC)
        registered_to (None | str | Unset): registered at or before: an ISO 8601 date (to its end)
            or date-time (without a time zone: UTC)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KeyDataSetList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            offset=offset,
            invoice_number=invoice_number,
            seller=seller,
            buyer=buyer,
            declaration=declaration,
            declaration_country=declaration_country,
            registered_from=registered_from,
            registered_to=registered_to,
        )
    ).parsed
