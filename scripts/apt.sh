# Sourced by the scripts: `apt_install PACKAGE…` installs Debian packages the tests need,
# refreshing the package lists once first (a fresh machine's lists may be stale or empty).
# Needs root; the scripts call it only when a tool is missing.
apt_updated=${apt_updated:-false}
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "needs root to install $* (apt-get); install them and run again" >&2
    return 1
  fi
  if [ "$apt_updated" != true ]; then
    apt-get update -qq >/dev/null
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
