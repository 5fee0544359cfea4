from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.get_entries_include import GetEntriesInclude
from ...models.page import Page
from ...types import UNSET, Response, Unset


def _get_kwargs(
    slug: str,
    *,
    offset: int | Literal[""] | Unset = 0,
    limit: int | Literal[""] | Unset = 10,
    period: str | Unset = "current",
    include: GetEntriesInclude | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_offset: int | Literal[""] | Unset
    if isinstance(offset, Unset):
        json_offset = UNSET
    else:
        json_offset = offset
    params["offset"] = json_offset

    json_limit: int | Literal[""] | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params["period"] = period

    json_include: str | Unset = UNSET
    if not isinstance(include, Unset):
        json_include = include.value

    params["include"] = json_include

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/leaderboards/{slug}/entries".format(
            slug=quote(str(slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Page | None:
    if response.status_code == 200:
        response_200 = Page.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Page]:
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
    offset: int | Literal[""] | Unset = 0,
    limit: int | Literal[""] | Unset = 10,
    period: str | Unset = "current",
    include: GetEntriesInclude | Unset = UNSET,
) -> Response[Error | Page]:
    """A page of the board, best first.

    Args:
        slug (str):
        offset (int | Literal[''] | Unset):  Default: 0.
        limit (int | Literal[''] | Unset):  Default: 10.
        period (str | Unset):  Default: 'current'.
        include (GetEntriesInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Page]
    """

    kwargs = _get_kwargs(
        slug=slug,
        offset=offset,
        limit=limit,
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
    offset: int | Literal[""] | Unset = 0,
    limit: int | Literal[""] | Unset = 10,
    period: str | Unset = "current",
    include: GetEntriesInclude | Unset = UNSET,
) -> Error | Page | None:
    """A page of the board, best first.

    Args:
        slug (str):
        offset (int | Literal[''] | Unset):  Default: 0.
        limit (int | Literal[''] | Unset):  Default: 10.
        period (str | Unset):  Default: 'current'.
        include (GetEntriesInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Page
    """

    return sync_detailed(
        slug=slug,
        client=client,
        offset=offset,
        limit=limit,
        period=period,
        include=include,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    offset: int | Literal[""] | Unset = 0,
    limit: int | Literal[""] | Unset = 10,
    period: str | Unset = "current",
    include: GetEntriesInclude | Unset = UNSET,
) -> Response[Error | Page]:
    """A page of the board, best first.

    Args:
        slug (str):
        offset (int | Literal[''] | Unset):  Default: 0.
        limit (int | Literal[''] | Unset):  Default: 10.
        period (str | Unset):  Default: 'current'.
        include (GetEntriesInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Page]
    """

    kwargs = _get_kwargs(
        slug=slug,
        offset=offset,
        limit=limit,
        period=period,
        include=include,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient,
    offset: int | Literal[""] | Unset = 0,
    limit: int | Literal[""] | Unset = 10,
    period: str | Unset = "current",
    include: GetEntriesInclude | Unset = UNSET,
) -> Error | Page | None:
    """A page of the board, best first.

    Args:
        slug (str):
        offset (int | Literal[''] | Unset):  Default: 0.
        limit (int | Literal[''] | Unset):  Default: 10.
        period (str | Unset):  Default: 'current'.
        include (GetEntriesInclude | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Page
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            offset=offset,
            limit=limit,
            period=period,
            include=include,
        )
    ).parsed
