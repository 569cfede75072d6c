"""OWL reasoning: HermiT through owlready2 (the only place that touches its internals), rules,
the inferred graph and explanations naming source rows.
"""

from mpdkg.reason.hermit import (
    Diagnosis,
    ReasoningFailed,
    ReasonReport,
    Rule,
    defined_classes,
    inferred_turtle,
    java_executable,
    load_rules,
    quickxplain,
    reason_into,
    run_rules,
)

__all__ = [
    "Diagnosis",
    "ReasonReport",
    "ReasoningFailed",
    "Rule",
    "defined_classes",
    "inferred_turtle",
    "java_executable",
    "load_rules",
    "quickxplain",
    "reason_into",
    "run_rules",
]
