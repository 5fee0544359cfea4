"""One ranked row of a board, as the backend ranks it and the frontend receives it."""

from dataclasses import dataclass


# Neither frozen nor slotted: a page builds hundreds, frozen __init__ is slower, and orjson
# writes a dataclass with __slots__ several times slower than one without. orjson writes it
# as {"rank", "player_id", "name", "score", "rank_change"}, its fields in order: the API's
# entry shape. rank_change: places gained since the board's daily snapshot, None for a
# player new on the board since then.
@dataclass
class Entry:
    rank: int
    player_id: str
    name: str
    score: int
    rank_change: int | None = None
