"""Build the project's Docker images here, where no image registry answers.

Two images, each from its Dockerfile: the sidecar (``Dockerfile``) and the
nginx-proxy-style proxy (``Dockerfile.proxy``).

* the base: ``scripts/build-base-image [python|nginx]`` (Debian bookworm +
  python3, plus Debian's nginx for the proxy, from debootstrap, ``docker
  import``-ed; cached as an image tagged with a hash of its recipe and as a
  tarball in the cache directory);
* the wheels of the dependencies (and of setuptools, to build the project's
  own wheel), downloaded on the host with the project's ``.venv`` pip for the
  base's Python and platform; cached in the cache directory under a hash of
  the dependency list and the base;
* a build context with the checkout's files plus ``wheelhouse/``, so that the
  Dockerfile's build stage installs from it with no network;
* ``docker build --build-arg BASE=...`` with the classic builder, tagged
  ``REPO:c-<hash of the context and base>`` and ``REPO:latest``.  An image
  whose tag already exists is reused as it is: each image is built once per
  content, however many test runs ask for it.  Images of older contents go.

No pytest imports: ``python tests/sidecar_support.py [sidecar|proxy]`` builds
an image and prints its tag.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ.get("DOCKERGEN_CACHE_DIR", "/var/cache/dockergen-test"))
# Paths of the checkout the images are built from (the .dockerignore keeps the rest out anyway).
CONTEXT_PATHS = ("Dockerfile", "Dockerfile.proxy", ".dockerignore", "pyproject.toml", "README.md", "dockergen",
                 "templates", "docker")
BUILD_TIMEOUT = 600


class Recipe(NamedTuple):
    """One image: its repository, Dockerfile and base flavour (scripts/build-base-image)."""

    repo: str
    dockerfile: str
    flavour: str

    @property
    def latest(self) -> str:
        return f"{self.repo}:latest"


SIDECAR = Recipe("dockergen-test/dockergen", "Dockerfile", "python")
PROXY = Recipe("dockergen-test/proxy", "Dockerfile.proxy", "nginx")
RECIPES = {"sidecar": SIDECAR, "proxy": PROXY}
IMAGE = SIDECAR.latest


class BuildError(RuntimeError):
    """A step of the image build failed; the message has the tail of its output."""


def _run(cmd: list[str], *, what: str, timeout: float = BUILD_TIMEOUT, env: dict | None = None) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{what}: timed out after {timeout}s") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise BuildError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """One builder at a time across concurrent test sessions."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _image_id(ref: str) -> str | None:
    done = subprocess.run(["docker", "image", "inspect", "-f", "{{.Id}}", ref], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def base_image(flavour: str = "python") -> str:
    """The local base image's reference (made or re-imported when missing)."""
    out = _run(["bash", str(REPO / "scripts" / "build-base-image"), flavour], what=f"scripts/build-base-image {flavour}")
    return out.strip().splitlines()[-1]


def base_python(base: str) -> dict:
    """Python version, glibc version and machine of the base image."""
    code = (
        "import json, platform, sys; "
        "print(json.dumps({'version': '%d.%d' % sys.version_info[:2], "
        "'libc': platform.libc_ver()[1], 'machine': platform.machine()}))"
    )
    out = _run(["docker", "run", "--rm", "--network", "none", base, "python3", "-c", code], what="python3 in the base image")
    return json.loads(out)


def requirements() -> list[str]:
    """What the build stage installs: the project's dependencies and its build requirements."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return [*project["project"]["dependencies"], *project["build-system"]["requires"]]


def wheelhouse(base: str) -> Path:
    """A directory of wheels for everything in ``requirements()``, for the base's Python."""
    reqs = requirements()
    key = hashlib.sha256(json.dumps([base, reqs]).encode()).hexdigest()[:12]
    target = CACHE_DIR / f"wheelhouse-{key}"
    if (target / ".complete").exists():
        return target
    info = base_python(base)
    major, minor = (int(x) for x in info["version"].split("."))
    glibc_minor = int(info["libc"].split(".")[1]) if info["libc"] else 17
    arch = info["machine"]
    platforms = [f"manylinux_2_{m}_{arch}" for m in range(glibc_minor, 16, -1)]
    platforms += [f"manylinux2014_{arch}", f"linux_{arch}"]
    pip = REPO / ".venv" / "bin" / "pip"
    tmp = Path(tempfile.mkdtemp(prefix="wheelhouse.", dir=CACHE_DIR))
    try:
        cmd = [str(pip), "download", "-q", "--disable-pip-version-check", "--dest", str(tmp),
               "--only-binary=:all:", "--implementation", "cp", "--python-version", f"{major}.{minor}",
               "--abi", f"cp{major}{minor}"]
        for platform in platforms:
            cmd += ["--platform", platform]
        _run([*cmd, *reqs], what="pip download of the dependencies' wheels")
        (tmp / ".complete").write_text("\n".join(reqs) + "\n")
        for old in CACHE_DIR.glob("wheelhouse-*"):
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def make_context(directory: Path, wheels: Path) -> Path:
    """The checkout's build inputs and ``wheelhouse/`` in ``directory``."""
    for name in CONTEXT_PATHS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, directory / name)
    (directory / "wheelhouse").mkdir()
    for wheel in wheels.glob("*.whl"):
        shutil.copy2(wheel, directory / "wheelhouse" / wheel.name)
    return directory


def docker_build(context: Path, recipe: Recipe, base: str, *tags: str) -> str:
    env = dict(os.environ, DOCKER_BUILDKIT="0")  # the engine here has no BuildKit
    tag_args = [arg for tag in tags for arg in ("-t", tag)]
    _run(
        ["docker", "build", "--rm", "--force-rm", "-f", str(context / recipe.dockerfile),
         "--build-arg", f"BASE={base}", *tag_args, str(context)],
        what=f"docker build of {tags[0]}",
        env=env,
    )
    image_id = _image_id(tags[0])
    if image_id is None:
        raise BuildError(f"docker build reported success but {tags[0]} does not exist")
    return image_id


def content_key(base: str, wheels: Path) -> str:
    """A hash of everything an image is made of: the checkout's build inputs, the base, the wheels."""
    digest = hashlib.sha256()
    digest.update(f"{base} {_image_id(base)}\n".encode())
    digest.update(" ".join(sorted(wheel.name for wheel in wheels.glob("*.whl"))).encode())
    for name in CONTEXT_PATHS:
        source = REPO / name
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(f"\n{path.relative_to(REPO)} {path.stat().st_mode & 0o111}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_image(recipe: Recipe = SIDECAR) -> str:
    """Build ``recipe``'s image from the checkout on the local base, unless one of the same content exists.

    Returns its id; ``recipe.latest`` points to it.
    """
    with _locked(f"build-{recipe.repo.rsplit('/', 1)[1]}"):
        base = base_image(recipe.flavour)
        wheels = wheelhouse(base)
        tag = f"{recipe.repo}:c-{content_key(base, wheels)}"
        image_id = _image_id(tag)
        if image_id is None:
            with tempfile.TemporaryDirectory(prefix="dockergen-context.") as tmp:
                image_id = docker_build(make_context(Path(tmp), wheels), recipe, base, tag)
        subprocess.run(["docker", "tag", tag, recipe.latest], capture_output=True, check=True)
        # images of other contents go, unless something still uses them
        listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", recipe.repo],
                                capture_output=True, text=True).stdout.split()
        for old in listed:
            if old not in (tag, recipe.latest):
                subprocess.run(["docker", "rmi", old], capture_output=True)
        return image_id


def image_size(ref: str = IMAGE) -> int:
    return int(_run(["docker", "image", "inspect", "-f", "{{.Size}}", ref], what="docker image inspect").strip())


if __name__ == "__main__":
    recipe = RECIPES[sys.argv[1] if len(sys.argv) > 1 else "sidecar"]
    built = build_image(recipe)
    print(f"{recipe.latest} {built[:19]} {image_size(recipe.latest) / 1e6:.1f} MB", file=sys.stderr)
    print(recipe.latest)
