"""One ranked row of a board, as the backend ranks it and the frontend receives it."""

from dataclasses import dataclass


# Neither frozen nor slotted: a page builds hundreds, frozen __init__ is slower, and orjson
# writes a dataclass with __slots__ several times slower than one without. orjson writes it
# as {"rank", "player_id", "name", "score"}, its fields in order: the API's entry shape.
@dataclass
class Entry:
    rank: int
    player_id: str
    name: str
    score: int
