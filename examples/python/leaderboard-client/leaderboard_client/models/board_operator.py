from enum import StrEnum


class BoardOperator(StrEnum):
    BEST = "best"
    INCREMENT = "increment"
    LATEST = "latest"

    def __str__(self) -> str:
        return str(self.value)
