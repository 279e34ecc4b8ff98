#!/usr/bin/env bash
# Register LE Desk's deployments (prefect.yaml) with the Prefect server named by PREFECT_API_URL, for
# workers of the `ledesk` process pool. Run from a checkout of LE Desk, once per release.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PREFECT_API_URL:?set PREFECT_API_URL to the shared Prefect server, e.g. http://prefect:4200/api}"
prefect work-pool inspect ledesk >/dev/null 2>&1 || prefect work-pool create ledesk --type process
prefect --no-prompt deploy --all
