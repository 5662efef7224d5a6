"""Free-text limits: the message a person sees, and the model fields that carry the limit."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from common.text_limits import ACTION_TEXT_MAX, LONG_TEXT_MAX, LongTextField, TextLengthValidator


def test_the_message_says_the_limit_and_the_length_as_people_write_numbers():
    with pytest.raises(ValidationError) as refused:
        TextLengthValidator(10_000)("x" * 12_345)
    assert refused.value.messages == ["Keep this to 10,000 characters or fewer: it has 12,345."]
    TextLengthValidator(10_000)("x" * 10_000)  # exactly at the limit is fine


def test_a_long_text_field_gives_one_message_and_no_maxlength_for_the_browser_to_cut_at():
    field = LongTextField(required=False)
    with pytest.raises(ValidationError) as refused:
        field.clean("x" * (LONG_TEXT_MAX + 1))
    assert refused.value.messages == ["Keep this to 10,000 characters or fewer: it has 10,001."]
    assert "maxlength" not in field.widget.render("note", "")


@pytest.mark.parametrize(
    ("model", "fields", "limit"),
    [
        ("moderation.Moderation", ["rationale", "feedback", "review_note"], LONG_TEXT_MAX),
        ("actions.Action", ["completion_note"], LONG_TEXT_MAX),
        ("actions.Action", ["description"], ACTION_TEXT_MAX),
        ("actions.ActionChange", ["reason"], LONG_TEXT_MAX),
        (
            "actions.ChildOfConcern",
            ["safety_response", "service_offer_response", "next_steps_response", "review_note"],
            LONG_TEXT_MAX,
        ),
        ("actions.ConcernReview", ["note"], LONG_TEXT_MAX),
        (
            "audits.Audit",
            [
                "immediate_concern_detail",
                "child_feedback_comment",
                "parent_feedback_comment",
                "strengths",
                "improvements",
            ],
            LONG_TEXT_MAX,
        ),
        ("audits.AreaGrade", ["evidence", "impact"], LONG_TEXT_MAX),
    ],
)
def test_the_model_fields_carry_the_limit_so_the_admin_and_model_forms_enforce_it(model, fields, limit):
    model_class = apps.get_model(model)
    assert {name: model_class._meta.get_field(name).max_length for name in fields} == dict.fromkeys(fields, limit)
