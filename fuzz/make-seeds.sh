#!/usr/bin/env bash
# Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/seed-*: a few valid
# inputs each (the first byte of most targets picks what the rest is fed to; see the
# comment at the top of each target). The archive seeds are real exports, made with the
# CLI from a small demo installation. Run from anywhere; needs cargo and python3.
# Files the fuzzer adds to the corpus directories are left alone.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{validators,json_bodies,instrument,archive,query_forms,ics}

# seed TARGET NAME SELECTOR-BYTE-IN-HEX CONTENT
seed() {
    { printf "\\x$3"; printf '%s' "$4"; } >"$corpus/$1/seed-$2"
}

# validators: 0 CPR, 1 e-mail, 2 text (next byte: max chars), 3 ids and names, 4 code sets,
# 5 sensitivity lists, 6 municipality codes, 7 dates (8 bytes), 8 instrument keys.
seed validators cpr 00 '0101051234'
seed validators cpr-hyphen 00 '150312-4321'
seed validators email 01 'lærer.hansen@skole.dk'
seed validators text 02 ' Hvad er observeret'
seed validators multiline 02 $'(Linje et\r\nLinje to\tmed tab '
seed validators id 03 '0190f5c2-8e4b-7cc3-9b1e-2f7f6a1d9e01'
seed validators agency 03 'POL-KBH'
seed validators password 03 'tolv tegn nu'
seed validators code 04 'prison_probation'
seed validators sensitivities 05 'religion,health, criminal_offence'
seed validators municipality 06 '0101'
printf '\x07\x10\x27\x00\x00\x05\x00\x00\x01' >"$corpus/validators/seed-date"
seed validators key 08 'ni-dimensioner'

# json_bodies: selector % 4 is 0/1 referral, 2 screening outcome, 3 assessment content
# (selector >> 4 picks the shipped instrument); (selector >> 2) % 4 the content type.
seed json_bodies referral 00 '{"channel":"professional","referrer":{"name":"Lærer Hansen","organisation":"Skole X","phone":"+45 12345678","email":"a@b.dk"},"subject":{"name":"Navn Navnesen","cpr":"0101051234","birth_date":"2005-01-01","gender":"male","municipality":"0101"},"concern_category":"right_wing","description":"Hvad er observeret …","urgency":"normal"}'
seed json_bodies referral-minimal 01 '{"channel":"citizen","subject":{"name":"A","cpr":"150312-4321"},"concern_category":"other","description":"x\r\ny"}'
seed json_bodies outcome-case 02 '{"outcome":"prevention_case","lead_agency":"KK-BUF","agencies":["POL-KBH","KK-SEK"]}'
seed json_bodies outcome-service 02 '{"outcome":"other_service","service":"ssp","service_note":"Videre til SSP"}'
seed json_bodies outcome-police 02 '{"outcome":"security_matter","police_agency":"POL-KBH","reference":"J.nr. 1"}'
seed json_bodies assessment-draft 03 '{"ratings":{"overbevisning_ekstrem":"nogen","overbevisning_aaben":""},"rationales":{"overbevisning":"Begrundelse"},"overall":"Samlet","recommendation":"opfoelgning","assessors":["A. Hansen"],"assessed_on":"2026-11-01"}'
seed json_bodies assessment-indikator 13 '{"ratings":{"holdninger_fjendebillede":"lav"},"rationales":{"holdninger":"B"},"assessors":[" B. Jensen "]}'

# instrument: even first byte TOML, odd JSON.
for file in "$root"/instruments/*.toml; do
    name="$(basename "$file" .toml)"
    { printf '\x00'; cat "$file"; } >"$corpus/instrument/seed-$name-toml"
    { printf '\x01'; python3 -c 'import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],"rb")), ensure_ascii=False))' "$file"; } \
        >"$corpus/instrument/seed-$name-json"
done
seed instrument minimal 00 $'format = "infohus-instrument/1"\nkey = "test"\nversion = 1\nname = "Test"\n\n[[scale]]\nkey = "lav"\nlabel = "Lav"\n\n[[scale]]\nkey = "hoej"\nlabel = "Høj"\n\n[[recommendations]]\nkey = "afslut"\nlabel = "Afslut"\n\n[[dimensions]]\nkey = "netvaerk"\nname = "Netværk"\n\n[[dimensions.items]]\nkey = "venner"\ntext = "Har venner"\nside = "resource"\n'

# query_forms: 0 API query, 1 audit page query, 2 form body, 3 referral form, 4 date,
# 5 time, 6 Authorization value, 7 cookies (name length byte, name, values split by 0xff).
seed query_forms api-query 00 'limit=20&status=received&urgency=urgent&sort=oldest&concern_category=right_wing&cursor=abc'
seed query_forms api-audit 00 'person=p-1&user=revisor&action=read&purpose=inbox&from=2026-01-01T00:00:00Z&to=2026-12-31T23:59:59%2B01:00'
seed query_forms audit-page 01 'person=p-1&username=revisor&action=read&purpose=inbox&from=2026-03-01&to=2026-03-02&efter=5'
seed query_forms form 02 'csrf=abc&date=2026-12-01&time=09%3A30&title=K%C3%B8benhavn+m%C3%B8de'
seed query_forms referral-form 03 'csrf=x&channel=professional&referrer.name=L%C3%A6rer&referrer.email=a%40b.dk&subject.name=Navn+Navnesen&subject.cpr=010105-1234&subject.municipality=101&concern_category=right_wing&description=Linje%0D%0Alinje&urgency=urgent'
seed query_forms date 04 '2026-03-01'
seed query_forms time 05 '09.30'
seed query_forms local-time 05 '2026-12-01T09:30'
seed query_forms bearer 06 'Bearer 3q2-7w_abc.def'
{ printf '\x07\x0finfohus_session'; printf 'a=1; infohus_session=tok; b=2\xffinfohus_session=second'; } >"$corpus/query_forms/seed-cookie"

# ics: bytes for `arbitrary`; any input is valid, these just start with some text in it.
printf '\x00\x10\x20\x01\x05\x01Koordineringsm\xc3\xb8de; Infohus, K\xc3\xb8benhavn\\\r\nLokale 3\x07https://infohus.example/m/1 x' >"$corpus/ics/seed-meeting"
printf '\x00\x10\x20\x07\x00\x00\x00\x03m1@infohus\x00M\xc3\xb8de\x0a\x0b\x0c\x0d\x0e\x0f' >"$corpus/ics/seed-series"

# archive: an export of a small demo installation, as it is (even) and repaired (odd),
# and a smaller one without the instruments' rows (repaired, so its checksum is right).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && cargo build --quiet -p infohus)
"$root/target/debug/infohus" demo --data-dir "$work/data" --persons 2 --referrals 3 >/dev/null 2>&1
"$root/target/debug/infohus" export --data-dir "$work/data" --out "$work/archive" >/dev/null 2>&1
{ printf '\x00'; cat "$work/archive"; } >"$corpus/archive/seed-demo-raw"
{ printf '\x01'; cat "$work/archive"; } >"$corpus/archive/seed-demo-repaired"
{ printf '\x01'; grep -v '^{"t":"instruments"' "$work/archive"; } >"$corpus/archive/seed-demo-small-repaired"
{ printf '\x01'; grep -E '^\{"(format|end)"|^\{"t":"(settings|infohuse|agencies|users|concern_categories)"' "$work/archive"; } \
    >"$corpus/archive/seed-accounts-repaired"

echo "seeds written to $corpus"
