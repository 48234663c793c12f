"""Which option keys a command's dialog read, by ImageJ's rules (no Java needed)."""

from __future__ import annotations

from ij_bgcorr.macro.keys import flag_position, option_keys, unread_keys, value_position


def test_items_of_an_options_string():
    options = "radius=15 stack title=[a b=c] light text1=[0 1\n1 0] name='x y'"
    assert [k for k, _, _ in option_keys(options)] == [
        "radius", "stack", "title", "light", "text1", "name"]
    key, start, end = option_keys(options)[2]
    assert options[start:end] == "title=[a b=c]"


def test_a_value_key_is_the_first_not_after_a_letter():
    assert value_position("xradius=1 radius=2", "radius") == len("xradius=1 ")
    assert value_position("radius=2", "sigma") == -1


def test_a_checkbox_key_is_a_word_outside_brackets_and_not_a_value():
    assert flag_position("title=[a light b] light", "light") == len("title=[a light b] ")
    assert flag_position("mode=light", "light") == -1
    assert flag_position("light rolling=5", "light") == 0


def test_a_misspelt_key_is_unread():
    fields = [("radius", False)]
    assert unread_keys("Median...", "radious=6", [("radious=6", fields)]) == ["radious"]
    assert unread_keys("Median...", "radius=6", [("radius=6", fields)]) == []
    # a checkbox key given as a value, and a value key given bare, are not read either
    assert unread_keys("Median...", "radius", [("radius", fields)]) == ["radius"]


def test_keys_read_outside_the_dialog_and_rewritten_options_count_as_read():
    fields = [("radius", False)]
    assert unread_keys("Median...", "radius=2 stack", [("radius=2 stack", fields)]) == []
    assert unread_keys("Duplicate...", "title=a duplicate",
                       [("title=a duplicate", [("title", False)])]) == []
    # Gaussian Blur rewrites the old key radius= into sigma= before its dialog reads it
    assert unread_keys("Gaussian Blur...", "radius=2 scaled",
                       [("sigma=2 scaled", [("sigma", False), ("scaled", True)])]) == []


def test_nothing_is_said_when_no_dialog_read_the_options():
    assert unread_keys("8-bit", "whatever=1", []) == []


def test_each_key_once_in_the_order_given():
    assert unread_keys("Median...", "b=1 a=2 b=3", [("b=1 a=2 b=3", [("radius", False)])]) \
        == ["b", "a"]
