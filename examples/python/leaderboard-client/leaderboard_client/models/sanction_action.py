from enum import StrEnum


class SanctionAction(StrEnum):
    BAN = "ban"
    HIDE = "hide"

    def __str__(self) -> str:
        return str(self.value)
