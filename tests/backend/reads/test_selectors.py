"""Reads: pages, standings and the board list, checked against a tiny reference model."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.reads import selectors
from tests.backend.conftest import make_board, make_score, make_scores

pytestmark = pytest.mark.django_db(transaction=True)


# --- a reference model of the ranking rules, as plain Python --------------------------------


@dataclass
class RefBoard:
    order: str
    operator: str
    # player_id -> (value, step at which the player reached that value)
    scores: dict[str, tuple[int, int]] = field(default_factory=dict)

    def submit(self, player_id: str, score: int, step: int) -> None:
        old = self.scores.get(player_id)
        if old is None:
            self.scores[player_id] = (score, step)
        elif self.operator == "best":
            better = score > old[0] if self.order == "desc" else score < old[0]
            if better:
                self.scores[player_id] = (score, step)
        elif self.operator == "latest":
            if score != old[0]:
                self.scores[player_id] = (score, step)
        elif score:
            self.scores[player_id] = (old[0] + score, step)

    def sort_key(self, value: int) -> int:
        return -value if self.order == "desc" else value

    def ordered(self) -> list[tuple[int, str, int]]:
        """(rank, player_id, score), best first; ties by who reached the score first."""
        players = sorted(
            self.scores, key=lambda p: (self.sort_key(self.scores[p][0]), self.scores[p][1])
        )
        return [(self.rank(p), p, self.scores[p][0]) for p in players]

    def rank(self, player_id: str) -> int:
        mine = self.sort_key(self.scores[player_id][0])
        return 1 + sum(self.sort_key(v) < mine for v, _ in self.scores.values())

    def worse_share(self, player_id: str) -> float:
        mine = self.sort_key(self.scores[player_id][0])
        worse = sum(self.sort_key(v) > mine for v, _ in self.scores.values())
        return 100 * worse / len(self.scores)

    def window(self, player_id: str, around: int) -> list[tuple[int, str, int]]:
        ordered = self.ordered()
        index = [p for _, p, _ in ordered].index(player_id)
        size = min(len(ordered), 2 * around + 1)
        start = min(max(0, index - around), len(ordered) - size)
        return ordered[start : start + size]


def entries_as_tuples(entries) -> list[tuple[int, str, int]]:
    return [(e.rank, e.player_id, e.score) for e in entries]


board_specs = st.lists(
    st.tuples(st.sampled_from(["desc", "asc"]), st.sampled_from(["best", "latest", "increment"])),
    min_size=1,
    max_size=3,
)
actions = st.lists(
    st.one_of(
        st.tuples(st.integers(0, 2), st.integers(0, 6), st.integers(-4, 4)),
        st.just("flush"),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=board_specs,
    steps=actions,
    around=st.integers(0, 4),
    page=st.tuples(st.integers(0, 8), st.integers(1, 5)),
)
def test_every_read_agrees_with_the_reference_ranking(ranking_redis, specs, steps, around, page):
    ranking_redis.flushdb()
    Score.objects.all().delete()
    Player.objects.all().delete()
    Leaderboard.objects.exclude(slug="global").delete()
    boards = [make_board(f"prop-{i}", order=o, operator=op) for i, (o, op) in enumerate(specs)]
    refs = [RefBoard(o, op) for o, op in specs]

    for step, action in enumerate(steps):
        if action == "flush":  # Redis restarted: the next read or write rebuilds the board
            ranking_redis.flushdb()
            continue
        board_index, player, score = action
        board_index %= len(boards)
        make_score(boards[board_index], f"p{player}", score)
        refs[board_index].submit(f"p{player}", score, step)

    for board, ref in zip(boards, refs, strict=True):
        expected = ref.ordered()
        top = selectors.board_top(slug=board.slug, offset=0, limit=100)
        assert top.total == len(expected)
        assert entries_as_tuples(top.entries) == expected
        offset, limit = page
        part = selectors.board_top(slug=board.slug, offset=offset, limit=limit)
        assert entries_as_tuples(part.entries) == expected[offset : offset + limit]
        for _, player_id, value in expected:
            standing = selectors.player_standing(
                slug=board.slug, player_id=player_id, around=around
            )
            assert (standing.score, standing.rank) == (value, ref.rank(player_id))
            assert standing.name == f"Player {player_id}"
            percentile = selectors.percentile(standing)
            assert round(percentile, 1) == percentile
            assert abs(percentile - ref.worse_share(player_id)) <= 0.05 + 1e-9
            assert entries_as_tuples(standing.around) == ref.window(player_id, around)

    overview = {b.slug: b.players for b in selectors.leaderboards_overview()}
    assert overview == {"global": 0} | {
        b.slug: len(r.scores) for b, r in zip(boards, refs, strict=True)
    }


# --- examples ---------------------------------------------------------------------------


def test_scores_100_100_90_80_rank_1_1_3_4(ranking_redis, global_board):
    make_scores(global_board, {"a": 100, "b": 100, "c": 90, "d": 80})
    page = selectors.board_top(slug="global", offset=0, limit=10)
    assert [e.rank for e in page.entries] == [1, 1, 3, 4]


def test_a_percentile_is_the_share_of_strictly_worse_players_to_one_decimal(
    ranking_redis, global_board
):
    make_scores(global_board, {"a": 30, "b": 20, "c": 20, "d": 10, "e": 10, "f": 0})
    share = {
        pid: selectors.percentile(selectors.player_standing(slug="global", player_id=pid, around=0))
        for pid in "abcdf"
    }
    assert share == {"a": 83.3, "b": 50.0, "c": 50.0, "d": 16.7, "f": 0.0}


def test_a_player_without_a_score_on_the_board_is_not_found(ranking_redis, global_board):
    other = make_board()
    make_score(other, "p", 5)
    with pytest.raises(NotFound, match="'p'"):
        selectors.player_standing(slug="global", player_id="p", around=2)


def test_an_unknown_board_is_not_found(ranking_redis, transactional_db):
    with pytest.raises(NotFound, match="nope"):
        selectors.board_top(slug="nope", offset=0, limit=10)


def test_the_overview_lists_the_default_board_even_when_it_is_empty(
    ranking_redis, transactional_db
):
    assert [(b.slug, b.players) for b in selectors.leaderboards_overview()] == [("global", 0)]


def test_the_overview_lists_every_board_after_a_flush_and_a_read_of_one_board(
    ranking_redis, global_board
):
    board = make_board("speed", order="asc")
    make_scores(board, {"a": 3, "b": 4})
    make_score(global_board, "a", 10)
    ranking_redis.flushdb()
    selectors.board_top(slug="speed", offset=0, limit=10)
    overview = [(b.slug, b.players) for b in selectors.leaderboards_overview()]
    assert overview == [("global", 1), ("speed", 2)]


def test_readiness_names_nothing_while_the_database_and_redis_answer(
    ranking_redis, transactional_db
):
    assert selectors.readiness_failures() == []
