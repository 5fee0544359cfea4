"""Contains all the data models used in inputs/outputs"""

from .audit_entry import AuditEntry
from .audit_entry_detail import AuditEntryDetail
from .audit_log import AuditLog
from .batch import Batch
from .batch_item import BatchItem
from .batch_item_result import BatchItemResult
from .batch_result import BatchResult
from .board_operator import BoardOperator
from .board_order import BoardOrder
from .board_reset import BoardReset
from .entry import Entry
from .error import Error
from .error_detail import ErrorDetail
from .fed_score import FedScore
from .get_entries_include import GetEntriesInclude
from .get_standing_include import GetStandingInclude
from .get_standing_of_player_named_lookup_include import GetStandingOfPlayerNamedLookupInclude
from .getdata_entry import GetdataEntry
from .history_point import HistoryPoint
from .leaderboard import Leaderboard
from .leaderboard_change import LeaderboardChange
from .leaderboard_create import LeaderboardCreate
from .leaderboard_list import LeaderboardList
from .looked_up import LookedUp
from .lookup import Lookup
from .lookup_request import LookupRequest
from .lookup_request_include_item import LookupRequestIncludeItem
from .metadata import Metadata
from .open_api_document import OpenApiDocument
from .page import Page
from .period import Period
from .period_list import PeriodList
from .period_summary import PeriodSummary
from .player_history import PlayerHistory
from .review import Review
from .review_list import ReviewList
from .rollback_request import RollbackRequest
from .rollback_result import RollbackResult
from .rolled_back_score import RolledBackScore
from .sanction import Sanction
from .sanction_action import SanctionAction
from .sanction_list import SanctionList
from .sanction_request import SanctionRequest
from .score_result import ScoreResult
from .score_submission import ScoreSubmission
from .standing import Standing
from .subscore_order import SubscoreOrder
from .winner import Winner

__all__ = (
    "AuditEntry",
    "AuditEntryDetail",
    "AuditLog",
    "Batch",
    "BatchItem",
    "BatchItemResult",
    "BatchResult",
    "BoardOperator",
    "BoardOrder",
    "BoardReset",
    "Entry",
    "Error",
    "ErrorDetail",
    "FedScore",
    "GetdataEntry",
    "GetEntriesInclude",
    "GetStandingInclude",
    "GetStandingOfPlayerNamedLookupInclude",
    "HistoryPoint",
    "Leaderboard",
    "LeaderboardChange",
    "LeaderboardCreate",
    "LeaderboardList",
    "LookedUp",
    "Lookup",
    "LookupRequest",
    "LookupRequestIncludeItem",
    "Metadata",
    "OpenApiDocument",
    "Page",
    "Period",
    "PeriodList",
    "PeriodSummary",
    "PlayerHistory",
    "Review",
    "ReviewList",
    "RollbackRequest",
    "RollbackResult",
    "RolledBackScore",
    "Sanction",
    "SanctionAction",
    "SanctionList",
    "SanctionRequest",
    "ScoreResult",
    "ScoreSubmission",
    "Standing",
    "SubscoreOrder",
    "Winner",
)
