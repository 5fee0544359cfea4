from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.get_standing_of_player_named_lookup_include import GetStandingOfPlayerNamedLookupInclude
from ...models.standing import Standing
from ...types import UNSET, Response, Unset


def _get_kwargs(
    slug: str,
    *,
    around: int | Literal[""] | Unset = 2,
    period: str | Unset = "current",
    include: GetStandingOfPlayerNamedLookupInclude | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_around: int | Literal[""] | Unset
    if isinstance(around, Unset):
        json_around = UNSET
    else:
        json_around = around
    params["around"] = json_around

    params["period"] = period

    json_include: str | Unset = UNSET
    if not isinstance(include, Unset):
        json_include = include.value

    params["include"] = json_include

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/leaderboards/{slug}/players/lookup".format(
            slug=quote(str(slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Standing | None:
    if response.status_code == 200:
        response_200 = Standing.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Standing]:
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
    around: int | Literal[""] | Unset = 2,
    period: str | Unset = "current",
    include: GetStandingOfPlayerNamedLookupInclude | Unset = UNSET,
) -> Response[Error | Standing]:
    """The standing of the player whose id is `lookup`, as for any player.

     404 `player_not_found` when the player has no score on the board (in that period), or is hidden by a
    moderator.

    Args:
        slug (str):
        around (int | Literal[''] | Unset):  Default: 2.
        period (str | Unset):  Default: 'current'.
        include (GetStandingOfPlayerNamedLookupInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Standing]
    """

    kwargs = _get_kwargs(
        slug=slug,
        around=around,
        period=period,
        include=include,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    *,
    client: AuthenticatedClient,
    around: int | Literal[""] | Unset = 2,
    period: str | Unset = "current",
    include: GetStandingOfPlayerNamedLookupInclude | Unset = UNSET,
) -> Error | Standing | None:
    """The standing of the player whose id is `lookup`, as for any player.

     404 `player_not_found` when the player has no score on the board (in that period), or is hidden by a
    moderator.

    Args:
        slug (str):
        around (int | Literal[''] | Unset):  Default: 2.
        period (str | Unset):  Default: 'current'.
        include (GetStandingOfPlayerNamedLookupInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Standing
    """

    return sync_detailed(
        slug=slug,
        client=client,
        around=around,
        period=period,
        include=include,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    around: int | Literal[""] | Unset = 2,
    period: str | Unset = "current",
    include: GetStandingOfPlayerNamedLookupInclude | Unset = UNSET,
) -> Response[Error | Standing]:
    """The standing of the player whose id is `lookup`, as for any player.

     404 `player_not_found` when the player has no score on the board (in that period), or is hidden by a
    moderator.

    Args:
        slug (str):
        around (int | Literal[''] | Unset):  Default: 2.
        period (str | Unset):  Default: 'current'.
        include (GetStandingOfPlayerNamedLookupInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Standing]
    """

    kwargs = _get_kwargs(
        slug=slug,
        around=around,
        period=period,
        include=include,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient,
    around: int | Literal[""] | Unset = 2,
    period: str | Unset = "current",
    include: GetStandingOfPlayerNamedLookupInclude | Unset = UNSET,
) -> Error | Standing | None:
    """The standing of the player whose id is `lookup`, as for any player.

     404 `player_not_found` when the player has no score on the board (in that period), or is hidden by a
    moderator.

    Args:
        slug (str):
        around (int | Literal[''] | Unset):  Default: 2.
        period (str | Unset):  Default: 'current'.
        include (GetStandingOfPlayerNamedLookupInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Standing
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            around=around,
            period=period,
            include=include,
        )
    ).parsed
