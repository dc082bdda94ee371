#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target in fuzz/corpus/TARGET from the real files in
# ../shared/data, the project's sample exports (cases/), the small hand-written seeds in
# fuzz/seeds/TARGET, and an exported evidence package when a hoptrace binary is at hand
# ($HOPTRACE_BIN, else target/debug/hoptrace). Files are named by their content's hash, so
# running it again adds nothing twice. Run from anywhere: fuzz/seed-corpus.sh
set -euo pipefail
cd "$(dirname "$0")"
root=..
data=$root/../shared/data
out=corpus
mkdir -p "$out"

# add TARGET FILE [PREFIX-BYTE-HEX]: the file's first 256 KiB (after the prefix byte, for
# targets whose first byte picks a variant) into the target's corpus.
add() {
  local target=$1 file=$2 prefix=${3:-}
  [ -f "$file" ] || return 0
  mkdir -p "$out/$target"
  local tmp
  tmp=$(mktemp)
  if [ -n "$prefix" ]; then printf "\\x$prefix" > "$tmp"; fi
  head -c 262144 "$file" >> "$tmp"
  mv "$tmp" "$out/$target/$(sha1sum "$tmp" | cut -c1-16)"
}

# Hand-written seeds of formats with no real file here.
for dir in seeds/*/; do
  t=$(basename "$dir")
  for f in "$dir"*; do add "$t" "$f"; done
done

eetl=$data/ethereum-etl
for f in "$eetl"/*transactions*; do add ethereum_etl_transactions "$f"; done
for f in "$eetl"/*token_transfers*; do add ethereum_etl_token_transfers "$f"; done
for f in "$eetl"/traces/*; do add ethereum_etl_traces "$f"; done
for f in "$eetl"/blocks/* "$eetl"/*blocks.json; do add ethereum_etl_blocks "$f"; done
for f in "$data"/bitcoin-etl/*/rpc_response_*.json; do add bitcoin_rpc "$f"; done
for f in "$data"/bitcoin-etl/*/expected_transactions.json; do add bigquery_bitcoin "$f"; done
for f in "$data"/tagpacks/*.yaml; do add tagpack "$f"; done
for f in "$data"/ofac/sanctioned_addresses_*.txt; do add address_list "$f"; done

demo=$root/cases/demo/exports
for f in "$demo"/etherscan-*.csv; do
  for p in 00 01 02 03 04 05 06 07; do add etherscan "$f" "$p"; done
done
add tronscan "$demo/tronscan-usdt-cashout.csv"
add arkham "$demo/arkham-withdrawals.csv"
add bitcoin_rpc "$demo/bitcoin-payout-rawtx.json"
add generic "$demo/generic-bridge-release.csv"
add tagpack "$demo/tagpack-demo.yaml"
for c in "$root"/cases/*/; do
  add generic "$c/exports/transfers.csv"
  add bitcoin_rpc "$c/exports/bitcoin-rawtx.jsonl"
  add tagpack "$c/exports/labels.yaml"
  add case_load "$c/case.ron"
done

# Blockchair dumps also come gzip-compressed.
for f in seeds/blockchair/*.tsv; do
  gzip -c "$f" > "$out/blockchair.tmp.gz" && add blockchair "$out/blockchair.tmp.gz"
done
rm -f "$out/blockchair.tmp.gz"

# Every file above, for format detection.
for t in "$out"/*/; do
  case $(basename "$t") in etherscan|case_load|package|mapped|detect) continue ;; esac
  for f in "$t"*; do add detect "$f"; done
done

# A cryo Parquet file, when pyarrow is installed (CI installs it for tests/it/import_columnar.rs).
if python3 -c "import pyarrow" 2>/dev/null; then
  python3 - "$out/cryo.tmp.parquet" <<'PY'
import sys, pyarrow as pa, pyarrow.parquet as pq
h = bytes.fromhex("ab" * 32)
a = bytes.fromhex("38b4e652e44da7f2370d9e260e27136550a4a3a6")
b = bytes.fromhex("d07f5c0c332f8b1224083fd22b902f8911e81818")
t = pa.table({
    "block_number": pa.array([17000000, 17000001], pa.uint32()),
    "transaction_index": pa.array([3, 0], pa.uint32()),
    "log_index": pa.array([7, 1], pa.uint32()),
    "transaction_hash": [h, h],
    "erc20": [bytes.fromhex("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")] * 2,
    "from_address": [a, b],
    "to_address": [b, a],
    "value_binary": [(25500000).to_bytes(32, "big"), (1).to_bytes(32, "big")],
    "value_string": ["25500000", "1"],
    "value_f64": [25.5, 1e-6],
    "chain_id": pa.array([1, 1], pa.uint64()),
})
pq.write_table(t, sys.argv[1], compression="snappy")
PY
  add cryo_parquet "$out/cryo.tmp.parquet"
  add detect "$out/cryo.tmp.parquet"
  rm -f "$out/cryo.tmp.parquet"
else
  echo "note: pyarrow is absent: the cryo_parquet corpus starts empty" >&2
fi

# An evidence package (zip) exported from a training case, and its case.
bin=${HOPTRACE_BIN:-$root/target/debug/hoptrace}
if [ -x "$bin" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$root/cases/actor-reuse" "$work/actor-reuse"
  if HOPTRACE_DATA_DIR="$work/data" "$bin" train open actor-reuse --cases "$work" >/dev/null \
    && HOPTRACE_DATA_DIR="$work/data" "$bin" export "$work/data/training/actor-reuse/case.ron" --out "$work/package.zip" >/dev/null; then
    add package "$work/package.zip"
  else
    echo "note: exporting a seed package with $bin failed: the package corpus starts empty" >&2
  fi
else
  echo "note: no hoptrace binary at $bin (set HOPTRACE_BIN): the package corpus starts empty" >&2
fi

for t in "$out"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
