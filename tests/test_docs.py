"""The docs a newcomer follows: every picture exists and is kept current, every command parses.

The pictures are taken by `make screenshots` (docs/screenshots.py); a picture the docs
show must be one of its screens, so the next run takes it again. A screen marked
`optional` belongs to a feature of another branch: until that lands its picture may be
missing, and only then.
"""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")
SHELL_BLOCK = re.compile(r"^```(?:bash|sh)\n(.*?)^```", re.S | re.M)
DEFAULT_PORTS = re.compile(r"127\.0\.0\.1:(8000|8765)\b")


def load_screenshots():
    # docs/ is not a package: load the script by its path (dataclasses need it registered).
    spec = importlib.util.spec_from_file_location("docs_screenshots", ROOT / "docs/screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SCREENS = {screen.name: screen for screen in load_screenshots().SCREENS}


def shown_images() -> list[tuple[Path, Path]]:
    return [
        (doc, (doc.parent / ref).resolve())
        for doc in DOCS
        for ref in IMAGE.findall(doc.read_text())
    ]


def test_every_picture_the_docs_show_is_taken_by_make_screenshots_and_exists():
    images = shown_images()
    assert len(images) >= 20  # the admin's guide is illustrated
    undeclared = [f"{doc.name}: {img.name}" for doc, img in images if img.stem not in SCREENS]
    missing = [
        f"{doc.name}: {img.name}"
        for doc, img in images
        if not img.exists() and not (img.stem in SCREENS and SCREENS[img.stem].optional)
    ]
    outside = [str(img) for _, img in images if img.parent != ROOT / "docs" / "img"]
    assert undeclared == []
    assert missing == []
    assert outside == []


def test_the_admins_guide_shows_each_kind_of_conflict():
    guide = (ROOT / "docs" / "TWIZZIT.md").read_text()
    for kind in ("data-mismatch", "duplicate", "deleted-in-twizzit", "deleted-in-shotspot"):
        assert f"(img/conflict-{kind}.png)" in guide
        assert (ROOT / "docs" / "img" / f"conflict-{kind}.png").exists()


def test_the_pictures_are_small():
    pictures = list((ROOT / "docs" / "img").glob("*.png"))
    assert pictures
    assert sum(p.stat().st_size for p in pictures) < 5_000_000
    assert max(p.stat().st_size for p in pictures) < 500_000


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_shell_block_of_the_docs_parses(doc):
    for block in SHELL_BLOCK.findall(doc.read_text()):
        checked = subprocess.run(["bash", "-n"], input=block, text=True, capture_output=True)
        assert checked.returncode == 0, f"{doc.name}:\n{block}\n{checked.stderr}"


@pytest.mark.parametrize("name", ["demo.md", "TWIZZIT.md"])
def test_the_demo_commands_use_the_ports_make_run_was_given(name):
    """`make run PORT=8001 SANDBOX_PORT=8766` must not break a pasted command."""
    blocks = SHELL_BLOCK.findall((ROOT / "docs" / name).read_text())
    assert blocks
    hard_coded = [
        line for block in blocks for line in block.splitlines() if DEFAULT_PORTS.search(line)
    ]
    assert hard_coded == []
    assert any("$SANDBOX_URL" in block for block in blocks)


def test_the_docs_name_the_admin_sections_as_the_admin_does():
    assert settings.Q_CLUSTER["label"] == "Background jobs"
    for doc in DOCS:
        assert "Django Q" not in doc.read_text(), doc.name


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed")
def test_make_screenshots_builds_the_demo_and_writes_palette_pngs_1400_px_wide(tmp_path):
    from PIL import Image

    screens = ["login", "conflict-data-mismatch", "sync-log-partial"]
    run = subprocess.run(
        [
            sys.executable,
            "docs/screenshots.py",
            "--out",
            str(tmp_path),
            "--only",
            *screens,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in screens:
        with Image.open(tmp_path / f"{name}.png") as picture:
            assert picture.mode == "P"  # optimised to a palette
            assert picture.width == 1400 or name == "login"
    assert sorted(p.stem for p in tmp_path.glob("*.png")) == sorted(screens)
