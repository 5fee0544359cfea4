from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.score_result import ScoreResult
from ...models.score_submission import ScoreSubmission
from ...types import UNSET, Response, Unset


def _get_kwargs(
    slug: str,
    *,
    body: ScoreSubmission,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/leaderboards/{slug}/scores".format(
            slug=quote(str(slug), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | ScoreResult | None:
    if response.status_code == 200:
        response_200 = ScoreResult.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = ScoreResult.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | ScoreResult]:
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
    body: ScoreSubmission,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | ScoreResult]:
    """Submit a player's score; the board's operator decides what is kept.

     A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) is a 400. A board with
    `max_submissions_per_minute` takes that many submissions from each player in any 60 seconds, then
    answers 429. A player a moderator has banned is refused with 403 `player_banned`; one they have
    hidden is answered 200 with `rank` null (the score is stored and ranked nowhere until the sanction
    ends).

    Args:
        slug (str):
        idempotency_key (str | Unset):
        body (ScoreSubmission):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ScoreResult]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: ScoreSubmission,
    idempotency_key: str | Unset = UNSET,
) -> Error | ScoreResult | None:
    """Submit a player's score; the board's operator decides what is kept.

     A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) is a 400. A board with
    `max_submissions_per_minute` takes that many submissions from each player in any 60 seconds, then
    answers 429. A player a moderator has banned is refused with 403 `player_banned`; one they have
    hidden is answered 200 with `rank` null (the score is stored and ranked nowhere until the sanction
    ends).

    Args:
        slug (str):
        idempotency_key (str | Unset):
        body (ScoreSubmission):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ScoreResult
    """

    return sync_detailed(
        slug=slug,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: ScoreSubmission,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | ScoreResult]:
    """Submit a player's score; the board's operator decides what is kept.

     A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) is a 400. A board with
    `max_submissions_per_minute` takes that many submissions from each player in any 60 seconds, then
    answers 429. A player a moderator has banned is refused with 403 `player_banned`; one they have
    hidden is answered 200 with `rank` null (the score is stored and ranked nowhere until the sanction
    ends).

    Args:
        slug (str):
        idempotency_key (str | Unset):
        body (ScoreSubmission):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ScoreResult]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient,
    body: ScoreSubmission,
    idempotency_key: str | Unset = UNSET,
) -> Error | ScoreResult | None:
    """Submit a player's score; the board's operator decides what is kept.

     A new player needs `name`. On an `increment` board a total past ±(2^53 − 1) is a 400. A board with
    `max_submissions_per_minute` takes that many submissions from each player in any 60 seconds, then
    answers 429. A player a moderator has banned is refused with 403 `player_banned`; one they have
    hidden is answered 200 with `rank` null (the score is stored and ranked nowhere until the sanction
    ends).

    Args:
        slug (str):
        idempotency_key (str | Unset):
        body (ScoreSubmission):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ScoreResult
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
