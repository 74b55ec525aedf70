"""The barometer's dimensions: stable option keys as StrEnums, and the rules of an answer.

The keys are what the database stores. Their labels are in the i18n catalogues (see
``workshop.barometer.labels``). A multi-select answer is checked here: unknown keys, "don't know"
or "no collaboration" beside other answers, and more than ``MAX_INITIATORS`` initiators are
rejected with InvalidInput.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from workshop.errors import InvalidInput


class Value(StrEnum):
    """Value created: "Hvilken form for værdi har I alt i alt opnået med den seneste innovation?"

    Multi-select. The first five are the barometer's; edition 3 (2018–19) confirms all five. The
    last two are options only in Norway's KS survey (domain.md §2.5). They are kept so that
    Norwegian users can record them, but they are flagged in ``EXTRA_VALUES`` because no Danish
    figure exists to compare them with.
    """

    QUALITY = "quality"
    EFFICIENCY = "efficiency"
    CITIZEN_INVOLVEMENT = "citizen_involvement"
    EMPLOYEE_SATISFACTION = "employee_satisfaction"
    POLITICAL_GOALS = "political_goals"
    AVOIDED_COSTS = "avoided_costs"
    VALUE_FOR_BUSINESS = "value_for_business"


CORE_VALUES: tuple[Value, ...] = (
    Value.QUALITY,
    Value.EFFICIENCY,
    Value.CITIZEN_INVOLVEMENT,
    Value.EMPLOYEE_SATISFACTION,
    Value.POLITICAL_GOALS,
)
EXTRA_VALUES: frozenset[Value] = frozenset({Value.AVOIDED_COSTS, Value.VALUE_FOR_BUSINESS})


class InnovationType(StrEnum):
    """Kind of innovation (multi-select; innovationstesten.dk)."""

    PRODUCT = "product"
    SERVICE = "service"
    PROCESS_ORGANISATION = "process_organisation"
    COMMUNICATION = "communication"


class Novelty(StrEnum):
    """Whether the innovation is new or reused (single choice; innovationstesten.dk)."""

    FIRST_OF_KIND = "first_of_kind"
    INSPIRED_ADAPTED = "inspired_adapted"
    LARGELY_COPY = "largely_copy"
    DONT_KNOW = "dont_know"


class PracticeDeparture(StrEnum):
    """Whether it develops or breaks with previous practice (single choice; co-pi.dk)."""

    FURTHER_DEVELOPMENT = "further_development"
    NEW_APPROACH = "new_approach"
    DONT_KNOW = "dont_know"


class Initiator(StrEnum):
    """Who or what mainly led to the innovation being started: at most ``MAX_INITIATORS`` choices.

    Options confirmed by seed 003, co-pi.dk and innovationstesten.dk. Other options of the real
    questionnaire (private firms, other public workplaces, …) are unverified and left out.
    """

    EMPLOYEES = "employees"
    WORKPLACE_MANAGER = "workplace_manager"
    NEAREST_POLITICAL_LEADERSHIP = "nearest_political_leadership"
    NEW_LEGISLATION_NATIONAL_REQUIREMENTS = "new_legislation_national_requirements"
    ECONOMIC_PRESSURE = "economic_pressure"
    NEW_TECHNOLOGY = "new_technology"
    CITIZENS_USERS = "citizens_users"
    OTHER = "other"
    DONT_KNOW = "dont_know"


class Partner(StrEnum):
    """Collaboration partners (multi-select; seed 003 and innovationstesten.dk)."""

    INTERNAL_OWN_ORG = "internal_own_org"
    MUNICIPAL_WORKPLACES = "municipal_workplaces"
    REGIONAL_OWN_REGION = "regional_own_region"
    REGIONAL_OTHER_REGION = "regional_other_region"
    STATE_WORKPLACES = "state_workplaces"
    HIGHER_EDUCATION_RESEARCH = "higher_education_research"
    CITIZENS = "citizens"
    VOLUNTARY_ORGS = "voluntary_orgs"
    PRIVATE_COMPANIES = "private_companies"
    NONE = "none"


class PromoteHinderScale(StrEnum):
    """How much a factor promoted or hindered the innovation (one answer per factor; co-pi.dk)."""

    HINDERED_HIGH = "hindered_high"
    HINDERED_SOME = "hindered_some"
    PROMOTED_SOME = "promoted_some"
    PROMOTED_HIGH = "promoted_high"
    NOT_RELEVANT = "not_relevant"
    DONT_KNOW = "dont_know"


class PromoteHinderFactor(StrEnum):
    """Factors rated on ``PromoteHinderScale`` (co-pi.dk "hæmmere og fremmere"; seed 003 fig. 2)."""

    EMPLOYEE_PARTICIPATION = "employee_participation"
    CROSS_WORKPLACE_COLLABORATION = "cross_workplace_collaboration"
    FOCUS_ON_SAFE_OPERATIONS = "focus_on_safe_operations"
    LIMITED_FINANCIAL_RESOURCES = "limited_financial_resources"
    NEAREST_POLITICAL_LEADERSHIP = "nearest_political_leadership"
    NEW_LEGISLATION_NATIONAL_REQUIREMENTS = "new_legislation_national_requirements"
    CITIZENS = "citizens"
    VOLUNTARY_ASSOCIATIONS = "voluntary_associations"
    NEW_TECHNOLOGY = "new_technology"


class Evaluated(StrEnum):
    """Whether the innovation was evaluated (co-pi.dk "tjek om det virker"; wording ours)."""

    NO = "no"
    INTERNAL = "internal"
    EXTERNAL_ASSISTED = "external_assisted"
    DONT_KNOW = "dont_know"


#: Dimension names (domain.md §5) → enum. The names are also the i18n key segments.
DIMENSIONS: dict[str, type[StrEnum]] = {
    "value": Value,
    "innovation_type": InnovationType,
    "novelty": Novelty,
    "practice_departure": PracticeDeparture,
    "initiator": Initiator,
    "partner": Partner,
    "promote_hinder": PromoteHinderScale,
    "promote_hinder_factor": PromoteHinderFactor,
    "evaluated": Evaluated,
}
_DIMENSION_NAMES: dict[type[StrEnum], str] = {enum: name for name, enum in DIMENSIONS.items()}

MAX_INITIATORS = 3
#: Seed 003's definition of "igangsat af politiske beslutninger".
POLITICAL_INITIATORS: frozenset[Initiator] = frozenset(
    {Initiator.NEAREST_POLITICAL_LEADERSHIP, Initiator.NEW_LEGISLATION_NATIONAL_REQUIREMENTS}
)

# Answers that contradict any other answer in the same multi-select, and the error they raise.
# Keyed by (enum, key) because StrEnum members of different enums with equal keys compare equal.
_EXCLUSIVE_OPTIONS: dict[tuple[type[StrEnum], str], str] = {
    (Initiator, Initiator.DONT_KNOW.value): "error.barometer.dont_know_alone",
    (Partner, Partner.NONE.value): "error.barometer.no_partner_alone",
}

E = TypeVar("E", bound=StrEnum)


def get_dimension(name: str) -> type[StrEnum]:
    """The enum for a dimension name such as ``"initiator"``; unknown names raise InvalidInput."""
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise InvalidInput("error.barometer.unknown_dimension", dimension=name) from None


def dimension_name(dimension: type[StrEnum]) -> str:
    """The stable name of a dimension enum (``Initiator`` → ``"initiator"``)."""
    try:
        return _DIMENSION_NAMES[dimension]
    except KeyError:
        name = getattr(dimension, "__name__", repr(dimension))
        raise InvalidInput("error.barometer.unknown_dimension", dimension=name) from None


def parse_option(dimension: type[E], key: object) -> E:
    """The member of ``dimension`` with this key.

    A member of *another* dimension is rejected even when its key matches. Mixing up, say,
    ``Partner.CITIZENS`` and ``PromoteHinderFactor.CITIZENS`` is a bug we want to catch.
    """
    if isinstance(key, dimension):
        return key
    if isinstance(key, str) and not isinstance(key, StrEnum):
        try:
            return dimension(key)
        except ValueError:
            pass
    raise InvalidInput(
        "error.barometer.unknown_key", option=str(key), dimension=dimension_name(dimension)
    )


class Stage(StrEnum):
    """Whether a value was expected when the outcome was decided, or realised at follow-up."""

    EXPECTED = "expected"
    REALISED = "realised"


def is_extra_value(value: Value | str) -> bool:
    """True for the Norwegian KS extras, which have no Danish reference figures."""
    return parse_option(Value, value) in EXTRA_VALUES


def validate_choice(dimension: type[E], key: object) -> E:
    """Validate a single-choice answer (novelty, practice departure, evaluated, …)."""
    return parse_option(dimension, key)


def validate_choices(dimension: type[E], keys: Iterable[object]) -> tuple[E, ...]:
    """Validate a multi-select answer and return it in the order given, without duplicates.

    Raises InvalidInput for an unknown key, for "don't know"/"no collaboration" together with
    other answers, and for more than ``MAX_INITIATORS`` initiators.
    """
    if isinstance(keys, str):
        raise TypeError("validate_choices expects a collection of keys, not one string")
    chosen: list[E] = []
    for key in keys:
        member = parse_option(dimension, key)
        if member not in chosen:
            chosen.append(member)
    if len(chosen) > 1:
        for member in chosen:
            error = _EXCLUSIVE_OPTIONS.get((dimension, member.value))
            if error:
                raise InvalidInput(error)
    if dimension is Initiator and len(chosen) > MAX_INITIATORS:
        raise InvalidInput(
            "error.barometer.too_many_initiators", max=MAX_INITIATORS, count=len(chosen)
        )
    return tuple(chosen)


def validate_promote_hinder(
    ratings: Mapping[str, str],
) -> dict[PromoteHinderFactor, PromoteHinderScale]:
    """Validate factor → scale ratings ("what promoted or hindered the outcome?")."""
    return {
        parse_option(PromoteHinderFactor, factor): parse_option(PromoteHinderScale, scale)
        for factor, scale in ratings.items()
    }


def is_politically_initiated(initiators: Iterable[object]) -> bool:
    """Seed 003's "igangsat af politiske beslutninger": nearest political leadership or law."""
    return any(member in POLITICAL_INITIATORS for member in validate_choices(Initiator, initiators))
