#!/usr/bin/env bash
# The gate's exit code as CI takes it, the same rule as .ci/run: 0 passes; 1 (a
# regression) fails; 2 (could not judge, e.g. the base does not build) is reported and
# passes unless LSMBENCH_GATE_STRICT=1; anything else (a crash) fails.
# Usage: gate-verdict.sh <gate exit code>
set -euo pipefail
rc="${1:?usage: gate-verdict.sh <gate exit code>}"
case "$rc" in
  0) echo "lsmbench gate: pass" ;;
  1) echo "::error::lsmbench gate: regression (exit 1)"; exit 1 ;;
  2)
    if [ "${LSMBENCH_GATE_STRICT:-0}" = "1" ]; then
      echo "::error::lsmbench gate could not judge (exit 2) and LSMBENCH_GATE_STRICT=1"
      exit 2
    fi
    echo "::warning::lsmbench gate could not judge (exit 2); not failing the job for it (set LSMBENCH_GATE_STRICT=1 to fail)"
    ;;
  *) echo "::error::lsmbench gate failed (exit $rc)"; exit "$rc" ;;
esac
