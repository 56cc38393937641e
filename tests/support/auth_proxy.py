"""A loopback JSON-RPC endpoint that requires what private chain endpoints require, in front of a real
chain: HTTPS with a server certificate of a test CA, a client certificate of that CA (mTLS), a
bearer token (static, or a JWT checked with an RSA public key or an HS256 secret, expiry included)
and a header. What it refuses it answers as gateways do: 401 without the right credentials, 403
without the header; everything else is passed to the chain as it came.

Run as a process: ``python tests/support/auth_proxy.py --port P --upstream http://127.0.0.1:8545
--cert server.pem --key server.key [--client-ca ca.pem] [--token-file F | --jwt-public-key F |
--jwt-secret-file F] [--header Name=value]``. It prints ``ready`` once it listens and logs each
request's path and verdict (never its credentials) to stdout.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def write_test_pki(folder: Path) -> dict[str, Path]:
    """A test CA, a server certificate for 127.0.0.1 and a client certificate it signed, and another
    CA that signed nothing of these, as PEM files in ``folder``: their paths by name (ca, server_cert,
    server_key, client_cert, client_key, other_ca)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def certificate(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool, usage: Any = None) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer)).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))  # fmt: skip
        if ca:
            builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        else:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(file: str, data: bytes) -> Path:
        path = folder / file
        path.write_bytes(data)
        return path

    def key_pem(key: Any) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    pem = serialization.Encoding.PEM
    ca_key, other_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
    ca = certificate("GPID test CA", ca_key, "GPID test CA", ca_key, True)
    other = certificate("Another CA", other_key, "Another CA", other_key, True)
    server = certificate("127.0.0.1", server_key, "GPID test CA", ca_key, False, ExtendedKeyUsageOID.SERVER_AUTH)
    client = certificate("gpid node", client_key, "GPID test CA", ca_key, False, ExtendedKeyUsageOID.CLIENT_AUTH)
    return {
        "ca": write("ca.pem", ca.public_bytes(pem)), "other_ca": write("other-ca.pem", other.public_bytes(pem)),
        "server_cert": write("server.pem", server.public_bytes(pem)), "server_key": write("server.key", key_pem(server_key)),
        "client_cert": write("client.pem", client.public_bytes(pem)), "client_key": write("client.key", key_pem(client_key)),
    }  # fmt: skip


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_valid(token: str, public_key_pem: bytes | None, secret: bytes | None, now: float) -> bool:
    """Whether ``token`` is a JWT signed with the key (RS256) or the secret (HS256) and not expired."""
    try:
        head_b64, body_b64, signature_b64 = token.split(".")
        head = json.loads(_b64decode(head_b64))
        claims = json.loads(_b64decode(body_b64))
        signature = _b64decode(signature_b64)
    except ValueError:
        return False
    signed = f"{head_b64}.{body_b64}".encode()
    if head.get("alg") == "RS256" and public_key_pem is not None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        key = serialization.load_pem_public_key(public_key_pem)
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
    elif head.get("alg") == "HS256" and secret is not None:
        if not hmac.compare_digest(hmac.new(secret, signed, hashlib.sha256).digest(), signature):
            return False
    else:
        return False
    return isinstance(claims.get("exp"), int) and claims["exp"] > now and "permissions" in claims


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        config = self.server.config
        authorization = self.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None
        if config.token is not None and token != config.token:
            return self._refuse(401, "bearer token")
        if (config.jwt_public_key or config.jwt_secret) and (
            token is None or not jwt_valid(token, config.jwt_public_key, config.jwt_secret, time.time())
        ):
            return self._refuse(401, "jwt")
        for name, value in config.headers:
            if self.headers.get(name) != value:
                return self._refuse(403, f"header {name}")
        upstream = urlsplit(config.upstream)
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            connection.request("POST", upstream.path or "/", body=body, headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            status, payload = answer.status, answer.read()
        finally:
            connection.close()
        print(f"passed {self.path} {status}", flush=True)
        self._answer(status, payload)

    def _refuse(self, status: int, what: str) -> None:
        print(f"refused {self.path} {status}: {what}", flush=True)
        self._answer(status, json.dumps({"message": "Unauthorized" if status == 401 else "Forbidden"}).encode())

    def log_message(self, *args: Any) -> None:
        pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cert", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--client-ca", type=Path)
    parser.add_argument("--token-file", type=Path)
    parser.add_argument("--jwt-public-key", type=Path)
    parser.add_argument("--jwt-secret-file", type=Path)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(argv)
    config = argparse.Namespace(
        upstream=args.upstream,
        token=args.token_file.read_text().strip() if args.token_file else None,
        jwt_public_key=args.jwt_public_key.read_bytes() if args.jwt_public_key else None,
        jwt_secret=bytes.fromhex(args.jwt_secret_file.read_text().strip()) if args.jwt_secret_file else None,
        headers=[tuple(h.split("=", 1)) for h in args.header],
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _Handler)
    server.config = config  # type: ignore[attr-defined]
    if args.cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
