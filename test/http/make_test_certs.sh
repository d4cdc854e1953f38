#!/bin/sh
# make_test_certs.sh DIR: writes the certificates the TLS tests use into DIR, with the openssl CLI.
#
#   ca.{crt,key}              the CA that signs the server and the good client certificates
#   other-ca.{crt,key}        an unrelated CA
#   server.{crt,key}          from ca, SAN IP:127.0.0.1 and DNS:localhost
#   server2.{crt,key}         the same, another key and serial: the replacement in reload tests
#   server-chain.crt          server.crt followed by ca.crt (a leaf-first chain)
#   selfsigned.{crt,key}      a self-signed server certificate, SAN IP:127.0.0.1
#   client.{crt,key}          a client certificate from ca
#   client-other.{crt,key}    a client certificate from other-ca
#   client-expired.{crt,key}  a client certificate from ca, valid only during January 2020
#
# EC P-256 keys keep generation fast. OpenSSL 3.0 cannot backdate with `x509 -days`, so the expired
# certificate is signed by `openssl ca`, which takes explicit -startdate/-enddate.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME SUBJECT
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "$2" -days 30 -out "$1.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

leaf() {  # leaf NAME CA SUBJECT USAGE [SAN]
  key "$1.key"
  set -- "$@" ""
  openssl req -new -key "$1.key" -subj "$3" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' \
    "$4" >"$1.ext"
  [ -z "$5" ] || printf 'subjectAltName=%s\n' "$5" >>"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 30 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=epc-extender test CA"
ca other-ca "/CN=unrelated test CA"
leaf server ca "/CN=epc-extender" serverAuth "IP:127.0.0.1,DNS:localhost"
leaf server2 ca "/CN=epc-extender" serverAuth "IP:127.0.0.1,DNS:localhost"
cat server.crt ca.crt >server-chain.crt
leaf client ca "/CN=kube-scheduler" clientAuth
leaf client-other other-ca "/CN=kube-scheduler" clientAuth

key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj "/CN=epc-extender self-signed" -days 30 \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -out selfsigned.crt

key client-expired.key
openssl req -new -key client-expired.key -subj "/CN=kube-scheduler" -out client-expired.csr
mkdir -p ca-db
: >ca-db/index.txt
cat >ca-db/ca.cnf <<'EOF'
[ca]
default_ca = test_ca
[test_ca]
dir = ca-db
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
x509_extensions = client
unique_subject = no
[any]
commonName = supplied
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
EOF
openssl rand -hex 8 >ca-db/serial
openssl ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in client-expired.csr \
  -startdate 20200101000000Z -enddate 20200201000000Z -notext -out client-expired.crt 2>/dev/null
rm -rf ca-db client-expired.csr ca.srl other-ca.srl
