#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The demo steps: webhookctl signs a delivery for every scheme, verifies it, then shows that a tampered body and a
# stale timestamp are rejected. Ends with a table; exits 0 only if every expectation held.
#
# Run by examples/demo.sh, which builds webhookctl and sets WEBHOOKCTL; or by hand:
#   WEBHOOKCTL=build/examples/webhookctl/webhookctl bash examples/webhookctl/demo-steps.sh
set -euo pipefail

ctl="${WEBHOOKCTL:?set WEBHOOKCTL to the webhookctl program}"
[[ -x "$ctl" ]] || { echo "demo: WEBHOOKCTL=$ctl is not an executable" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '%s' '{"type":"invoice.paid","id":"evt_demo_1","data":{"amount":4200}}' >"$work/body.json"
printf '%s' '{"type":"invoice.paid","id":"evt_demo_1","data":{"amount":9900}}' >"$work/tampered.json"
stale=$(($(date +%s) - 3600))  # an hour ago: outside every scheme's 5-minute window

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Demo secrets, made fresh each run. Standard Webhooks and Svix: whsec_ + base64 of random bytes. Ed25519: the
# whsk_/whpk_ pair published with the Standard Webhooks vectors (whsk_ signs, whpk_ verifies).
whsec="whsec_$(head -c 24 /dev/urandom | base64)"
declare -A sign_secret=(
    [standard]="$whsec"
    [standard-ed25519]='whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg=='
    [svix]="$whsec"
    [stripe]="whsec_$(random_hex 16)"
    [github]="$(random_hex 20)"
    [slack]="$(random_hex 16)"
    [shopify]="shpss_$(random_hex 16)"
    [hmac]="$(random_hex 16)"
)
declare -A verify_secret=([standard-ed25519]='whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=')
declare -A timestamped=([standard]=1 [standard-ed25519]=1 [svix]=1 [stripe]=1 [slack]=1)
schemes=(standard standard-ed25519 svix stripe github slack shopify hmac)

# What a scheme needs besides its secret. `hmac` is the generic body-only provider; here, Bitbucket's shape.
scheme_args() {
    local scheme="$1"
    args=(--scheme "$scheme")
    if [[ "$scheme" == hmac ]]; then
        args+=(--signature-header X-Hub-Signature --prefix sha256= --algorithm sha256 --encoding hex)
    fi
}

# Prints a command the way a user would type it, with the secret shortened.
show() {
    local line="\$ webhookctl" word previous=""
    for word in "$@"; do
        [[ "$previous" == --secret ]] && word="${word:0:10}..."
        [[ "$word" == *" "* || "$word" == *'"'* ]] && word="'$word'"
        line+=" $word"
        previous="$word"
    done
    echo "$line"
}

# Runs webhookctl verify; sets `verdict` to its output and `status` to its exit code.
verify() {
    local body_file="$1"
    shift
    show verify "$@" --body-file "${body_file##*/}"
    verdict="$("$ctl" verify "$@" --body-file "$body_file" 2>&1)" && status=0 || status=$?
    echo "  $verdict (exit $status)"
}

# A verify run met its expectation: the exit code and the first word of the output.
expect() {
    local want_status="$1" want_word="$2"
    [[ "$status" == "$want_status" && "$verdict" == "$want_word"* ]]
}

declare -A signed verified tampered_rejected stale_rejected
failures=0
mark() { # mark <table> <scheme> <held?>
    local -n cell="$1"
    if [[ "$3" == yes ]]; then cell[$2]=yes; else cell[$2]=NO; failures=$((failures + 1)); fi
}

for scheme in "${schemes[@]}"; do
    echo
    echo "== $scheme =="
    scheme_args "$scheme"
    secret="${sign_secret[$scheme]}"
    check_secret="${verify_secret[$scheme]:-$secret}"

    # 1. Sign: the headers a sender would send.
    show sign "${args[@]}" --secret "$secret" '<' body.json
    if headers="$("$ctl" sign "${args[@]}" --secret "$secret" <"$work/body.json")"; then
        mark signed "$scheme" yes
        sed 's/^/  /' <<<"$headers"
    else
        mark signed "$scheme" no
        verified[$scheme]=- tampered_rejected[$scheme]=- stale_rejected[$scheme]=-
        continue
    fi
    header_args=()
    while IFS= read -r line; do header_args+=(--header "$line"); done <<<"$headers"

    # 2. Verify them over the same bytes (against the public key for Ed25519).
    verify "$work/body.json" "${args[@]}" --secret "$check_secret" "${header_args[@]}"
    expect 0 verified && mark verified "$scheme" yes || mark verified "$scheme" no

    # 3. The same headers over a changed body.
    verify "$work/tampered.json" "${args[@]}" --secret "$check_secret" "${header_args[@]}"
    expect 1 rejected && mark tampered_rejected "$scheme" yes || mark tampered_rejected "$scheme" no

    # 4. A correctly signed delivery whose timestamp is an hour old (only for schemes that sign one).
    if [[ -n "${timestamped[$scheme]:-}" ]]; then
        show sign "${args[@]}" --secret "$secret" --timestamp "$stale" '<' body.json
        old_headers="$("$ctl" sign "${args[@]}" --secret "$secret" --timestamp "$stale" <"$work/body.json")"
        old_args=()
        while IFS= read -r line; do old_args+=(--header "$line"); done <<<"$old_headers"
        verify "$work/body.json" "${args[@]}" --secret "$check_secret" "${old_args[@]}"
        expect 1 "rejected: timestamp too old" && mark stale_rejected "$scheme" yes || mark stale_rejected "$scheme" no
    else
        echo "  (no signed timestamp: replays are caught by deduplicating on the delivery id instead)"
        stale_rejected[$scheme]=n/a
    fi
done

echo
row() { printf '%-17s| %-7s| %-9s| %-18s| %s\n' "$@"; }
row scheme signed verified "tampered rejected" "stale rejected"
row ----------------- ------ -------- ----------------- --------------
for scheme in "${schemes[@]}"; do
    row "$scheme" "${signed[$scheme]}" "${verified[$scheme]}" "${tampered_rejected[$scheme]}" "${stale_rejected[$scheme]}"
done
echo

if ((failures > 0)); then
    echo "demo: $failures expectation(s) did not hold" >&2
    exit 1
fi
echo "demo: every scheme signed, verified, and rejected the tampered body and the stale timestamp"
