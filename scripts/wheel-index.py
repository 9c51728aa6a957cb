"""Repacks Debian-installed Python distributions as wheels and writes a PEP 503 simple index.

Run with the tool root's python3 (scripts/wheel-index does it through scripts/in-toolroot), so that
importlib.metadata sees Debian's dist-packages:  python3 - OUT_DIR < wheel-index.py

Why: no PyPI here, yet the engine tests must `pip install poetry` and `poetry lock/install` real
projects. Debian 13 has every distribution we need, installed; a wheel is a zip of its files.
Debian differs from PyPI in ways fixed here, each said where it is fixed:
- RECORD is stripped: a distribution's files come from dpkg (`dpkg -S` its metadata folder, then
  `dpkg -L` the package);
- some metadata is .egg-info (PKG-INFO + requires.txt), turned into .dist-info;
- a few requirements are dropped or files patched for Debian's layout (EXTRA_REQUIRES, PATCHES).
Wheels are byte-for-byte reproducible (sorted entries, fixed timestamps and modes), because Poetry
caches artifacts by URL and rejects a rebuilt index whose hashes moved.
"""

import base64
import hashlib
import html
import importlib.metadata as md
import io
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

# What the engine tests install or lock; everything they require is followed recursively.
ROOTS = ["poetry", "poetry-plugin-export", "pytest", "requests", "colorama", "httpx", "zstandard"]

# Requirements Debian's metadata leaves out but PyPI's declares.
EXTRA_REQUIRES = {
    # Debian's cleo declares none; without it a pip-installed poetry dies: No module named 'rapidfuzz'.
    "cleo": ["rapidfuzz>=3.0.0,<4.0.0"],
}

# Debian's virtualenv looks for its seed wheels (pip, setuptools) in /usr/share/python-wheels and
# crashes on import where that folder is missing, as in the official python images. Ship the
# wheels inside the package, where upstream keeps them (EMBED), and look there for *.whl only
# (the folder also holds __init__.py; Debian's code would choke on it).
EMBED_INIT = "virtualenv/seed/wheels/embed/__init__.py"
PATCHES = {
    "virtualenv": [
        (EMBED_INIT, "BUNDLE_FOLDER = Path('/usr/share/python-wheels')",
         "BUNDLE_FOLDER = Path(__file__).absolute().parent"),
        (EMBED_INIT, "for fn in os.listdir(BUNDLE_FOLDER)]",
         "for fn in os.listdir(BUNDLE_FOLDER) if fn.endswith('.whl')]"),
    ],
}
EMBED = {"virtualenv": ("virtualenv/seed/wheels/embed", "/usr/share/python-wheels")}

SITE = "/usr/lib/python3/dist-packages"
DATE = (1980, 1, 1, 0, 0, 0)  # zip's epoch: no build time leaks into a wheel
PY_TAG = "cp%d%d" % sys.version_info[:2]
PLATFORM = sysconfig.get_platform().replace("-", "_").replace(".", "_")  # linux_x86_64
METADATA_SKIP = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "SOURCES.txt",
                 "requires.txt", "dependency_links.txt", "not-zip-safe", "installed-files.txt", "PKG-INFO"}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def fail(msg):
    print("wheel-index.py: error: " + msg, file=sys.stderr)
    sys.exit(1)


DISTS = {}
for _d in md.distributions():
    DISTS.setdefault(normalize(_d.metadata["Name"]), _d)


def requirements(dist):
    reqs = [Requirement(r) for r in (dist.requires or [])]
    for extra in EXTRA_REQUIRES.get(normalize(dist.metadata["Name"]), []):
        if not any(normalize(r.name) == normalize(Requirement(extra).name) for r in reqs):
            reqs.append(Requirement(extra))
    return reqs


def wanted(req, extras):
    """A requirement with an extra marker counts only when one of those extras was asked for.
    Platform-only markers (win32, python < 3.11) count too: `poetry lock` resolves for all."""
    if req.marker is None:
        return True
    if "extra" in str(req.marker):
        return any(req.marker.evaluate({"extra": e}) for e in extras)
    return True


def closure():
    """Every distribution reachable from ROOTS (through the extras asked of each); and what was left out."""
    todo = [(r, frozenset()) for r in ROOTS]
    seen, names, skipped = set(), set(), []
    while todo:
        name, extras = todo.pop()
        key = normalize(name)
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        dist = DISTS.get(key)
        if dist is None:
            fail(f"{name} is not installed in the tool root (add its Debian package to scripts/toolroot)")
        names.add(key)
        for req in requirements(dist):
            if not wanted(req, extras):
                continue
            dep = DISTS.get(normalize(req.name))
            if dep is None:  # fatal only where pip on this platform would need it
                if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
                    fail(f"{dist.metadata['Name']} requires {req}, which is not installed in the tool root")
                skipped.append(f"{req} (for {dist.metadata['Name']})")
                continue
            if not req.specifier.contains(Version(dep.version), prereleases=True):
                fail(f"{dist.metadata['Name']} requires {req}, but Debian has {dep.version}")
            todo.append((req.name, frozenset(req.extras)))
    return sorted(names), sorted(set(skipped))


def dpkg_files(dist):
    meta = os.path.realpath(str(dist._path))  # noqa: SLF001 (the only way to the folder)
    owner = subprocess.run(["dpkg", "-S", meta], capture_output=True, text=True)
    if owner.returncode != 0:
        fail(f"dpkg does not know {meta}: {owner.stderr.strip()}")
    pkg = owner.stdout.split(":")[0]
    listed = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True, check=True).stdout.split("\n")
    files = [f for f in listed if f.startswith(SITE + "/") and not os.path.isdir(f)]
    linked = [f for f in listed if f.startswith(SITE + "/") and os.path.islink(f) and os.path.isdir(f)]
    if linked:
        fail(f"{pkg} links a folder ({linked[0]}); teach wheel-index.py to follow it")
    # A package shipping several distributions: keep this one's metadata only.
    metas = {f.split("/")[5] for f in files if re.search(r"\.(dist|egg)-info/", f)}
    if len(metas) > 1:
        fail(f"{pkg} ships several distributions ({', '.join(sorted(metas))}); teach wheel-index.py to split them")
    return pkg, meta, files


def metadata_text(dist, meta):
    """METADATA as PyPI's would be: PKG-INFO for an .egg-info, Requires-Dist from our requirements."""
    name = "METADATA" if meta.endswith(".dist-info") else "PKG-INFO"
    with open(os.path.join(meta, name), encoding="utf-8") as f:
        text = f.read()
    head, sep, body = text.partition("\n\n")
    lines, keep = [], True
    for line in head.split("\n"):
        if not line[:1].isspace():
            keep = not line.lower().startswith("requires-dist:")
        if keep:
            lines.append(line)
    if meta.endswith(".egg-info"):
        lines = [("Metadata-Version: 2.1" if l.startswith("Metadata-Version: 1") else l) for l in lines]
    reqs = requirements(dist)
    declared = {l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("provides-extra:")}
    extras = sorted({m.group(1) for r in reqs if r.marker for m in re.finditer(r'extra == "([^"]+)"', str(r.marker))})
    lines += [f"Provides-Extra: {e}" for e in extras if e not in declared] + [f"Requires-Dist: {r}" for r in reqs]
    return "\n".join(lines) + "\n" + sep + body


def patched(key, rel, data):
    for path, old, new in PATCHES.get(key, []):
        if path == rel:
            text = data.decode()
            if old not in text:
                fail(f"patch for {rel} no longer applies: {old!r} not found")
            data = text.replace(old, new).encode()
    return data


def write_wheel(key, out):
    dist = DISTS[key]
    pkg, meta, files = dpkg_files(dist)
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    version = dist.version
    info = f"{name}-{version}.dist-info"
    entries = {}
    for f in files:
        rel = os.path.relpath(f, SITE)
        top = rel.split("/")[0]
        if top.endswith((".dist-info", ".egg-info")):
            base = rel.split("/", 1)[1]
            if base not in METADATA_SKIP and base != "METADATA":
                entries[f"{info}/{base}"] = open(f, "rb").read()
            continue
        if "/__pycache__/" in f or f.endswith(".pyc"):
            continue
        with open(f, "rb") as fh:  # follows symlinks: Debian links some data files elsewhere
            entries[rel] = patched(key, rel, fh.read())
    if key in EMBED:
        folder, source = EMBED[key]
        for whl in sorted(os.listdir(source)):
            entries[f"{folder}/{whl}"] = open(os.path.join(source, whl), "rb").read()
    native = sorted(r for r in entries if re.search(r"\.so(\.|$)", r))
    tag = f"{PY_TAG}-{PY_TAG}-{PLATFORM}" if native else "py3-none-any"
    meta_text = metadata_text(dist, meta).encode()
    entries[f"{info}/METADATA"] = meta_text
    entries[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: stagecraft wheel-index.py (repacked from Debian "
        f"{pkg})\nRoot-Is-Purelib: {'false' if native else 'true'}\nTag: {tag}\n").encode()

    record = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        # Package files first, metadata last, RECORD at the very end (as wheel tools write them).
        order = sorted(entries, key=lambda p: (p.startswith(info + "/"), p))
        for path in order + [f"{info}/RECORD"]:
            if path.endswith("/RECORD") and path.startswith(info):
                record.append(f"{path},,")
                data = ("\n".join(record) + "\n").encode()
            else:
                data = entries[path]
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                record.append(f"{path},sha256={digest},{len(data)}")
            zi = zipfile.ZipInfo(path, DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            src = os.path.join(SITE, path)
            mode = 0o755 if os.path.isfile(src) and os.access(src, os.X_OK) else 0o644
            zi.external_attr = (0o100000 | mode) << 16
            z.writestr(zi, data)
    filename = f"{name}-{version}-{tag}.whl"
    project = os.path.join(out, "simple", normalize(dist.metadata["Name"]))
    os.makedirs(project, exist_ok=True)
    with open(os.path.join(project, filename), "wb") as fh:
        fh.write(buf.getvalue())
    # PEP 658: the metadata next to the wheel, so resolvers need not download every wheel.
    with open(os.path.join(project, filename + ".metadata"), "wb") as fh:
        fh.write(meta_text)
    return dist, filename, hashlib.sha256(buf.getvalue()).hexdigest(), hashlib.sha256(meta_text).hexdigest(), native


def main():
    if len(sys.argv) != 2:
        fail("usage: python3 - OUT_DIR < wheel-index.py")
    out = sys.argv[1]
    keys, skipped = closure()
    projects = []
    for key in keys:
        dist, filename, digest, meta_digest, native = write_wheel(key, out)
        project = normalize(dist.metadata["Name"])
        requires_python = dist.metadata.get("Requires-Python") or ""
        attrs = f' data-core-metadata="sha256={meta_digest}" data-dist-info-metadata="sha256={meta_digest}"'
        if requires_python:
            attrs += f' data-requires-python="{html.escape(requires_python)}"'
        page = (f"<!DOCTYPE html>\n<html><body>\n<a href=\"{filename}#sha256={digest}\"{attrs}>{filename}</a>\n"
                "</body></html>\n")
        with open(os.path.join(out, "simple", project, "index.html"), "w") as fh:
            fh.write(page)
        projects.append(project)
        print(f"  {filename}" + (f"  ({len(native)} native: {os.path.basename(native[0])}...)" if native else ""))
    links = "".join(f'<a href="{p}/">{p}</a>\n' for p in projects)
    with open(os.path.join(out, "simple", "index.html"), "w") as fh:
        fh.write(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n")
    for s in skipped:
        print(f"  left out (not in Debian, not needed on this platform): {s}")
    print(f"{len(projects)} wheels")


main()
