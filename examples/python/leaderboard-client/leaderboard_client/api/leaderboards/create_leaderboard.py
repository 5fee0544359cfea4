from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.leaderboard import Leaderboard
from ...models.leaderboard_create import LeaderboardCreate
from ...types import Response


def _get_kwargs(
    *,
    body: LeaderboardCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/leaderboards",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Leaderboard | None:
    if response.status_code == 201:
        response_201 = Leaderboard.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Leaderboard]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: LeaderboardCreate,
) -> Response[Error | Leaderboard]:
    """Make a board.

     Every setting but `slug` may be left out and takes its default. A board is ready at once, on every
    worker and instance. Recorded in the audit log as `board.create`, by the key's name.

    Args:
        body (LeaderboardCreate): A new board: its slug, and any settings (the others take their
            defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Leaderboard]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: LeaderboardCreate,
) -> Error | Leaderboard | None:
    """Make a board.

     Every setting but `slug` may be left out and takes its default. A board is ready at once, on every
    worker and instance. Recorded in the audit log as `board.create`, by the key's name.

    Args:
        body (LeaderboardCreate): A new board: its slug, and any settings (the others take their
            defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Leaderboard
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: LeaderboardCreate,
) -> Response[Error | Leaderboard]:
    """Make a board.

     Every setting but `slug` may be left out and takes its default. A board is ready at once, on every
    worker and instance. Recorded in the audit log as `board.create`, by the key's name.

    Args:
        body (LeaderboardCreate): A new board: its slug, and any settings (the others take their
            defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Leaderboard]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: LeaderboardCreate,
) -> Error | Leaderboard | None:
    """Make a board.

     Every setting but `slug` may be left out and takes its default. A board is ready at once, on every
    worker and instance. Recorded in the audit log as `board.create`, by the key's name.

    Args:
        body (LeaderboardCreate): A new board: its slug, and any settings (the others take their
            defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Leaderboard
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
