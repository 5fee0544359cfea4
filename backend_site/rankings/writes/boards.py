"""Boards made, changed and deleted: the one place their rules are kept, whoever asks (the
API's `manage` key, the admin, a command).

- The model's own checks (``Leaderboard.clean`` and its fields: bounds, choices, the zone, a
  source without a source) run on every change; a problem is an InvalidInput naming the field.
- A slug is taken once (409 ``board_exists``).
- The default board keeps its slug and is never deleted (409 ``board_protected``): /getdata
  and the public page read it.
- Once a board has scores its reset, zone and subscores are fixed (409
  ``board_setting_fixed``): its scores are filed under the periods the first two name, and
  their ties are stored in the orders the subscores name (subscores.py).

Each change is one transaction that holds the boards against other board changes (and, when
it moves a board's periods, the scores against new ones) while the rules are checked, is
recorded in the audit log as ``board.create``, ``board.change`` or ``board.delete``, and reaches
Redis after it commits through sync.py: the board's ranking rebuilt (its title and order are
kept there) or dropped. This process forgets its boards at once; every other one reads them
again within BOARD_CACHE_SECONDS (calendar/boards.py), or at once on a write (its statement
checks the board).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from backend_site.audit import log as audit
from backend_site.rankings import subscores
from backend_site.rankings.calendar import boards, clock, periods
from backend_site.rankings.db import leaderboards
from backend_site.rankings.errors import ApiError, InvalidInput, NotFound
from backend_site.rankings.models import DEFAULT_BOARD, Leaderboard
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.webhooks import leaders

# What a board is set with, besides its slug (the API's body, the admin's form, the audit
# log's detail).
SETTINGS = (
    "title",
    "order",
    "operator",
    "reset",
    "timezone",
    "source",
    "subscores",
    "min_score",
    "max_score",
    "max_increment",
    "max_submissions_per_minute",
)
# Fixed once the board has scores: its scores are filed under the periods the first two
# name, and their ties are stored in the orders the last one names.
FIXED_ONCE_SCORED = ("reset", "timezone", "subscores")
_WHY_FIXED = {
    "reset": "its scores are filed under the periods its reset and time zone name",
    "timezone": "its scores are filed under the periods its reset and time zone name",
    "subscores": "its scores' tie-breakers are stored in the orders it names",
}


class BoardExists(ApiError):
    def __init__(self, slug: str):
        super().__init__(409, "board_exists", f"A leaderboard {slug!r} exists already.")


class BoardProtected(ApiError):
    """The default board's slug and existence: /getdata and the public page read it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(409, "board_protected", message)
        self.field = field


class BoardSettingFixed(ApiError):
    def __init__(self, field: str):
        super().__init__(
            409,
            "board_setting_fixed",
            f"{field}: fixed once the board has scores ({_WHY_FIXED[field]}); make a new "
            "board instead.",
        )
        self.field = field


def fixed_settings(board: Leaderboard) -> tuple[str, ...]:
    """The settings the stored ``board`` can no longer change (the admin shows them fixed)."""
    if board.pk is None or not leaderboards.scores_exist(board.pk):
        return ()
    return FIXED_ONCE_SCORED


def change_refusal(board: Leaderboard, changes: dict, *, held: bool = False) -> ApiError | None:
    """Why ``changes`` (setting or ``slug`` → new value) may not be made to the stored
    ``board``, or None. ``held``: hold the scores (see leaderboards.scores_exist) when the
    answer depends on there being none."""
    if changes.get("slug", board.slug) != board.slug and board.slug == DEFAULT_BOARD:
        return BoardProtected(f"The default board {DEFAULT_BOARD!r} keeps its slug.", field="slug")
    moved = [
        name
        for name in FIXED_ONCE_SCORED
        if _value(board, name) != changes.get(name, _value(board, name))
    ]
    if moved and leaderboards.scores_exist(board.pk, held=held):
        return BoardSettingFixed(moved[0])
    return None


def delete_refusal(board: Leaderboard) -> ApiError | None:
    """Why the board may not be deleted, or None."""
    if board.slug == DEFAULT_BOARD:
        return BoardProtected(
            f"The default board {DEFAULT_BOARD!r} cannot be deleted: /getdata and the public "
            "page read it."
        )
    return None


def board_create(*, slug: str, settings: dict, actor: str) -> Leaderboard:
    """Make a board ``slug`` with ``settings`` (each of SETTINGS, the others take the model's
    defaults; ``source`` a slug or None); audited as ``board.create`` by ``actor``."""
    with transaction.atomic():
        leaderboards.boards_hold()
        if Leaderboard.objects.filter(slug=slug).exists():
            raise BoardExists(slug)
        board = Leaderboard(slug=slug)
        _settings_apply(board, {"title": slug, **settings})
        _checked(board)
        board.save()
        audit.record(
            actor=actor,
            action="board.create",
            target=f"board:{slug}",
            detail={name: _value(board, name) for name in SETTINGS},
        )
        _followed(board)
    return board


def board_change(*, slug: str, changes: dict, actor: str) -> Leaderboard:
    """Change the board ``slug``'s settings in ``changes`` (``slug`` too: a new slug, which
    the admin may give), leaving the others as they are; audited as ``board.change`` with
    each changed setting's value before and after, when any changed. NotFound for an
    unknown board."""
    with transaction.atomic():
        leaderboards.boards_hold()
        board = _stored(slug)
        refusal = change_refusal(board, changes, held=True)
        if refusal is not None:
            raise refusal
        new_slug = changes.get("slug", slug)
        if new_slug != slug and Leaderboard.objects.filter(slug=new_slug).exists():
            raise BoardExists(new_slug)
        before = {name: _value(board, name) for name in ("slug", *SETTINGS)}
        was = Leaderboard(slug=board.slug, reset=board.reset, timezone=board.timezone)
        board.slug = new_slug
        _settings_apply(board, {name: value for name, value in changes.items() if name != "slug"})
        _checked(board)
        changed = {
            name: {"before": value, "after": _value(board, name)}
            for name, value in before.items()
            if _value(board, name) != value
        }
        if not changed:
            return board
        board.save()
        audit.record(actor=actor, action="board.change", target=f"board:{slug}", detail=changed)
        if "order" in changed:  # the other end of the ranking leads now
            now = clock.now()
            current = board.period_at(now)
            leaders.leaders_check(
                rankings=[(board, current.id if current else periods.NO_PERIOD)], now=now
            )
        _followed(board, old_slug=slug)
        # A new slug, reset or zone names other rankings: the old ones' keys go (empty but
        # for a slug's, whose scores the rebuild carries to the new name).
        gone = set(sync.ranking_names_recent(was)) - set(sync.ranking_names_recent(board))
        if gone:
            sync.board_removed(names=sorted(gone))
    return board


def board_delete(*, slug: str, actor: str) -> None:
    """Delete the board ``slug``, its scores, history and archives (a board it fed loses its
    source); audited as ``board.delete`` with the settings it had. NotFound for an unknown
    board."""
    with transaction.atomic():
        leaderboards.boards_hold()
        board = _stored(slug)
        refusal = delete_refusal(board)
        if refusal is not None:
            raise refusal
        settings = {name: _value(board, name) for name in SETTINGS}
        fed = sorted(board.fed.values_list("slug", flat=True))
        names = sync.ranking_names_recent(board)
        _, deleted = board.delete()
        audit.record(
            actor=actor,
            action="board.delete",
            target=f"board:{slug}",
            detail={
                **settings,
                "scores": deleted.get(_label("Score"), 0),
                "unfed": fed,  # the boards that lost their source
            },
        )
        boards.boards_forget()
        transaction.on_commit(boards.boards_forget)
        sync.board_removed(names=names)


def _stored(slug: str) -> Leaderboard:
    board = Leaderboard.objects.select_related("source").filter(slug=slug).first()
    if board is None:
        raise NotFound(f"No leaderboard {slug!r}.")
    return board


def _label(model: str) -> str:
    return f"{Leaderboard._meta.app_label}.{model}"


def _value(board: Leaderboard, name: str):
    """A setting as the API and the audit log say it: the source by its slug."""
    if name == "source":
        return board.source.slug if board.source_id is not None else None
    if name == "subscores":
        return list(board.subscore_orders)
    return getattr(board, name)


def _settings_apply(board: Leaderboard, settings: dict) -> None:
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown setting.", field=unknown[0])
    for name, value in settings.items():
        if name == "subscores":  # a list of orders (subscores.orders_clean checked it)
            board.subscores = subscores.setting_of(value)
        elif name != "source":
            setattr(board, name, value)
        elif value is None:
            board.source = None
        else:
            source = Leaderboard.objects.filter(slug=value).first()
            if source is None:
                raise InvalidInput(f"source: no leaderboard {value!r}.", field="source")
            board.source = source


def _checked(board: Leaderboard) -> None:
    """The model's checks (its fields' and ``clean``): an InvalidInput naming the first
    field in trouble."""
    try:
        board.full_clean(validate_unique=False)  # the slug: BoardExists, checked held
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == NON_FIELD_ERRORS:
            raise InvalidInput(messages[0]) from None
        raise InvalidInput(f"{field}: {messages[0]}", field=field) from None


def _followed(board: Leaderboard, *, old_slug: str | None = None) -> None:
    """Redis and this process follow the saved board once the transaction commits."""
    boards.boards_forget()
    transaction.on_commit(boards.boards_forget)  # a copy read meanwhile by another thread
    sync.board_saved(board=board, old_slug=old_slug)
