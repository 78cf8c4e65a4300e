# Pinned versions for the end-to-end runs (see ../shared/notes/n8n-headless.md for why these).
# 1.x: newest that installs and runs on the machine's Node 20.
N8N_V1_VERSION=1.123.50
# 2.x: newest that installs here; needs Node 24, which comes from the npm registry's `node` package.
N8N_V2_VERSION=2.40.7
NODE24_VERSION=24.21.0
KLINK_CACHE_DIR=${KLINK_CACHE_DIR:-$HOME/.cache/n8n-nodes-klink}
