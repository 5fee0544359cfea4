from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.lookup import Lookup
from ...models.lookup_request import LookupRequest
from ...types import Response


def _get_kwargs(
    slug: str,
    *,
    body: LookupRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/leaderboards/{slug}/players/lookup".format(
            slug=quote(str(slug), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Lookup | None:
    if response.status_code == 200:
        response_200 = Lookup.from_dict(response.json())

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

    if response.status_code == 411:
        response_411 = Error.from_dict(response.json())

        return response_411

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Lookup]:
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
    body: LookupRequest,
) -> Response[Error | Lookup]:
    """Where a list of players (friends, a clan) stands on the board.

     A read, though a POST (the list goes in the body): it needs the `read` scope and changes nothing.
    One round trip to Redis, O(k log N) for k ids. 404 for an unknown board or a period it never had.

    Args:
        slug (str):
        body (LookupRequest): Where a list of players (friends, a clan) stands on a board.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Lookup]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: LookupRequest,
) -> Error | Lookup | None:
    """Where a list of players (friends, a clan) stands on the board.

     A read, though a POST (the list goes in the body): it needs the `read` scope and changes nothing.
    One round trip to Redis, O(k log N) for k ids. 404 for an unknown board or a period it never had.

    Args:
        slug (str):
        body (LookupRequest): Where a list of players (friends, a clan) stands on a board.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Lookup
    """

    return sync_detailed(
        slug=slug,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: LookupRequest,
) -> Response[Error | Lookup]:
    """Where a list of players (friends, a clan) stands on the board.

     A read, though a POST (the list goes in the body): it needs the `read` scope and changes nothing.
    One round trip to Redis, O(k log N) for k ids. 404 for an unknown board or a period it never had.

    Args:
        slug (str):
        body (LookupRequest): Where a list of players (friends, a clan) stands on a board.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Lookup]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: LookupRequest,
) -> Error | Lookup | None:
    """Where a list of players (friends, a clan) stands on the board.

     A read, though a POST (the list goes in the body): it needs the `read` scope and changes nothing.
    One round trip to Redis, O(k log N) for k ids. 404 for an unknown board or a period it never had.

    Args:
        slug (str):
        body (LookupRequest): Where a list of players (friends, a clan) stands on a board.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Lookup
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            body=body,
        )
    ).parsed
