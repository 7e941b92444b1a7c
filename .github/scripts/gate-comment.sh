#!/usr/bin/env bash
# Posts the gate's summary on the pull request as one comment, updated on every push
# (found by its marker line) instead of a new comment each time.
# Needs GH_TOKEN with pull-requests: write, REPO (owner/name), PR (number), and the
# summary file as $1.
set -euo pipefail
summary="${1:?usage: gate-comment.sh <summary.md>}"
marker='<!-- lsmbench-gate -->'
body="$(printf '%s\n' "$marker"; cat "$summary")"
id="$(gh api --paginate "repos/$REPO/issues/$PR/comments" \
  --jq ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$REPO/issues/comments/$id" -f body="$body" > /dev/null
  echo "updated comment $id"
else
  gh api --method POST "repos/$REPO/issues/$PR/comments" -f body="$body" > /dev/null
  echo "posted a comment"
fi
