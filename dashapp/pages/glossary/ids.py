"""The glossary's component ids."""

PAGE = "glossary-page"
TABLE = "glossary-table"
RULES = "glossary-rules"
PERIODS = "glossary-periods"


def kpi(name: str) -> str:
    return f"glossary-{name}"


def definition(name: str) -> str:
    return f"glossary-definition-{name}"


def timing(name: str) -> str:
    return f"glossary-timing-{name}"


def rule(direction: str) -> str:
    return f"glossary-rule-{direction}"
