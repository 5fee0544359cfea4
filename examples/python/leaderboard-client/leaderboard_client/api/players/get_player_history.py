from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.player_history import PlayerHistory
from ...types import UNSET, Response, Unset


def _get_kwargs(
    slug: str,
    player_id: str,
    *,
    days: int | Literal[""] | Unset = 30,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_days: int | Literal[""] | Unset
    if isinstance(days, Unset):
        json_days = UNSET
    else:
        json_days = days
    params["days"] = json_days

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/leaderboards/{slug}/players/{player_id}/history".format(
            slug=quote(str(slug), safe=""),
            player_id=quote(str(player_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PlayerHistory | None:
    if response.status_code == 200:
        response_200 = PlayerHistory.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | PlayerHistory]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    slug: str,
    player_id: str,
    *,
    client: AuthenticatedClient,
    days: int | Literal[""] | Unset = 30,
) -> Response[Error | PlayerHistory]:
    """A player's score and rank at the end of each of the last days.

     A day's point is the player's score and rank when it ended, in the board's time zone, in the period
    then in force; today's is their live standing. 404 `player_not_found` when the player never had a
    score on the board, or is hidden by a moderator.

    Args:
        slug (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        days (int | Literal[''] | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PlayerHistory]
    """

    kwargs = _get_kwargs(
        slug=slug,
        player_id=player_id,
        days=days,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    player_id: str,
    *,
    client: AuthenticatedClient,
    days: int | Literal[""] | Unset = 30,
) -> Error | PlayerHistory | None:
    """A player's score and rank at the end of each of the last days.

     A day's point is the player's score and rank when it ended, in the board's time zone, in the period
    then in force; today's is their live standing. 404 `player_not_found` when the player never had a
    score on the board, or is hidden by a moderator.

    Args:
        slug (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        days (int | Literal[''] | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PlayerHistory
    """

    return sync_detailed(
        slug=slug,
        player_id=player_id,
        client=client,
        days=days,
    ).parsed


async def asyncio_detailed(
    slug: str,
    player_id: str,
    *,
    client: AuthenticatedClient,
    days: int | Literal[""] | Unset = 30,
) -> Response[Error | PlayerHistory]:
    """A player's score and rank at the end of each of the last days.

     A day's point is the player's score and rank when it ended, in the board's time zone, in the period
    then in force; today's is their live standing. 404 `player_not_found` when the player never had a
    score on the board, or is hidden by a moderator.

    Args:
        slug (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        days (int | Literal[''] | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PlayerHistory]
    """

    kwargs = _get_kwargs(
        slug=slug,
        player_id=player_id,
        days=days,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    player_id: str,
    *,
    client: AuthenticatedClient,
    days: int | Literal[""] | Unset = 30,
) -> Error | PlayerHistory | None:
    """A player's score and rank at the end of each of the last days.

     A day's point is the player's score and rank when it ended, in the board's time zone, in the period
    then in force; today's is their live standing. 404 `player_not_found` when the player never had a
    score on the board, or is hidden by a moderator.

    Args:
        slug (str):
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        days (int | Literal[''] | Unset):  Default: 30.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PlayerHistory
    """

    return (
        await asyncio_detailed(
            slug=slug,
            player_id=player_id,
            client=client,
            days=days,
        )
    ).parsed
