from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.proof_bundle import ProofBundle
from ...types import UNSET, Response, Unset


def _get_kwargs(
    gpid: str,
    *,
    version: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_version: int | None | Unset
    if isinstance(version, Unset):
        json_version = UNSET
    else:
        json_version = version
    params["version"] = json_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/key-data-sets/{gpid}/proof".format(
            gpid=quote(str(gpid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ProofBundle | None:
    if response.status_code == 200:
        response_200 = ProofBundle.from_dict(response.json())

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ProofBundle]:
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
) -> Response[Problem | ProofBundle]:
    """The proof bundle of a version, checkable offline against a trusted block hash

     A self-contained `gpid-proof-bundle/1` document: the key data set of the version (default the
    current one) with its opening (format 2: the GPID's seed; format 1: its salt), its commitments and
    digest, `eth_getProof` of the registry's storage slots of that digest and of the GPID's record, and
    the header of the block they are proven at. `gpid-node check-proof FILE --block-hash H` checks it
    with no node and no network. For whoever may read the GPID's data (404 otherwise; 403 for a role
    that sees public facts only; 409 when this node holds no key that opens it).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number (default: the current one)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProofBundle]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        version=version,
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
) -> Problem | ProofBundle | None:
    """The proof bundle of a version, checkable offline against a trusted block hash

     A self-contained `gpid-proof-bundle/1` document: the key data set of the version (default the
    current one) with its opening (format 2: the GPID's seed; format 1: its salt), its commitments and
    digest, `eth_getProof` of the registry's storage slots of that digest and of the GPID's record, and
    the header of the block they are proven at. `gpid-node check-proof FILE --block-hash H` checks it
    with no node and no network. For whoever may read the GPID's data (404 otherwise; 403 for a role
    that sees public facts only; 409 when this node holds no key that opens it).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number (default: the current one)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProofBundle
    """

    return sync_detailed(
        gpid=gpid,
        client=client,
        version=version,
    ).parsed


async def asyncio_detailed(
    gpid: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> Response[Problem | ProofBundle]:
    """The proof bundle of a version, checkable offline against a trusted block hash

     A self-contained `gpid-proof-bundle/1` document: the key data set of the version (default the
    current one) with its opening (format 2: the GPID's seed; format 1: its salt), its commitments and
    digest, `eth_getProof` of the registry's storage slots of that digest and of the GPID's record, and
    the header of the block they are proven at. `gpid-node check-proof FILE --block-hash H` checks it
    with no node and no network. For whoever may read the GPID's data (404 otherwise; 403 for a role
    that sees public facts only; 409 when this node holds no key that opens it).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number (default: the current one)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProofBundle]
    """

    kwargs = _get_kwargs(
        gpid=gpid,
        version=version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gpid: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> Problem | ProofBundle | None:
    """The proof bundle of a version, checkable offline against a trusted block hash

     A self-contained `gpid-proof-bundle/1` document: the key data set of the version (default the
    current one) with its opening (format 2: the GPID's seed; format 1: its salt), its commitments and
    digest, `eth_getProof` of the registry's storage slots of that digest and of the GPID's record, and
    the header of the block they are proven at. `gpid-node check-proof FILE --block-hash H` checks it
    with no node and no network. For whoever may read the GPID's data (404 otherwise; 403 for a role
    that sees public facts only; 409 when this node holds no key that opens it).

    Args:
        gpid (str): the GPID as printed (case and hyphens do not matter)
        version (int | None | Unset): a version number (default: the current one)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProofBundle
    """

    return (
        await asyncio_detailed(
            gpid=gpid,
            client=client,
            version=version,
        )
    ).parsed
