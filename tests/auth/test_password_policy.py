"""The password policy in the spirit of NIST SP 800-63B: length, not character classes; known
common and breached passwords refused, and so are runs, the person's own name or e-mail, only
spaces and the current password."""

import pytest

from hr.auth.passwords import PasswordPolicyError, check_policy, common_passwords, hash_password


def test_the_shipped_list_holds_at_least_ten_thousand_common_passwords_from_its_named_source():
    assert len(common_passwords()) >= 10_000
    assert {"123456", "password", "qwerty", "dragon"} <= common_passwords()
    header = open(__import__("hr.auth.passwords", fromlist=["x"]).COMMON_PASSWORDS, encoding="utf-8").read(600)
    assert "Mark Burnett" in header and "zxcvbn" in header


@pytest.mark.parametrize("password, says", [
    ("            ", "mellemrum"),
    ("kort-kode", "mindst 12 tegn"),
    ("password1234", "almindelige eller lækkede"),
    ("Baseball2026!!", "almindelige eller lækkede"),  # a common one with digits added
    ("iloveyou1234", "almindelige eller lækkede"),
    ("123456789012", "række"),
    ("aaaaaaaaaaaa", "række"),
    ("qwertyuiopå1", "række"),
    ("Søren-Ståbi-kaffe", "navn"),
    ("staff-test-kaffe", "navn"),
    ("adgangskode2026", "adgangskode"),
])
def test_a_weak_password_is_refused_with_the_reason(password, says):
    with pytest.raises(PasswordPolicyError, match=says):
        check_policy(password, "staff@test.example", "Søren Ståbi")


@pytest.mark.parametrize("password", ["kaffe på altanen i april", "Vinter-i-Vejle-2026", "tre grønne cykler",
                                      "1234 blå hyldebær", "Ekstern-2026-xyz"])
def test_a_long_uncommon_password_needs_no_digits_or_capitals(password):
    check_policy(password, "staff@test.example", "Søren Ståbi")


def test_the_current_password_is_refused_as_the_new_one():
    current = hash_password("kaffe på altanen i april")
    with pytest.raises(PasswordPolicyError, match="forskellig fra den nuværende"):
        check_policy("kaffe på altanen i april", "staff@test.example", current_hash=current)
    check_policy("te på altanen i maj", "staff@test.example", current_hash=current)
