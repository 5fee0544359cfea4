from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.sanction import Sanction
from ...models.sanction_request import SanctionRequest
from ...types import Response


def _get_kwargs(
    player_id: str,
    *,
    body: SanctionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/players/{player_id}/sanctions".format(
            player_id=quote(str(player_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Sanction | None:
    if response.status_code == 201:
        response_201 = Sanction.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Sanction]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    player_id: str,
    *,
    client: AuthenticatedClient,
    body: SanctionRequest,
) -> Response[Error | Sanction]:
    """Hide or ban a player, from now until lifted or until `until`.

     At once, a hidden player (`hide`, and `ban`) leaves every read: their entries on every board and
    period, the boards' and periods' counts and winners, and their standing and history (404
    `player_not_found`, as for a player without a score). Their submissions are still taken, answered
    with `rank` null; a banned player's are refused with 403 `player_banned`. When the sanction ends
    (lifted, or its `until` passed) and no other is in force, the player comes back as the database
    holds them, scores taken while hidden included. Audited.

    Args:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        body (SanctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Sanction]
    """

    kwargs = _get_kwargs(
        player_id=player_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    player_id: str,
    *,
    client: AuthenticatedClient,
    body: SanctionRequest,
) -> Error | Sanction | None:
    """Hide or ban a player, from now until lifted or until `until`.

     At once, a hidden player (`hide`, and `ban`) leaves every read: their entries on every board and
    period, the boards' and periods' counts and winners, and their standing and history (404
    `player_not_found`, as for a player without a score). Their submissions are still taken, answered
    with `rank` null; a banned player's are refused with 403 `player_banned`. When the sanction ends
    (lifted, or its `until` passed) and no other is in force, the player comes back as the database
    holds them, scores taken while hidden included. Audited.

    Args:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        body (SanctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Sanction
    """

    return sync_detailed(
        player_id=player_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    player_id: str,
    *,
    client: AuthenticatedClient,
    body: SanctionRequest,
) -> Response[Error | Sanction]:
    """Hide or ban a player, from now until lifted or until `until`.

     At once, a hidden player (`hide`, and `ban`) leaves every read: their entries on every board and
    period, the boards' and periods' counts and winners, and their standing and history (404
    `player_not_found`, as for a player without a score). Their submissions are still taken, answered
    with `rank` null; a banned player's are refused with 403 `player_banned`. When the sanction ends
    (lifted, or its `until` passed) and no other is in force, the player comes back as the database
    holds them, scores taken while hidden included. Audited.

    Args:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        body (SanctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Sanction]
    """

    kwargs = _get_kwargs(
        player_id=player_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    player_id: str,
    *,
    client: AuthenticatedClient,
    body: SanctionRequest,
) -> Error | Sanction | None:
    """Hide or ban a player, from now until lifted or until `until`.

     At once, a hidden player (`hide`, and `ban`) leaves every read: their entries on every board and
    period, the boards' and periods' counts and winners, and their standing and history (404
    `player_not_found`, as for a player without a score). Their submissions are still taken, answered
    with `rank` null; a banned player's are refused with 403 `player_banned`. When the sanction ends
    (lifted, or its `until` passed) and no other is in force, the player comes back as the database
    holds them, scores taken while hidden included. Audited.

    Args:
        player_id (str): 1–64 letters, digits, '_', '.', ':' or '-'.
        body (SanctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Sanction
    """

    return (
        await asyncio_detailed(
            player_id=player_id,
            client=client,
            body=body,
        )
    ).parsed
