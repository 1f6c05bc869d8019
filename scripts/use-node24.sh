# Puts Node.js 24 first on PATH in the shell that sources it, for running `node`/`npx` by hand (npm scripts do not
# need it: they go through scripts/node24.mjs, which also does the finding and installing for this file).
#   source scripts/use-node24.sh
# shellcheck shell=bash
if _kyc_bin="$(node "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node24.mjs" --bin-dir)"; then
  export PATH="$_kyc_bin:$PATH"
  unset _kyc_bin
else
  unset _kyc_bin
  return 1 2>/dev/null || exit 1
fi
