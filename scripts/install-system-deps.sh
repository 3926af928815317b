#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages netns-lab and its tests use, when they are missing.
# Idempotent; uses sudo when not root. Nothing is downloaded but Debian packages.
set -euo pipefail

# command -> package
deps=(
  ip:iproute2 bridge:iproute2 iptables:iptables ping:iputils-ping tracepath:iputils-tracepath
  tcpdump:tcpdump conntrack:conntrack nsenter:util-linux unshare:util-linux runuser:util-linux
  useradd:passwd sysctl:procps perl:perl-base chromium:chromium
)
missing=()
for pair in "${deps[@]}"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1; then
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "netns-lab: system packages already installed"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "netns-lab: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
