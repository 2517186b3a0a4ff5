#!/bin/bash
# Peak server memory while a large file goes up and comes back through `hegui serve`:
# a demo store, a release server on 127.0.0.1, an auditor signed in with curl, a SIZE MiB
# (default 400) PDF uploaded and downloaded; VmHWM of the server after each step.
# Run from the repository after `cargo build --release`.
set -e
H="${HEGUI:-$(dirname "$0")/../target/release/hegui}"
D=$(mktemp -d)/demo
$H demo $D > /tmp/mem-demo.log 2>&1
PASS=$(grep -E "^  auditor " /tmp/mem-demo.log | awk '{print $3}')
PORT=18093
$H serve --db $D/hegui.db --listen 127.0.0.1:$PORT > /tmp/mem-serve.log 2>&1 &
PID=$!
sleep 1.5
hwm() { grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MiB"}'; }
echo "after start: $(hwm)"
C=$(curl -s -i -H 'Sec-Fetch-Site: same-origin' --data-urlencode "name=auditor" --data-urlencode "password=$PASS" http://127.0.0.1:$PORT/signin | grep -i '^set-cookie' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
curl -s -H "Cookie: $C" http://127.0.0.1:$PORT/ > /dev/null
echo "after a page: $(hwm)"
SIZE=${SIZE:-400}
{ printf '%%PDF-1.7\n'; head -c $((SIZE*1024*1024)) /dev/urandom; } > /tmp/big.pdf
ls -l /tmp/big.pdf | awk '{print "file: " $5 " bytes"}'
/usr/bin/time -f "upload %e s" curl -s -o /dev/null -w "upload HTTP %{http_code}\n" -H "Cookie: $C" -H 'Sec-Fetch-Site: same-origin' -F "file=@/tmp/big.pdf;filename=big.pdf" -F "source=ops" http://127.0.0.1:$PORT/e/ENG-2026-001/evidence
echo "after upload: $(hwm)"
EV=$(curl -s -H "Cookie: $C" http://127.0.0.1:$PORT/e/ENG-2026-001/evidence | grep -o 'EV-[0-9]*' | sort | tail -1)
/usr/bin/time -f "download %e s" curl -s -H "Cookie: $C" http://127.0.0.1:$PORT/e/ENG-2026-001/evidence/$EV -o /tmp/big.back
echo "after download: $(hwm)"
cmp /tmp/big.pdf /tmp/big.back && echo "download identical ($EV)"
kill $PID; rm -rf /tmp/big.pdf /tmp/big.back "$(dirname "$D")"
