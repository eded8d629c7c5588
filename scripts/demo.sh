#!/usr/bin/env bash
# A season of paragraphs 58-61 driven through the HTTP API, told in plain sentences.
#
#   scripts/demo.sh                         starts its own server (build/release, else build/dev)
#                                           on a free port with a fresh store and its own tokens
#   scripts/demo.sh --url URL --tokens FILE drives a running server
#
# FILE maps the demo's callers to bearer tokens: {"secretariat":"...", "president":"...",
# "auditor":"...", "wg-tip":"...", "wg-som":"...", "state-freedonia":"...",
# "state-ruritania":"...", "ngo-lastrada":"...", "ngo-hope":"...", "ngo-shelter":"..."}; the
# server's tokens file must give them these roles: wg-tip and wg-som role working_group for the
# groups of the same id; state-freedonia and state-ruritania role state for the stakeholders
# freedonia and ruritania; the ngo-* role stakeholder for the stakeholder of the same id. Against
# a server that already holds the reference data, its registrations answer 409 and are skipped;
# briefings and the other entities get ids ending in a fresh tag.
#
# The season: one Conference session, two Working Groups with a meeting each (one 20 days ago,
# one in 25 days), 28 stakeholders. The past briefing is recorded after the fact by the
# Secretariat with occurred_at: invitations from the eligible list, confirmations with comments, a
# late confirmation refused (59(e)), attendance, a summary flagged for a country mention, refused
# submission (59(b)) then submission as a CRP. The coming briefing runs live: invitations of all
# eligible, confirmations by the NGOs' own tokens, an objection by a State Party and the Working
# Group's decision (59(d)). Then a paragraph 60 invitation, paragraph 61 contributions and a
# paragraph 58 participation. Needs curl, jq, openssl, GNU date.
set -euo pipefail
cd "$(dirname "$0")/.."

url=""
tokens_file=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --tokens) tokens_file="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in curl jq openssl date; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done

callers=(secretariat president auditor wg-tip wg-som state-freedonia state-ruritania
         ngo-lastrada ngo-hope ngo-shelter)
work="$(mktemp -d -t dialogue-demo.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

declare -A token
tag=""
if [[ -n "$url" ]]; then
  [[ -n "$tokens_file" ]] || { echo "demo: --url needs --tokens FILE" >&2; exit 2; }
  for caller in "${callers[@]}"; do
    token[$caller]="$(jq -er --arg c "$caller" '.[$c]' "$tokens_file")" ||
      { echo "demo: $tokens_file has no token for $caller" >&2; exit 2; }
  done
  tag="-$(date -u +%H%M%S)"
else
  binary="${DIALOGUE_BIN:-}"
  if [[ -z "$binary" ]]; then
    for candidate in build/release/api/dialogue build/dev/api/dialogue; do
      [[ -x "$candidate" ]] && { binary="$candidate"; break; }
    done
  fi
  [[ -n "$binary" && -x "$binary" ]] ||
    { echo "demo: no dialogue binary: build it (scripts/build.sh release) or set DIALOGUE_BIN" >&2; exit 2; }
  # One random token per caller; the server's file holds only their SHA-256.
  entries=()
  for caller in "${callers[@]}"; do
    token[$caller]="$(openssl rand -hex 24)"
    hash="$(printf '%s' "${token[$caller]}" | openssl dgst -sha256 -r | cut -d' ' -f1)"
    case "$caller" in
      secretariat) entry='{"actor":"sec-ana","roles":["secretariat"]}' ;;
      president) entry='{"actor":"pres-li","roles":["president"]}' ;;
      auditor) entry='{"actor":"aud-bo","roles":["auditor"]}' ;;
      wg-*) entry="{\"actor\":\"$caller-chair\",\"roles\":[\"working_group\"],\"working_group\":\"$caller\"}" ;;
      state-*) entry="{\"actor\":\"${caller#state-}-rep\",\"roles\":[\"state\"],\"stakeholder\":\"${caller#state-}\"}" ;;
      ngo-*) entry="{\"actor\":\"$caller-rep\",\"roles\":[\"stakeholder\"],\"stakeholder\":\"$caller\"}" ;;
    esac
    entries+=("$(jq -c --arg h "$hash" '. + {token_sha256: $h}' <<<"$entry")")
  done
  printf '%s\n' "${entries[@]}" | jq -s '{tokens: .}' >"$work/tokens.json"
  source scripts/lib/serve.sh
  start_dialogue "$binary" "$work/data" "$work/tokens.json" "$work/stdout" "$work/server.log" ||
    { echo "demo: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
  url="http://$server_address"
fi
url="${url%/}"

# --- HTTP helpers: status in $status, body in $body ---
status=""
body=""
call() {  # METHOD PATH CALLER [JSON]
  local method="$1" path="$2" caller="$3" data="${4:-}"
  local args=(-sS -o "$work/body" -w '%{http_code}' -X "$method"
              -H "Authorization: Bearer ${token[$caller]}")
  [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  status="$(curl "${args[@]}" "$url$path")"
  body="$(cat "$work/body")"
}
problem() { jq -r '"\(.status) \(.code)\(if .rule then " (rule " + .rule + ")" else "" end): \(.detail)"' <<<"$body"; }
fail() { echo "demo: $1: expected $2, got $(problem 2>/dev/null || echo "$status $body")" >&2; exit 1; }
post() {  # PATH CALLER JSON: the command must succeed
  call POST "$1" "$2" "$3"
  [[ "$status" == 201 ]] || fail "POST $1 as $2" 201
}
refused() {  # PATH CALLER JSON RULE: the command must be refused by that rule
  call POST "$1" "$2" "$3"
  [[ "$status" == 422 && "$(jq -r .rule <<<"$body")" == "$4" ]] || fail "POST $1 as $2" "422 rule $4"
}
register() {  # PATH JSON: reference data; already there (409) is fine against a shared server
  call POST "$1" secretariat "$2"
  [[ "$status" == 201 || ( "$status" == 409 && "$(jq -r .code <<<"$body")" == already_exists ) ]] ||
    fail "POST $1" "201 or 409"
}
get() {  # PATH CALLER: must answer 200
  call GET "$1" "$2"
  [[ "$status" == 200 ]] || fail "GET $1 as $2" 200
}
say() { printf '  %s\n' "$*"; }
chapter() { printf '\n%s\n' "$*"; }

# --- The calendar, relative to today (UTC) ---
day() { date -u -d "$(date -u +%F) $1 days" +%F; }             # day +25 -> YYYY-MM-DD
at() { date -u -d "$(date -u +%F) $1 days $2" +%FT%TZ; }      # at -20 09:00 -> instant
cosp_start="$(day -210)"; cosp_end="$(day -206)"
past_date="$(day -20)"; next_date="$(day 25)"
long_ago="$(at -250 09:00)"

b_past="b-tip$tag"; b_next="b-som$tag"

echo "Dialogue demo against $url"

chapter "1. Reference data (the Secretariat)"
register /v1/conference-sessions "$(jq -nc --arg s "$cosp_start" --arg e "$cosp_end" --arg o "$long_ago" \
  '{id:"cosp-12", title:"Twelfth session of the Conference of the Parties", starts_on:$s, ends_on:$e, occurred_at:$o}')"
say "Conference session cosp-12 ran from $cosp_start to $cosp_end."
register /v1/working-groups "$(jq -nc --arg o "$long_ago" \
  '{id:"wg-tip", name:"Working Group on Trafficking in Persons", protocol:"tip", occurred_at:$o}')"
register /v1/working-groups "$(jq -nc --arg o "$long_ago" \
  '{id:"wg-som", name:"Working Group on the Smuggling of Migrants", protocol:"som", occurred_at:$o}')"
register /v1/meetings "$(jq -nc --arg s "$(day -21)" --arg e "$(day -19)" --arg o "$long_ago" \
  '{id:"m-tip", working_group:"wg-tip", starts_on:$s, ends_on:$e, review_agenda_item:true, occurred_at:$o}')"
register /v1/meetings "$(jq -nc --arg s "$(day 24)" --arg e "$(day 26)" --arg o "$long_ago" \
  '{id:"m-som", working_group:"wg-som", starts_on:$s, ends_on:$e, review_agenda_item:true, occurred_at:$o}')"
say "Working Groups wg-tip and wg-som meet on $(day -21) to $(day -19) (m-tip) and $(day 24) to $(day 26) (m-som), both on the review process."

# id|name|category|ecosoc|entitled at cosp-12
stakeholders=(
  "ngo-lastrada|La Strada Network|ngo|special|yes"
  "ngo-hope|Hope for Survivors|ngo|general|yes"
  "ngo-shelter|Safe Shelter Alliance|ngo|special|yes"
  "ngo-borders|Borders without Exploitation|ngo|roster|yes"
  "ngo-migrants|Migrant Rights Watch|ngo|special|yes"
  "ngo-children|Children First Coalition|ngo|general|yes"
  "ngo-legal|Legal Aid for Victims|ngo|none|yes"
  "ngo-faith|Interfaith Action against Trafficking|ngo|special|yes"
  "ngo-labour|Fair Labour Initiative|ngo|roster|yes"
  "ngo-women|Women's Safety Network|ngo|general|yes"
  "ngo-youth|Youth against Exploitation|ngo|none|no"
  "ngo-sea|Rescue at Sea|ngo|special|yes"
  "ngo-research|Institute for Crime Research|ngo|special|yes"
  "ngo-survivors|Survivors' Voices|ngo|none|yes"
  "ngo-tech|Tech against Trafficking|ngo|roster|no"
  "ngo-health|Health Workers for Victims|ngo|special|yes"
  "ngo-ports|Port Community Watch|ngo|none|yes"
  "ngo-data|Open Data on Migration|ngo|general|no"
  "igo-police|International Police Cooperation Organization|igo|none|yes"
  "igo-migration|Regional Migration Organization|igo|none|yes"
  "igo-council|Council of Coastal States|igo|none|no"
  "un-rights|United Nations human rights office|un_entity|none|yes"
  "un-children|United Nations children's agency|un_entity|none|yes"
  "un-women|United Nations entity for women|un_entity|none|yes"
  "genovia|Genovia|non_signatory_state|none|yes"
  "freedonia|Freedonia|state_party|none|no"
  "sylvania|Sylvania|state_party|none|no"
  "ruritania|Ruritania|signatory_state|none|no"
)
entitled=0
for line in "${stakeholders[@]}"; do
  IFS='|' read -r id name category ecosoc is_entitled <<<"$line"
  register /v1/stakeholders "$(jq -nc --arg id "$id" --arg n "$name" --arg c "$category" --arg e "$ecosoc" --arg o "$long_ago" \
    '{id:$id, name:$n, category:$c, occurred_at:$o} + (if $c == "ngo" then {ecosoc_status:$e} else {} end)')"
  if [[ "$is_entitled" == yes ]]; then
    # Against a shared server the entitlement may be recorded already: a second record is harmless.
    call POST "/v1/stakeholders/$id/observer-entitlements" secretariat \
      "$(jq -nc --arg o "$(at -207 12:00)" '{conference_session:"cosp-12", rule:"17", occurred_at:$o}')"
    [[ "$status" == 201 || "$status" == 409 ]] || fail "entitlement of $id" 201
    entitled=$((entitled + 1))
  fi
done
say "${#stakeholders[@]} stakeholders registered; $entitled were entitled as observers at cosp-12 (rules 14-17)."

chapter "2. A briefing recorded after the fact: $b_past on $past_date (59)"
post /v1/briefings secretariat "$(jq -nc --arg id "$b_past" --arg o "$(at -80 10:00)" \
  '{id:$id, title:"Assistance to and protection of victims in the review process", on_behalf_of:"pres-li", occurred_at:$o, note:"Request received by letter"}')"
say "The President requested briefing $b_past (the Secretariat recorded the letter)."
post "/v1/briefings/$b_past/convening" secretariat "$(jq -nc --arg d "$past_date" --arg o "$(at -65 09:00)" \
  '{meeting:"m-tip", date:$d, bureau_member:"bureau-vice-chair", timezone:"Europe/Vienna", occurred_at:$o}')"
deadline="$(jq -r '.events[0].data.confirmation_deadline' <<<"$body")"
say "The Secretariat convened it on the margins of m-tip with a Bureau member; confirmations were due by $deadline (59(e))."
get "/v1/briefings/$b_past/eligible" secretariat
say "Eligible (59(c), session $(jq -r .conference_session <<<"$body")): $(jq -r '[.stakeholders[].id] | join(", ")' <<<"$body")."
# The Secretariat's choice among the eligible, for a briefing on victims' assistance.
invitees="$(jq -c '[.stakeholders[].id | select(IN("ngo-lastrada", "ngo-hope", "ngo-shelter",
  "ngo-migrants", "ngo-borders", "ngo-children", "ngo-health", "ngo-survivors", "igo-police",
  "un-rights", "un-women"))]' <<<"$body")"
post "/v1/briefings/$b_past/invitations" secretariat "$(jq -nc --argjson s "$invitees" --arg o "$(at -64 09:00)" \
  '{stakeholders:$s, occurred_at:$o}')"
say "The Secretariat invited $(jq -r 'length' <<<"$invitees") of them: $(jq -r 'join(", ")' <<<"$invitees")."
refused "/v1/briefings/$b_past/invitations" secretariat '{"stakeholders":["ngo-youth"]}' "59(c)"
say "Inviting ngo-youth was refused: it was not entitled at the previous session (59(c))."

confirm_past() {  # STAKEHOLDER DAYS COMMENTS
  post "/v1/briefings/$b_past/participants/$1/confirmation" secretariat "$(jq -nc --arg o "$(at "$2" 11:00)" \
    --arg c "$3" --arg b "$1-rep" '{on_behalf_of:$b, occurred_at:$o, note:"Confirmation received by e-mail"} + (if $c == "" then {} else {written_comments:$c} end)')"
}
confirm_past ngo-lastrada -40 "We will present our shelter work with survivors returned to Viet Nam."
say "ngo-lastrada confirmed with written comments; screening flagged: $(jq -r '[.events[0].data.country_mentions[].name] | join(", ")' <<<"$body") (59(b))."
confirm_past ngo-hope -38 "We would like to speak about long-term assistance to victims."
confirm_past ngo-migrants -37 ""
confirm_past igo-police -36 ""
say "ngo-hope, ngo-migrants and igo-police confirmed in time."
refused "/v1/briefings/$b_past/participants/ngo-borders/confirmation" secretariat \
  "$(jq -nc --arg o "$(at -29 09:00)" '{on_behalf_of:"ngo-borders-rep", occurred_at:$o}')" "59(e)"
say "ngo-borders' confirmation sent the day after the deadline was refused (59(e))."
refused "/v1/briefings/$b_past/participants/ngo-shelter/confirmation" ngo-shelter \
  '{"written_comments":"Sorry for the delay."}' "59(e)"
say "ngo-shelter tried to confirm today with its own token: refused as well (59(e))."

post "/v1/briefings/$b_past/attendance" secretariat "$(jq -nc --arg o "$(at -20 17:00)" \
  '{stakeholders:["ngo-lastrada","ngo-hope","igo-police"], states:["freedonia","sylvania"], occurred_at:$o}')"
say "The briefing was held: ngo-lastrada, ngo-hope and igo-police attended, with States Parties freedonia and sylvania (59(f))."
post "/v1/briefings/$b_past/summary" secretariat "$(jq -nc --arg o "$(at -17 15:00)" \
  '{text:"Participants described shelter capacity and long-term assistance; one speaker referred to cases in Nigeria.", occurred_at:$o}')"
say "The Secretariat prepared the summary; screening flagged: $(jq -r '[.events[0].data.country_mentions[].name] | join(", ")' <<<"$body")."
crp="CTOC/COP/WG.4/$(date -u +%Y)/CRP.1"
refused "/v1/briefings/$b_past/summary/submission" secretariat "$(jq -nc --arg c "$crp" '{crp_symbol:$c}')" "59(b)"
say "Its submission was refused while the mention stood unresolved (59(b))."
post "/v1/briefings/$b_past/summary/submission" secretariat "$(jq -nc --arg c "$crp" --arg o "$(at -15 10:00)" \
  '{crp_symbol:$c, override_country_mentions:{justification:"A statistic quoted from a public report; no country situation is discussed."}, occurred_at:$o}')"
say "With a recorded justification it went to the Working Group as $crp (59(g))."
get "/v1/briefings/$b_past" auditor
say "Now: $b_past is $(jq -r .status <<<"$body"); participants: $(jq -r '[.participants[] | "\(.stakeholder) \(.status)"] | join(", ")' <<<"$body")."

chapter "3. A coming briefing, live: $b_next on $next_date"
post /v1/briefings president "$(jq -nc --arg id "$b_next" '{id:$id, title:"Protection of smuggled migrants at sea"}')"
say "The President requested briefing $b_next."
post "/v1/briefings/$b_next/convening" secretariat "$(jq -nc --arg d "$next_date" \
  '{meeting:"m-som", date:$d, bureau_member:"bureau-rapporteur"}')"
say "The Secretariat convened it on the margins of m-som; confirmations are due by $(jq -r '.events[0].data.confirmation_deadline' <<<"$body")."
post "/v1/briefings/$b_next/invitations" secretariat '{"all_eligible":true}'
say "It invited all $(jq -r '.events | length' <<<"$body") eligible stakeholders at once."
post "/v1/briefings/$b_next/participants/ngo-lastrada/confirmation" ngo-lastrada \
  '{"written_comments":"We will bring data on rescues in the Mediterranean."}'
post "/v1/briefings/$b_next/participants/ngo-hope/confirmation" ngo-hope '{}'
post "/v1/briefings/$b_next/participants/ngo-shelter/decline" ngo-shelter '{"note":"No delegation available"}'
say "ngo-lastrada and ngo-hope confirmed with their own tokens; ngo-shelter declined."
post "/v1/briefings/$b_next/participants/ngo-migrants/objection" state-freedonia \
  '{"grounds":"The organization is not concerned with the review process."}'
referral="$b_next.ngo-migrants"
say "State Party freedonia objected to ngo-migrants: referral $referral went to the Working Group (59(d))."
get "/v1/referrals?status=pending&working_group=wg-som" wg-som
say "wg-som's pending referrals: $(jq -r '[.referrals[].id] | join(", ")' <<<"$body")."
post "/v1/referrals/$referral/decision" wg-som '{"outcome":"admitted","reasons":"Its work on protection at sea is relevant."}'
get "/v1/referrals/$referral" auditor
say "wg-som decided: $(jq -r .outcome <<<"$body") (status $(jq -r .status <<<"$body"))."

chapter "4. Observers (60), contributions (61), reports (59(h)), State participation (58)"
oi="oi-1$tag"
post /v1/observer-invitations wg-som "$(jq -nc --arg id "$oi" \
  '{id:$id, meeting:"m-som", stakeholder:"ngo-lastrada", topic:"som-art14-para2"}')"
post "/v1/observer-invitations/$oi/response" ngo-lastrada '{"accepted":true}'
say "wg-som invited ngo-lastrada (ECOSOC special) to observe m-som on Smuggling Protocol art. 14(2); it accepted."
refused /v1/observer-invitations wg-som "$(jq -nc --arg id "oi-2$tag" \
  '{id:$id, meeting:"m-som", stakeholder:"ngo-legal", topic:"prevention"}')" "60"
say "Inviting ngo-legal was refused: it holds no ECOSOC consultative status (60)."

cr="cr-1$tag"
post /v1/contribution-requests wg-tip "$(jq -nc --arg id "$cr" --arg d "$(day 45)" \
  '{id:$id, stakeholders:["ngo-hope","ngo-shelter"], due_on:$d}')"
say "wg-tip invited ngo-hope and ngo-shelter to contribute in writing by $(day 45)."
post "/v1/contribution-requests/$cr/contributions/ngo-hope" ngo-hope \
  '{"text":"Victims identified in Thailand and at home need the same assistance."}'
say "ngo-hope's contribution mentions $(jq -r '[.events[0].data.country_mentions[].name] | join(", ")' <<<"$body"): $(jq -r '.events[0].data.status' <<<"$body")."
post "/v1/contribution-requests/$cr/contributions/ngo-hope/review" secretariat \
  '{"outcome":"accepted","reasons":"A general reference, not a country situation."}'
post "/v1/contribution-requests/$cr/contributions/ngo-shelter" ngo-shelter \
  '{"text":"Shelters need predictable funding for at least twelve months."}'
get "/v1/contribution-requests/$cr" wg-tip
say "Contributions now: $(jq -r '[.contributions[] | "\(.stakeholder) \(.status)"] | join(", ")' <<<"$body")."

report="r-1$tag"
post /v1/reports ngo-hope "$(jq -nc --arg id "$report" \
  '{id:$id, authors:["ngo-hope","ngo-shelter"], addressed_to:"wg-tip", title:"Assistance to victims in 2026", text:"What the two organizations did to implement the recommendations."}')"
say "ngo-hope filed report $report with ngo-shelter to wg-tip (59(h))."

sp="sp-1$tag"
post /v1/state-participations state-ruritania "$(jq -nc --arg id "$sp" \
  '{id:$id, state:"ruritania", review_cycle:"second-cycle"}')"
refused "/v1/state-participations/$sp/funding" secretariat \
  '{"source":"regular_budget","amount_usd":40000,"donor":"none"}' "58"
post "/v1/state-participations/$sp/funding" secretariat \
  '{"source":"voluntary_contributions","amount_usd":40000,"donor":"Sylvania"}'
get "/v1/state-participations/$sp" state-ruritania
say "Signatory ruritania asked to be reviewed; funding from the regular budget was refused, voluntary contributions accepted: $(jq -r .status <<<"$body") (58)."

chapter "5. The audit trail of $b_past"
get "/v1/streams/briefing-$b_past/history" auditor
jq -r '.entries[] | "  #\(.position) \(.occurred_at[0:10])  \(.sentence)"' <<<"$body"
get /v1/ledger/verify auditor
echo
echo "The log holds $(jq -r .head <<<"$body") events; hash chain verified: $(jq -r .ok <<<"$body")."
