"""The grade keys every figure of the report is counted under."""

from audits.models import GRADE_KEYS


def test_grade_keys_are_the_contract_keys_best_first():
    assert GRADE_KEYS == ("outstanding", "good", "requires_improvement", "inadequate")
