#!/usr/bin/env bash
# Makes a throw-away CA and one certificate it signs, for trying or testing GVM over TLS:
#   scripts/make_test_certs.sh DIR [IP_OR_HOST]...
# writes DIR/ca.crt, DIR/ca.key, DIR/gvm.crt, DIR/gvm.key. The certificate is valid for
# localhost, 127.0.0.1 and every extra IP or host name given.
set -euo pipefail
dir=${1:?usage: make_test_certs.sh DIR [IP_OR_HOST]...}
shift
command -v openssl >/dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san+=",IP:$name"; else san+=",DNS:$name"; fi
done
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=GVM test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=gvm" \
  -keyout "$dir/gvm.key" -out "$dir/gvm.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' \
  "$san" >"$dir/gvm.ext"
openssl x509 -req -in "$dir/gvm.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 30 -extfile "$dir/gvm.ext" -out "$dir/gvm.crt" 2>/dev/null
rm -f "$dir/gvm.csr" "$dir/gvm.ext" "$dir/ca.srl"
chmod 600 "$dir"/*.key
echo "wrote $dir/ca.crt, $dir/gvm.crt and $dir/gvm.key (valid for $san)"
