from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    slug: str,
    *,
    period: str | Unset = "current",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["period"] = period

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/leaderboards/{slug}/export.csv".format(
            slug=quote(str(slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())

        return response_414

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 431:
        response_431 = Error.from_dict(response.json())

        return response_431

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    period: str | Unset = "current",
) -> Response[Error | str]:
    """Every entry of the board in one period, as CSV, streamed from the database.

     The standings every read shows, from the database in one snapshot: hidden players left out and
    ranked around, competition ranks (equal scores share a rank, the next one skips), equal scores
    ordered by who reached theirs first. `reached_at` is when the player reached the score, ISO 8601 in
    UTC. A name starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
    spreadsheet shows it rather than run it. A malformed `period` is a 400; an unknown board, or a
    period the board never had, a 404. HEAD answers the headers without reading the board.

    Args:
        slug (str):
        period (str | Unset):  Default: 'current'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        slug=slug,
        period=period,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    *,
    client: AuthenticatedClient,
    period: str | Unset = "current",
) -> Error | str | None:
    """Every entry of the board in one period, as CSV, streamed from the database.

     The standings every read shows, from the database in one snapshot: hidden players left out and
    ranked around, competition ranks (equal scores share a rank, the next one skips), equal scores
    ordered by who reached theirs first. `reached_at` is when the player reached the score, ISO 8601 in
    UTC. A name starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
    spreadsheet shows it rather than run it. A malformed `period` is a 400; an unknown board, or a
    period the board never had, a 404. HEAD answers the headers without reading the board.

    Args:
        slug (str):
        period (str | Unset):  Default: 'current'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return sync_detailed(
        slug=slug,
        client=client,
        period=period,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    period: str | Unset = "current",
) -> Response[Error | str]:
    """Every entry of the board in one period, as CSV, streamed from the database.

     The standings every read shows, from the database in one snapshot: hidden players left out and
    ranked around, competition ranks (equal scores share a rank, the next one skips), equal scores
    ordered by who reached theirs first. `reached_at` is when the player reached the score, ISO 8601 in
    UTC. A name starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
    spreadsheet shows it rather than run it. A malformed `period` is a 400; an unknown board, or a
    period the board never had, a 404. HEAD answers the headers without reading the board.

    Args:
        slug (str):
        period (str | Unset):  Default: 'current'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        slug=slug,
        period=period,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient,
    period: str | Unset = "current",
) -> Error | str | None:
    """Every entry of the board in one period, as CSV, streamed from the database.

     The standings every read shows, from the database in one snapshot: hidden players left out and
    ranked around, competition ranks (equal scores share a rank, the next one skips), equal scores
    ordered by who reached theirs first. `reached_at` is when the player reached the score, ISO 8601 in
    UTC. A name starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
    spreadsheet shows it rather than run it. A malformed `period` is a 400; an unknown board, or a
    period the board never had, a 404. HEAD answers the headers without reading the board.

    Args:
        slug (str):
        period (str | Unset):  Default: 'current'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            period=period,
        )
    ).parsed
