from enum import StrEnum


class GetStandingOfPlayerNamedLookupInclude(StrEnum):
    METADATA = "metadata"

    def __str__(self) -> str:
        return str(self.value)
