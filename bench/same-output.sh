#!/usr/bin/env bash
# Checks that two hegui binaries scan alike: every finding (with its value) and every
# report, byte for byte, on edge files and a generated corpus, for several kind sets,
# samplings and thread counts. A speed-up of the scanner must pass this against the
# release before it (see ARCHITECTURE.md, "Every speed-up keeps findings byte-identical").
#
#   bench/same-output.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#
# Exit 0 when all outputs are identical; otherwise it names the first runs that differ.
set -eu  # (no pipefail: `head` closing a pipe early is expected here)
old=$1
new=$2
work=${3:-$(mktemp -d)}
mkdir -p "$work/in"
cd "$work"

# A generated corpus (quality files: CSV, GBK CSV, SQLite, JSON Lines, log).
[ -f in/quality/orders.csv ] || "$new" gen in/quality --people 3000 --seed 11 >/dev/null

# Edge files: line ends, BOMs, ragged rows, quotes mid-file, encodings, compression.
e=in/edge
mkdir -p "$e"
q=in/quality
head -2001 "$q/customers.csv" | sed 's/$/\r/' >"$e/crlf.csv"
{ printf '\xEF\xBB\xBF'; head -1 "$q/customers.csv"; echo; head -500 "$q/customers.csv" | tail -499; echo; } >"$e/bom_blank.csv"
{ head -1 "$q/customers.csv"; head -800 "$q/customers.csv" | tail -799 | awk -F, 'NR%3==0{print $0",extra,13812345678"; next} NR%5==0{print $1","$2; next} {print}'; } >"$e/ragged.csv"
{ head -3000 "$q/orders.csv"; echo 'DD1,"2026-01-01, 10:00",商品,1,1.00,1.00,已发货,"张三",13812345678,"北京市朝阳区建国路88号3栋2单元101室"'; head -400 "$q/orders.csv" | tail -300; } >"$e/quote_mid.csv"
tr ',' '\t' <"$q/customers.csv" | head -1500 >"$e/tabs.tsv"
{ head -300 "$q/customers.csv"; printf 'C1,\xff\xfe张,110101199003071234,13812345678\n'; head -600 "$q/customers.csv" | tail -300; } >"$e/bad_utf8.csv"
head -2000 "$q/customers.csv" | iconv -f UTF-8 -t GB18030 >"$e/gbk.csv" 2>/dev/null || cp "$q/customers_gbk.csv" "$e/gbk.csv"
head -700 "$q/orders.csv" | head -c -1 >"$e/no_final_newline.csv"
{ head -200 "$q/customers.csv"; printf 'C9,王五,13812345678\rC10,赵六,13912345678\n'; head -400 "$q/customers.csv" | tail -200; } >"$e/lone_cr.csv"
{ head -1 "$q/orders.csv"; head -2 "$q/orders.csv" | tail -1; head -3000 "$q/app.log" | tr '\n' ' '; echo; head -50 "$q/orders.csv" | tail -48; } >"$e/long_line.csv"
head -20000 "$q/app.log" >"$e/app.log"
{ printf '\n\n'; head -300 "$q/app.log"; printf '\n\n\n'; head -600 "$q/app.log" | tail -300 | sed 's/$/\r/'; printf 'no final newline 13812345678'; } >"$e/text_edges.log"
printf '\n\n\n\n' >"$e/only_blank.txt"
head -5000 "$q/events.jsonl" >"$e/events.jsonl"
head -3000 "$q/app.log" | gzip >"$e/app.log.gz"
head -c 20000 "$e/app.log.gz" >"$e/truncated.log.gz"
awk 'BEGIN{srand(5); print "id,a,b,c"; for(i=0;i<20000;i++){s=""; for(j=0;j<3;j++){n=int(rand()*30); v=""; for(k=0;k<n;k++){v=v int(rand()*10)}; s=s","v}; print i s}}' >"$e/digits.csv"

kinds=("" "--kinds cn_resident_id,cn_mobile,bank_card" "--kinds person_name,address,cn_mobile" "--kinds email,ipv4,ipv6,mac_address,cn_license_plate,gps_coordinate,imei")
samples=("--full" "" "--sample-rows 700" "--sample-percent 30 --random --seed 3")
threads=(1 2)
inputs=("$e"/* "$q/orders.csv" "$q/customers.csv" "$q/customers_gbk.csv" "$q/app.log" "$q/events.jsonl" "$q/customers.db")
[ -n "${EXTRA_INPUTS:-}" ] && inputs+=($EXTRA_INPUTS)

fail=0
runs=0
rm -f differences.diff
for f in "${inputs[@]}"; do
  for k in "${kinds[@]}"; do
    for s in "${samples[@]}"; do
      # Before 2026-12-03 a database's random sample was not drawn the same twice (ORDER
      # BY RANDOM()): SKIP_DB_RANDOM=1 leaves it out when comparing with such a binary.
      case "${SKIP_DB_RANDOM:-}:$f:$s" in 1:*.db:*--random*) continue ;; esac
      for t in "${threads[@]}"; do
        args=("$f" $k $s --threads "$t")
        for fmt in jsonl json; do
          extra=()
          [ "$fmt" = jsonl ] && extra=(--show-values)
          # Reports carry timings; those lines are dropped before comparing.
          "$old" scan "${args[@]}" --format "$fmt" "${extra[@]}" 2>&1 | grep -v '"seconds"\|"elapsed' >old.out || true
          "$new" scan "${args[@]}" --format "$fmt" "${extra[@]}" 2>&1 | grep -v '"seconds"\|"elapsed' >new.out || true
          runs=$((runs + 1))
          if ! cmp -s old.out new.out; then
            fail=$((fail + 1))
            echo "DIFFERS: scan ${args[*]} --format $fmt"
            [ $fail -le 5 ] && diff old.out new.out | head -6
            # Every differing run's findings kept, for a reviewer to explain them.
            diff old.out new.out >>differences.diff || true
          fi
        done
      done
    done
  done
done
echo "$runs runs, $fail differ"
[ $fail -eq 0 ] || echo "every difference: $PWD/differences.diff"
[ $fail -eq 0 ]
