#!/usr/bin/env bash
# Makes sure the native Kafka client, librdkafka 2.15.1 or later, is on the library path. Confluent.Kafka
# normally brings it in the librdkafka.redist package; where that package cannot be restored (NuGet
# resolves the empty stand-in in eng/packages instead), this builds librdkafka 2.15.1 from the source
# carried in the npm package @confluentinc/kafka-javascript@1.10.1 and installs it under /usr/local.
# Does nothing when a compatible librdkafka is already installed. Needs root, a C compiler and npm.
set -euo pipefail

readonly wanted_hex=0x020f0100 # 2.15.1, as rd_kafka_version() reports it
readonly npm_package=@confluentinc/kafka-javascript@1.10.1

log() { printf '[librdkafka] %s\n' "$*" >&2; }

# The installed version as rd_kafka_version() returns it, or nothing when none links.
installed_version() {
  local dir
  dir=$(mktemp -d)
  printf '#include <stdio.h>\nint rd_kafka_version(void);\nint main(void) { printf("0x%%08x\\n", rd_kafka_version()); return 0; }\n' >"$dir/v.c"
  if gcc "$dir/v.c" -o "$dir/v" -L/usr/local/lib -lrdkafka >/dev/null 2>&1; then
    LD_LIBRARY_PATH=/usr/local/lib "$dir/v" || true
  fi
  rm -rf "$dir"
}

version=$(installed_version)
if [ -n "$version" ] && [ $((version)) -ge $((wanted_hex)) ]; then
  log "librdkafka $(printf '%d.%d.%d' $((version >> 24 & 255)) $((version >> 16 & 255)) $((version >> 8 & 255))) is installed"
  exit 0
fi

for tool in gcc make npm; do
  command -v "$tool" >/dev/null 2>&1 || { log "building librdkafka needs $tool"; exit 1; }
done
for header in /usr/include/openssl/ssl.h /usr/include/zlib.h; do
  if [ ! -e "$header" ]; then
    log "installing libssl-dev and zlib1g-dev"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev zlib1g-dev >/dev/null
    break
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "building librdkafka 2.15.1 from the source in $npm_package (about a minute)"
(cd "$work" && npm pack --silent "$npm_package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/deps/librdkafka
cd "$work/package/deps/librdkafka"
chmod +x configure lds-gen.py 2>/dev/null || true
./configure --prefix=/usr/local --disable-gssapi --disable-curl --disable-zstd --disable-lz4-ext >"$work/configure.log" 2>&1 ||
  { tail -n 20 "$work/configure.log" >&2; log "configure failed"; exit 1; }
make -j"$(nproc)" -C src >"$work/make.log" 2>&1 || { tail -n 20 "$work/make.log" >&2; log "make failed"; exit 1; }
make -C src install >>"$work/make.log" 2>&1 || { tail -n 20 "$work/make.log" >&2; log "make install failed"; exit 1; }
ldconfig

version=$(installed_version)
[ -n "$version" ] && [ $((version)) -ge $((wanted_hex)) ] || { log "librdkafka was built but does not load"; exit 1; }
log "librdkafka installed in /usr/local/lib"
