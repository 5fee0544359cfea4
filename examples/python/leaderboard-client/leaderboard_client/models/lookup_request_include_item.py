from enum import StrEnum


class LookupRequestIncludeItem(StrEnum):
    METADATA = "metadata"

    def __str__(self) -> str:
        return str(self.value)
