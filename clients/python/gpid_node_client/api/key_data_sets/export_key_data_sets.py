from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export_key_data_sets_format import ExportKeyDataSetsFormat
from ...models.export_key_data_sets_response_200 import ExportKeyDataSetsResponse200
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    format_: ExportKeyDataSetsFormat | Unset = "json",
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_

    params["format"] = json_format_

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
        "url": "/v1/key-data-sets/export",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExportKeyDataSetsResponse200 | Problem | None:
    if response.status_code == 200:
        response_200 = ExportKeyDataSetsResponse200.from_dict(response.json())

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
) -> Response[ExportKeyDataSetsResponse200 | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    format_: ExportKeyDataSetsFormat | Unset = "json",
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> Response[ExportKeyDataSetsResponse200 | Problem]:
    """Export the key data sets visible to you (CSV or JSON)

     The whole list (no pages), with the list's filters and in its order, as a download written while it
    is read (any length, in bounded memory). `format=json` (default): `{"exported_at", "items": [...],
    "total"}` with the list's items; `format=csv`: a header line and one line per key data set, columns
    `gpid`, `version`, `invoice_number`, `seller_trader_id`, `buyer_trader_id`, `registered_at`,
    `updated_at`, `integrity_ok`, `format`, `readable` (a cell a spreadsheet would run as a formula
    starts with an apostrophe). Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter.

    Args:
        format_ (ExportKeyDataSetsFormat | Unset): `json` or `csv` Default: 'json'.
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
        Response[ExportKeyDataSetsResponse200 | Problem]
    """

    kwargs = _get_kwargs(
        format_=format_,
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
    format_: ExportKeyDataSetsFormat | Unset = "json",
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> ExportKeyDataSetsResponse200 | Problem | None:
    """Export the key data sets visible to you (CSV or JSON)

     The whole list (no pages), with the list's filters and in its order, as a download written while it
    is read (any length, in bounded memory). `format=json` (default): `{"exported_at", "items": [...],
    "total"}` with the list's items; `format=csv`: a header line and one line per key data set, columns
    `gpid`, `version`, `invoice_number`, `seller_trader_id`, `buyer_trader_id`, `registered_at`,
    `updated_at`, `integrity_ok`, `format`, `readable` (a cell a spreadsheet would run as a formula
    starts with an apostrophe). Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter.

    Args:
        format_ (ExportKeyDataSetsFormat | Unset): `json` or `csv` Default: 'json'.
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
        ExportKeyDataSetsResponse200 | Problem
    """

    return sync_detailed(
        client=client,
        format_=format_,
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
    format_: ExportKeyDataSetsFormat | Unset = "json",
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> Response[ExportKeyDataSetsResponse200 | Problem]:
    """Export the key data sets visible to you (CSV or JSON)

     The whole list (no pages), with the list's filters and in its order, as a download written while it
    is read (any length, in bounded memory). `format=json` (default): `{"exported_at", "items": [...],
    "total"}` with the list's items; `format=csv`: a header line and one line per key data set, columns
    `gpid`, `version`, `invoice_number`, `seller_trader_id`, `buyer_trader_id`, `registered_at`,
    `updated_at`, `integrity_ok`, `format`, `readable` (a cell a spreadsheet would run as a formula
    starts with an apostrophe). Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter.

    Args:
        format_ (ExportKeyDataSetsFormat | Unset): `json` or `csv` Default: 'json'.
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
        Response[ExportKeyDataSetsResponse200 | Problem]
    """

    kwargs = _get_kwargs(
        format_=format_,
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
    format_: ExportKeyDataSetsFormat | Unset = "json",
    invoice_number: None | str | Unset = UNSET,
    seller: None | str | Unset = UNSET,
    buyer: None | str | Unset = UNSET,
    declaration: None | str | Unset = UNSET,
    declaration_country: None | str | Unset = UNSET,
    registered_from: None | str | Unset = UNSET,
    registered_to: None | str | Unset = UNSET,
) -> ExportKeyDataSetsResponse200 | Problem | None:
    """Export the key data sets visible to you (CSV or JSON)

     The whole list (no pages), with the list's filters and in its order, as a download written while it
    is read (any length, in bounded memory). `format=json` (default): `{"exported_at", "items": [...],
    "total"}` with the list's items; `format=csv`: a header line and one line per key data set, columns
    `gpid`, `version`, `invoice_number`, `seller_trader_id`, `buyer_trader_id`, `registered_at`,
    `updated_at`, `integrity_ok`, `format`, `readable` (a cell a spreadsheet would run as a formula
    starts with an apostrophe). Filters (all optional, combined with AND): `invoice_number`, `seller`,
    `buyer` (trader IDs `SCHEME:VALUE`), `declaration` (a reference, with `declaration_country`
    optionally), `registered_from`, `registered_to` (ISO 8601 dates or date-times, both bounds
    included). Invoice number and buyer are confidential: they match only key data sets whose data you
    may see and this node holds (the operator role, which sees public facts only, gets 422 for them), so
    a filter never tells that a GPID you may not read exists. A bad filter is a 422 problem naming the
    parameter.

    Args:
        format_ (ExportKeyDataSetsFormat | Unset): `json` or `csv` Default: 'json'.
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
        ExportKeyDataSetsResponse200 | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            format_=format_,
            invoice_number=invoice_number,
            seller=seller,
            buyer=buyer,
            declaration=declaration,
            declaration_country=declaration_country,
            registered_from=registered_from,
            registered_to=registered_to,
        )
    ).parsed
