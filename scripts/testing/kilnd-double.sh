#!/bin/sh
# kilnd TEST DOUBLE: seam's tests pack this script as ./kilnd into release-shaped archives
# (scripts/testing/release-kit.ts), to check how kilnd is downloaded and installed. It is not kiln's
# kilnd and runs nothing; it only answers --help the way kilnd 0.4.4 begins its help.
if [ "$1" = "--help" ]; then
  printf 'WebAssembly Runtime Daemon (kilnd)\nUsage: kilnd [OPTIONS] <module.wasm>\n\n(a test double packed by seam'"'"'s tests)\n'
  exit 0
fi
echo "kilnd test double: it runs nothing" >&2
exit 1
