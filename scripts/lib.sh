# shellcheck shell=bash
# Shared helpers for scripts/*. Sourced, never run.
#
# Everything the scripts build lives under one cache root, so CI can keep it between runs and a
# developer can wipe it with one rm -rf.
SC_CACHE="${STAGECRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecraft}"
SC_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SC_ME="${0##*/}"
# The Docker engine's folder (scripts/docker-engine): its Debian root, dockerd's data, its socket
# and pid file, and the client's config (where the buildx and compose plugins are found).
SC_DOCKER="$SC_CACHE/docker"
shopt -s inherit_errexit   # a failing $(helper) stops the script too

say() { printf '%s: %s\n' "$SC_ME" "$*"; }
die() { printf '%s: error: %s\n' "$SC_ME" "$*" >&2; exit 1; }

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot and buildah need it)"; }

# A short sha256 of its arguments: the recipe of something we build.
recipe_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# Serializes the build scripts: two jest workers (or a developer and CI) asking for the same root
# must not both debootstrap it. Nested calls (wheel-index -> toolroot) inherit the lock.
take_build_lock() {
  [[ -n ${SC_LOCK_HELD:-} ]] && return 0
  mkdir -p "$SC_CACHE"
  exec 9>"$SC_CACHE/.build.lock"
  flock 9
  export SC_LOCK_HELD=1
}
release_build_lock() { exec 9>&-; unset SC_LOCK_HELD; }

# The Debian archive this machine already uses, read from its apt sources at run time (never
# written into the project). STAGECRAFT_DEBIAN_MIRROR overrides it.
# The archive is the source whose suites include this machine's own codename (not -security,
# not third-party repositories with their own suite names).
debian_mirror() {
  if [[ -n ${STAGECRAFT_DEBIAN_MIRROR:-} ]]; then printf '%s\n' "$STAGECRAFT_DEBIAN_MIRROR"; return; fi
  local codename files=() f url
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release; set STAGECRAFT_DEBIAN_MIRROR"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
  done
  [[ ${#files[@]} -gt 0 ]] || die "no apt sources found; set STAGECRAFT_DEBIAN_MIRROR"
  url="$(awk -v cn="$codename" '
    # One-line format: deb [options] URI SUITE COMPONENTS...
    FILENAME ~ /\.list$/ && $1 == "deb" {
      i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i + 1) == cn) { print $i; exit }
      next
    }
    # deb822 format: stanzas separated by blank lines.
    FILENAME ~ /\.sources$/ {
      if (FILENAME != cur || $0 ~ /^[ \t]*$/) { cur = FILENAME; uris = ""; suites = ""; deb = 0; enabled = 1 }
      if (tolower($1) == "types:") for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
      if (tolower($1) == "uris:") uris = $2
      if (tolower($1) == "suites:") suites = " " substr($0, index($0, ":") + 1) " "
      if (tolower($1) == "enabled:" && tolower($2) == "no") enabled = 0
      if (deb && enabled && uris != "" && suites ~ (" " cn " ")) { print uris; exit }
    }' "${files[@]}")"
  [[ -n $url ]] || die "no Debian archive for '$codename' found in the apt sources; set STAGECRAFT_DEBIAN_MIRROR"
  printf '%s\n' "${url%/}"
}

# A pristine `debootstrap --variant=minbase SUITE` root, made once per suite and copied by
# whatever needs a root of its own (tool root, stand-in images): debootstrap is the slow part.
base_root() {
  local suite=$1 dir="$SC_CACHE/base/$1" mirror
  if [[ -f $dir/.stagecraft-base ]]; then printf '%s\n' "$dir"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap missing: run scripts/install-engine"
  mirror="$(debian_mirror)"
  say "debootstrap --variant=minbase $suite from $mirror (takes a minute or two)" >&2
  rm -rf "$dir.tmp" && mkdir -p "$(dirname "$dir")"
  debootstrap --variant=minbase "$suite" "$dir.tmp" "$mirror" >"$SC_CACHE/base/$suite.log" 2>&1 \
    || die "debootstrap $suite failed; see $SC_CACHE/base/$suite.log"
  rm -rf "$dir.tmp"/var/cache/apt/archives/*.deb
  touch "$dir.tmp/.stagecraft-base"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  printf '%s\n' "$dir"
}

# Copies a base root to DEST (built next to it, then renamed into place by the caller).
copy_root() { rm -rf "$2" && mkdir -p "$(dirname "$2")" && cp -a --reflink=auto "$1" "$2"; }

# apt-get install inside a root, quietly: its output goes to LOG, whose tail is shown on failure.
# A package written `name/suite` (e.g. golang-1.27-go/trixie-backports) comes from that suite of
# the same archive, whose source is added to the root first; the rest stays on the root's suite.
root_apt_install() {
  local root=$1 log=$2 suite mirror=""; shift 2
  for suite in $(printf '%s\n' "$@" | sed -n 's|^[^/]*/||p' | sort -u); do
    [[ -n $mirror ]] || mirror="$(debian_mirror)"
    printf 'deb %s %s main\n' "$mirror" "$suite" >"$root/etc/apt/sources.list.d/$suite.list"
  done
  if ! "$SC_SCRIPTS/in-toolroot" --root "$root" -- sh -c '
        export DEBIAN_FRONTEND=noninteractive
        # unsafe-io: no fsync per file; a failed build is thrown away anyway.
        apt-get update -q && apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io "$@"' sh "$@" >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    die "apt-get install in $root failed; see $log"
  fi
}

# Tools the scripts rely on from the host.
need_cmds() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || die "$c missing: run scripts/install-engine"; done
}

# The repository's npm packages, installed from package-lock.json only when the manifest or the lock
# changed since the last install (a stamp in node_modules records their hash). `npm install`, not
# `npm ci`: npm 11 writes a lock without other platforms' optional packages and `npm ci` then
# refuses it as out of sync.
ensure_node_modules() {
  local repo stamp want
  repo="$(cd "$SC_SCRIPTS/.." && pwd)"
  stamp="$repo/node_modules/.stagecraft-lock-sha256"
  want="$(cat "$repo/package.json" "$repo/package-lock.json" | sha256sum | cut -c1-64)"
  if [[ $(cat "$stamp" 2>/dev/null) == "$want" ]]; then
    say "npm packages up to date"
    return
  fi
  say "npm install (package.json or package-lock.json changed, or node_modules missing)"
  (cd "$repo" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
  cat "$repo/package.json" "$repo/package-lock.json" | sha256sum | cut -c1-64 >"$stamp"
}

# Everything the real-tool tests and the demo use: engine, tool root, wheel index, stand-in images.
ensure_engine() {
  local s
  for s in install-engine toolroot rustroot javaroot wheel-index standin-images; do "$SC_SCRIPTS/$s"; done
}

# What a Docker client needs to reach scripts/docker-engine's dockerd and find its plugins.
docker_client_env() {
  export DOCKER_HOST="unix://$SC_DOCKER/run/docker.sock" DOCKER_CONFIG="$SC_DOCKER/config"
}

# The Docker engine beside buildah: dockerd started (unless it runs) and the stand-in images loaded
# into it. A dockerd this call started is stopped when the calling script exits; one that was
# already running (a developer's, another run's) is left alone.
ensure_docker() {
  local started=""
  take_build_lock   # the check and the start as one step: a dockerd another run starts is not ours to stop
  if ! "$SC_SCRIPTS/docker-engine" status >/dev/null; then started=1; fi
  "$SC_SCRIPTS/docker-engine" start
  release_build_lock
  if [[ -n $started ]]; then
    # shellcheck disable=SC2064 # the path is fixed now
    trap "'$SC_SCRIPTS/docker-engine' stop" EXIT
  fi
  "$SC_SCRIPTS/standin-images" --docker
}
