#!/bin/sh
# Installs the CIM-XML client the cimxml tests drive: Debian's sblim-wbemcli.
# The tests run it themselves when they run as root; the Makefile may call it
# before "go test". Exit status 0 when wbemcli is (now) on the PATH.
set -eu
if command -v wbemcli >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-wbemcli: wbemcli is missing and only root can install it (apt-get install -y sblim-wbemcli)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends sblim-wbemcli >/dev/null 2>&1 ||
	{ apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends sblim-wbemcli >/dev/null; }
command -v wbemcli >/dev/null 2>&1
