from enum import StrEnum


class GetEntriesInclude(StrEnum):
    METADATA = "metadata"

    def __str__(self) -> str:
        return str(self.value)
