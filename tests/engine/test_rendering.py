"""Placeholders and spintax, rendered per contact and reproducibly."""

from campaigns.rendering import Recipient, render

SARA = Recipient(name="Sara Al-Harbi", phone="+966501234567", attributes={"city": "Riyadh"})
NAMELESS = Recipient(name="", phone="+966500000000", attributes={})


def test_it_fills_every_placeholder():
    text = "{{name}} / {{first_name}} / {{phone}} / {{ attributes.city }}"
    assert render(text, SARA, "s") == "Sara Al-Harbi / Sara / +966501234567 / Riyadh"


def test_defaults_apply_only_when_the_value_is_empty():
    text = "Hi {{first_name|there}} from {{attributes.city|your city}}"
    assert render(text, NAMELESS, "s") == "Hi there from your city"
    assert render(text, SARA, "s") == "Hi Sara from Riyadh"


def test_an_unknown_placeholder_is_left_visible():
    assert render("Hi {{nmae}}", SARA, "s") == "Hi {{nmae}}"


def test_spintax_picks_one_option_and_the_same_one_for_the_same_seed():
    outputs = {render("{Hi|Hello|Hey} {{first_name}}", SARA, f"1:{i}:1") for i in range(40)}
    assert outputs == {"Hi Sara", "Hello Sara", "Hey Sara"}
    assert render("{Hi|Hello|Hey}", SARA, "7:9:1") == render("{Hi|Hello|Hey}", SARA, "7:9:1")


def test_nested_spintax_and_placeholders_inside_options():
    outputs = {
        render("{Hi {{first_name}}|{Good morning|Good day}}!", SARA, str(i)) for i in range(60)
    }
    assert outputs == {"Hi Sara!", "Good morning!", "Good day!"}


def test_values_with_braces_or_bars_are_not_treated_as_spintax():
    odd = Recipient(name="{A|B}", phone="+1", attributes={})
    assert render("Dear {{name}}", odd, "s") == "Dear {A|B}"


def test_a_brace_group_without_a_bar_is_literal_text():
    assert render("Use code {SAVE10} today", SARA, "s") == "Use code {SAVE10} today"
