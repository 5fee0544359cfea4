from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.batch import Batch
from ...models.batch_result import BatchResult
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: Batch,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/scores/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchResult | Error | None:
    if response.status_code == 200:
        response_200 = BatchResult.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = BatchResult.from_dict(response.json())

        return response_202

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

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BatchResult | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: Batch,
    idempotency_key: str | Unset = UNSET,
) -> Response[BatchResult | Error]:
    """Submit many scores, to any boards, in order and all or nothing.

     Every item is checked first: one bad item (an unknown board, a new player without a name, a total
    out of range) is a 400 naming its index, e.g. `scores[3].score`, and nothing is applied. Then the
    items are applied in order with each board's operator, in one transaction. Each item counts against
    its board's per-player limit (`max_submissions_per_minute`): a batch with any item over it is a 429
    naming the item's index, and nothing is applied or counted. A batch with an item of a player a
    moderator has banned is a 403 `player_banned` whose message starts with that item's `scores[<i>]:`,
    and nothing is applied; a hidden player's items are applied, with `rank` null.

    Args:
        idempotency_key (str | Unset):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResult | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: Batch,
    idempotency_key: str | Unset = UNSET,
) -> BatchResult | Error | None:
    """Submit many scores, to any boards, in order and all or nothing.

     Every item is checked first: one bad item (an unknown board, a new player without a name, a total
    out of range) is a 400 naming its index, e.g. `scores[3].score`, and nothing is applied. Then the
    items are applied in order with each board's operator, in one transaction. Each item counts against
    its board's per-player limit (`max_submissions_per_minute`): a batch with any item over it is a 429
    naming the item's index, and nothing is applied or counted. A batch with an item of a player a
    moderator has banned is a 403 `player_banned` whose message starts with that item's `scores[<i>]:`,
    and nothing is applied; a hidden player's items are applied, with `rank` null.

    Args:
        idempotency_key (str | Unset):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResult | Error
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: Batch,
    idempotency_key: str | Unset = UNSET,
) -> Response[BatchResult | Error]:
    """Submit many scores, to any boards, in order and all or nothing.

     Every item is checked first: one bad item (an unknown board, a new player without a name, a total
    out of range) is a 400 naming its index, e.g. `scores[3].score`, and nothing is applied. Then the
    items are applied in order with each board's operator, in one transaction. Each item counts against
    its board's per-player limit (`max_submissions_per_minute`): a batch with any item over it is a 429
    naming the item's index, and nothing is applied or counted. A batch with an item of a player a
    moderator has banned is a 403 `player_banned` whose message starts with that item's `scores[<i>]:`,
    and nothing is applied; a hidden player's items are applied, with `rank` null.

    Args:
        idempotency_key (str | Unset):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResult | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: Batch,
    idempotency_key: str | Unset = UNSET,
) -> BatchResult | Error | None:
    """Submit many scores, to any boards, in order and all or nothing.

     Every item is checked first: one bad item (an unknown board, a new player without a name, a total
    out of range) is a 400 naming its index, e.g. `scores[3].score`, and nothing is applied. Then the
    items are applied in order with each board's operator, in one transaction. Each item counts against
    its board's per-player limit (`max_submissions_per_minute`): a batch with any item over it is a 429
    naming the item's index, and nothing is applied or counted. A batch with an item of a player a
    moderator has banned is a 403 `player_banned` whose message starts with that item's `scores[<i>]:`,
    and nothing is applied; a hidden player's items are applied, with `rank` null.

    Args:
        idempotency_key (str | Unset):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResult | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
