"""Structured filters applied before ranking: a candidate that fails one is never scored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """Each non-empty set keeps the candidates whose field value is in it (case-insensitive).

    `exclude_ids` removes named candidates outright (conflicts of interest, already contacted).
    """

    countries: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    cpv_codes: frozenset[str] = frozenset()
    """Keep candidates with a CPV code in the class of one of these (45000000 keeps 45xxxxxx)."""
    exclude_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls,
        *,
        countries: list[str] | None = None,
        sectors: list[str] | None = None,
        languages: list[str] | None = None,
        statuses: list[str] | None = None,
        cpv_codes: list[str] | None = None,
        exclude_ids: list[int] | None = None,
    ) -> Filters:
        def norm(values: list[str] | None) -> frozenset[str]:
            return frozenset(value.strip().lower() for value in values or [] if value.strip())

        return cls(
            norm(countries),
            norm(sectors),
            norm(languages),
            norm(statuses),
            norm(cpv_codes),
            frozenset(exclude_ids or []),
        )

    def by_field(self) -> Mapping[str, frozenset[str]]:
        """Field name -> allowed values, only for the filters that are set."""
        wanted = {
            "country": self.countries,
            "sector": self.sectors,
            "language": self.languages,
            "status": self.statuses,
        }
        return {name: values for name, values in wanted.items() if values}

    @property
    def is_empty(self) -> bool:
        return not (self.by_field() or self.exclude_ids or self.cpv_codes)

    def allows_codes(self, codes: tuple[str, ...]) -> bool:
        if not self.cpv_codes:
            return True
        wanted = [code.split("-")[0].rstrip("0") or code for code in self.cpv_codes]
        return any(code.startswith(prefix) for code in codes for prefix in wanted)
