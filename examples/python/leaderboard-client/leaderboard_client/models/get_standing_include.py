from enum import StrEnum


class GetStandingInclude(StrEnum):
    METADATA = "metadata"

    def __str__(self) -> str:
        return str(self.value)
