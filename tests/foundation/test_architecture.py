"""The architecture is checked like code: import-linter's contracts (pyproject.toml)."""

import fcntl
import hashlib
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@contextmanager
def tree_locked():
    """The upward-import tests drop a probe module into the source tree while lint-imports
    reads it: one lint of this tree at a time, across pytest-xdist workers and runs."""
    tree = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"skylight-lint-{tree}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold_on_this_tree():
    with tree_locked():
        result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "where, upward",
    [
        ("contacts", "from campaigns.models import Campaign"),
        ("channels", "from campaigns.services import campaign_start"),
        ("skylight", "from contacts.models import Contact"),
        ("channels/transports", "from channels.models import Channel"),
        ("campaigns", "from skylight.site import pages"),
    ],
)
def test_an_upward_import_breaks_the_lint(where, upward):
    probe = ROOT / where / f"upward_probe_{uuid.uuid4().hex[:8]}.py"
    with tree_locked():
        probe.write_text(f'"""A temporary module importing upward."""\n\n{upward}  # noqa\n')
        try:
            result = lint_imports()
        finally:
            probe.unlink()
    assert result.returncode != 0
    assert "BROKEN" in result.stdout.upper()
    assert probe.stem in result.stdout
