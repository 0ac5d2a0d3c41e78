import pytest

from hr.settings import Settings, SettingsError


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(SettingsError, match="HR_SECRET_KEY mangler"):
        Settings.from_env({"HR_MODE": "production"})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(SettingsError, match="mindst 32 tegn"):
        Settings.from_env({"HR_MODE": "production", "HR_SECRET_KEY": "kort"})


def test_dev_mode_has_safe_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.mode == "dev"
    assert settings.database_url == f"sqlite:///{tmp_path / 'hr.sqlite'}"
    assert not settings.is_postgres
    assert str(settings.timezone) == "Europe/Copenhagen"
    assert not settings.secure_cookies


def test_postgres_url_selects_postgres_and_https_turns_on_secure_cookies():
    settings = Settings.from_env({"HR_DATABASE_URL": "postgresql://u@h:5432/db",
                                  "HR_BASE_URL": "https://hr.example/", "HR_SMTP_PORT": "587"})
    assert settings.is_postgres
    assert settings.secure_cookies
    assert settings.base_url == "https://hr.example"
    assert settings.smtp_port == 587


@pytest.mark.parametrize("env,message", [
    ({"HR_DATABASE_URL": "mysql://x"}, "HR_DATABASE_URL"),
    ({"HR_MODE": "test"}, "HR_MODE"),
    ({"HR_SMTP_PORT": "x"}, "HR_SMTP_PORT"),
])
def test_bad_settings_are_explained(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_the_cli_refuses_to_serve_in_production_without_a_key():
    import os
    import subprocess
    import sys

    env = {**os.environ, "HR_MODE": "production"}
    env.pop("HR_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "hr.cli", "serve"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode != 0
    assert "HR_SECRET_KEY mangler" in result.stderr


def test_templates_are_checked_for_changes_in_development_only():
    from dataclasses import replace

    from hr.app import create_app
    from hr.settings import get_settings, set_settings

    before = get_settings()
    try:
        for mode, reloads in (("dev", True), ("production", False)):
            assert create_app(replace(before, mode=mode)).template_engine.engine.auto_reload is reloads
    finally:
        set_settings(before)
