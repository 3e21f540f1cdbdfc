"""The documentation site builds without a warning, and the code it names exists.

MkDocs checks links between pages and their anchors (`validation` in mkdocs.yml); what
it cannot see are the repository paths the pages name in backticks, such as
`klimatmatch/learning/labels.py` or `python -m benchmarks.bench_api`, which go stale
when code moves. These tests keep both true.
"""

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]

# Folders a page may name that are made at run time or lie outside the repository.
NOT_IN_REPOSITORY = {"var", "site", ".venv", "..", ".", "~"}
BUILT = NOT_IN_REPOSITORY | {".git", "__pycache__", "node_modules", ".ruff_cache", ".hypothesis"}
SOURCE_SUFFIXES = {
    ".py",
    ".js",
    ".css",
    ".html",
    ".md",
    ".sh",
    ".toml",
    ".yml",
    ".yaml",
    ".ipynb",
    ".json",
    ".po",
    ".pot",
    ".cfg",
    ".ini",
}
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`]+)`")
PATH = re.compile(r"[\w.-]+(?:/[\w.*-]*)+")
MODULE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")
NAME = re.compile(r"[\w-]+(?:\.[\w-]+)+")
NETWORK = re.compile(r"""<(?:script|img|link)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""")


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict`, as `make docs` does, into `site`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config)]
        + ["--site-dir", str(site)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=120,
    )


def code_spans(markdown: str) -> list[str]:
    """The text of every fenced block and inline code span."""
    fences = [block.strip("`") for block in FENCE.findall(markdown)]
    return fences + [" ".join(s.split()) for s in INLINE.findall(FENCE.sub("", markdown))]


def tokens(span: str) -> list[str]:
    """Words of a code span, split at `=` and `::` and stripped of punctuation."""
    words = re.split(r"\s+|=|::", span)
    return [w.strip("()[]{},;:'\"") for w in words if w.strip("()[]{},;:'\"")]


def is_package(module: str) -> bool:
    """Whether a dotted name starts with one of the repository's top-level packages."""
    folder = ROOT / module.split(".")[0]
    return folder.is_dir() and any(folder.glob("*.py"))


def path_references(span: str) -> list[str]:
    """What a code span names as a file or folder of the repository.

    A path (`api/pages/`), a dotted module of a top-level package (`benchmarks.bench_api`,
    given as `benchmarks/bench_api`) or a bare file name (`rows.py`, in a table that names
    the folder once).
    """
    found = []
    for word in tokens(span):
        first, suffix = word.split("/")[0], Path(word).suffix
        if "://" in word or first in NOT_IN_REPOSITORY:
            continue
        if PATH.fullmatch(word) and ((ROOT / first).is_dir() or suffix in SOURCE_SUFFIXES):
            found.append(word)
        elif MODULE.fullmatch(word) and suffix not in SOURCE_SUFFIXES and is_package(word):
            found.append(word.replace(".", "/"))
        elif NAME.fullmatch(word) and suffix in SOURCE_SUFFIXES:
            found.append(word)
    return found


@functools.cache
def file_names() -> frozenset[str]:
    """The name of every file in the repository, outside what runs and builds make."""
    names: set[str] = set()
    for _folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [s for s in subfolders if s not in BUILT and not s.endswith(".egg-info")]
        names.update(files)
    return frozenset(names)


def exists(reference: str) -> bool:
    """A path, a glob, a module (`a/b`: a/b.py), an attribute (`a/b.name`) or a file name."""
    if "/" not in reference:
        return reference in file_names()
    candidates = [reference, reference + ".py"]
    stem, dot, _attribute = reference.rpartition(".")
    if dot and "/" in stem:
        candidates.append(stem + ".py")
    parts = reference.split("/")
    candidates += ["/".join(parts[:n]) + ".py" for n in range(2, len(parts))]
    return any(any(ROOT.glob(c)) if "*" in c else (ROOT / c).exists() for c in candidates)


def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    result = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_site_loads_nothing_from_the_network(tmp_path: Path) -> None:
    assert build(ROOT / "mkdocs.yml", tmp_path / "site").returncode == 0
    remote = {
        page.name: NETWORK.findall(page.read_text())
        for page in (tmp_path / "site").rglob("*.html")
        if NETWORK.search(page.read_text())
    }
    assert remote == {}


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("[gone](no-such-page.md)", "no-such-page.md"),
        ("[gone](pages.md#no-such-heading)", "no-such-heading"),
        ("![gone](screenshots/no-such.png)", "no-such.png"),
    ],
)
def test_a_broken_link_fails_the_build(tmp_path: Path, broken: str, message: str) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    with (tmp_path / "docs" / "index.md").open("a") as index:
        index.write(f"\n{broken}\n")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert message in result.stderr


def test_code_named_in_the_docs_exists() -> None:
    missing = {
        f"{page.relative_to(ROOT)}: `{reference}`"
        for page in PAGES
        for span in code_spans(page.read_text())
        for reference in path_references(span)
        if not exists(reference)
    }
    assert sorted(missing) == []


def test_the_reference_check_sees_paths_and_modules() -> None:
    spans = code_spans(
        "See `api/pages/static/gone.js` and `python -m benchmarks.no_such_bench`.\n"
        "```bash\nklimatmatch eval data/no-such-set --cache-dir var/cache\n```\n"
        "The table names `rows.py` and `no_such_module.py`.\n"
        "Not code: `var/snapshots`, `/ui/people`, `redis://127.0.0.1:6379/0`,"
        " `application/problem+json`."
    )
    references = [r for span in spans for r in path_references(span)]
    assert sorted(references) == [
        "api/pages/static/gone.js",
        "benchmarks/no_such_bench",
        "data/no-such-set",
        "no_such_module.py",
        "rows.py",
    ]
    assert [r for r in references if exists(r)] == ["rows.py"]
    assert exists("benchmarks/synthetic.shaped_vectors") and exists("tests/*/test_export_safety.py")


def test_readme_links_and_images_exist() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)", (ROOT / "README.md").read_text())
    local = [t for t in targets if "://" not in t]
    assert local, "the README links to the docs pages and shows screenshots"
    assert [t for t in local if not (ROOT / t).exists()] == []
