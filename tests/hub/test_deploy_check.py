"""`manage.py check --deploy` passes with the production settings the README shows."""

import re
from pathlib import Path

from tests.hub.conftest import PRODUCTION_ENV, ROOT, run_manage


def test_deploy_check_passes_with_the_readme_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_without_https_settings():
    bare = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("SECURE_")}

    result = run_manage("check", "--deploy", **bare)

    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no redirect to HTTPS


def test_the_readme_shows_these_production_settings():
    readme = Path(ROOT / "README.md").read_text()
    example = readme[readme.index("## Production deployment") :]
    shown = dict(re.findall(r"^\s*([A-Z_]+)=(\S+)", example, re.MULTILINE))

    for name in PRODUCTION_ENV:
        if name not in {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL"}:
            assert shown.get(name) == PRODUCTION_ENV[name], name
        else:
            assert name in shown, name
