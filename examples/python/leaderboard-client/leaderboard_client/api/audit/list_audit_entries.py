import datetime
from http import HTTPStatus
from typing import Any, Literal

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_log import AuditLog
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Literal[""] | Unset = 50,
    before: datetime.datetime | Literal[""] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_limit: int | Literal[""] | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    json_before: Literal[""] | str | Unset
    if isinstance(before, Unset):
        json_before = UNSET
    elif isinstance(before, datetime.datetime):
        json_before = before.isoformat()
    else:
        json_before = before
    params["before"] = json_before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditLog | Error | None:
    if response.status_code == 200:
        response_200 = AuditLog.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditLog | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Literal[""] | Unset = 50,
    before: datetime.datetime | Literal[""] | Unset = UNSET,
) -> Response[AuditLog | Error]:
    """The audit log, newest first: who created or revoked a key, changed what in the admin, and so on.

     Page back through the log with `before` set to the last entry's `at`. Entries are kept for
    AUDIT_RETENTION_DAYS.

    Args:
        limit (int | Literal[''] | Unset):  Default: 50.
        before (datetime.datetime | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditLog | Error]
    """

    kwargs = _get_kwargs(
        limit=limit,
        before=before,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Literal[""] | Unset = 50,
    before: datetime.datetime | Literal[""] | Unset = UNSET,
) -> AuditLog | Error | None:
    """The audit log, newest first: who created or revoked a key, changed what in the admin, and so on.

     Page back through the log with `before` set to the last entry's `at`. Entries are kept for
    AUDIT_RETENTION_DAYS.

    Args:
        limit (int | Literal[''] | Unset):  Default: 50.
        before (datetime.datetime | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditLog | Error
    """

    return sync_detailed(
        client=client,
        limit=limit,
        before=before,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Literal[""] | Unset = 50,
    before: datetime.datetime | Literal[""] | Unset = UNSET,
) -> Response[AuditLog | Error]:
    """The audit log, newest first: who created or revoked a key, changed what in the admin, and so on.

     Page back through the log with `before` set to the last entry's `at`. Entries are kept for
    AUDIT_RETENTION_DAYS.

    Args:
        limit (int | Literal[''] | Unset):  Default: 50.
        before (datetime.datetime | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditLog | Error]
    """

    kwargs = _get_kwargs(
        limit=limit,
        before=before,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Literal[""] | Unset = 50,
    before: datetime.datetime | Literal[""] | Unset = UNSET,
) -> AuditLog | Error | None:
    """The audit log, newest first: who created or revoked a key, changed what in the admin, and so on.

     Page back through the log with `before` set to the last entry's `at`. Entries are kept for
    AUDIT_RETENTION_DAYS.

    Args:
        limit (int | Literal[''] | Unset):  Default: 50.
        before (datetime.datetime | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditLog | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            before=before,
        )
    ).parsed
