from http import HTTPStatus
from typing import Any, Literal

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.review_list import ReviewList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    leaderboard: str | Unset = UNSET,
    player_id: str | Unset = UNSET,
    limit: int | Literal[""] | Unset = 50,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["leaderboard"] = leaderboard

    params["player_id"] = player_id

    json_limit: int | Literal[""] | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/reviews",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | ReviewList | None:
    if response.status_code == 200:
        response_200 = ReviewList.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | ReviewList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    leaderboard: str | Unset = UNSET,
    player_id: str | Unset = UNSET,
    limit: int | Literal[""] | Unset = 50,
) -> Response[Error | ReviewList]:
    """Submissions refused as out of their board's bounds, newest first.

    Args:
        leaderboard (str | Unset):
        player_id (str | Unset): 1–64 letters, digits, '_', '.', ':' or '-'.
        limit (int | Literal[''] | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ReviewList]
    """

    kwargs = _get_kwargs(
        leaderboard=leaderboard,
        player_id=player_id,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    leaderboard: str | Unset = UNSET,
    player_id: str | Unset = UNSET,
    limit: int | Literal[""] | Unset = 50,
) -> Error | ReviewList | None:
    """Submissions refused as out of their board's bounds, newest first.

    Args:
        leaderboard (str | Unset):
        player_id (str | Unset): 1–64 letters, digits, '_', '.', ':' or '-'.
        limit (int | Literal[''] | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ReviewList
    """

    return sync_detailed(
        client=client,
        leaderboard=leaderboard,
        player_id=player_id,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    leaderboard: str | Unset = UNSET,
    player_id: str | Unset = UNSET,
    limit: int | Literal[""] | Unset = 50,
) -> Response[Error | ReviewList]:
    """Submissions refused as out of their board's bounds, newest first.

    Args:
        leaderboard (str | Unset):
        player_id (str | Unset): 1–64 letters, digits, '_', '.', ':' or '-'.
        limit (int | Literal[''] | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ReviewList]
    """

    kwargs = _get_kwargs(
        leaderboard=leaderboard,
        player_id=player_id,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    leaderboard: str | Unset = UNSET,
    player_id: str | Unset = UNSET,
    limit: int | Literal[""] | Unset = 50,
) -> Error | ReviewList | None:
    """Submissions refused as out of their board's bounds, newest first.

    Args:
        leaderboard (str | Unset):
        player_id (str | Unset): 1–64 letters, digits, '_', '.', ':' or '-'.
        limit (int | Literal[''] | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ReviewList
    """

    return (
        await asyncio_detailed(
            client=client,
            leaderboard=leaderboard,
            player_id=player_id,
            limit=limit,
        )
    ).parsed
