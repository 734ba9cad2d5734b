"""Sprig crypto functions (spec §9.15): Master Password, AES, bcrypt, keys and certificates."""

import base64
import re

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.crypto import FUNCTIONS
from dockergen.gotemplate.values import type_name

F = {name: fn.call for name, fn in FUNCTIONS.items()}

EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEILCHMPdN6sBuViuFeirCF4hQM9jTPNQX+GOtju5J/y4ToAoGCCqGSM49\n"
    "AwEHoUQDQgAE6nXQyjM/Q8+3GRaxhiNyqrUJOsHcz99uGgTCRvkob1V3pq+Ul2Yf\n"
    "g1uIEd7MfIaxiuOYKkV0uPtgipKgfAETWw==\n"
    "-----END EC PRIVATE KEY-----\n"
)
FIXED = "4OzOVHPQLeCg6scqvOJ1Svg8rfNcxI8TNcQ2t99e+h1nu3BiuWvp2Cnmjs5Lwdki"


def test_derive_password():
    assert F["derivePassword"](1, "long", "password", "user", "example.com") == "ZedaFaxcZaso9*"
    assert F["derivePassword"](2, "maximum", "password", "user", "example.com") == "O8-6Bwz1*I5XVPPq)@H!"
    assert [F["derivePassword"](1, k, "pw", "u", "s") for k in ("medium", "short", "basic", "pin")] == [
        "Jiv7?Yuz", "Jiv7", "oUe71PLN", "6287"]
    assert F["derivePassword"](1, "nope", "pw", "u", "s") == "cannot find password template nope"


def test_bcrypt_htpasswd_randbytes():
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", F["bcrypt"]("secret"))
    assert re.fullmatch(r"admin:\$2a\$10\$[./A-Za-z0-9]{53}", F["htpasswd"]("admin", "secret"))
    assert F["htpasswd"]("a:b", "pw") == "invalid username: a:b"
    assert len(base64.b64decode(F["randBytes"](10))) == 10
    with pytest.raises(GoError, match="makeslice: len out of range"):
        F["randBytes"](-1)


def test_aes():
    assert F["decryptAES"]("vector-key", F["encryptAES"]("vector-key", "hello")) == "hello"
    assert F["encryptAES"]("k", "") == ""
    assert F["decryptAES"]("vector-key", FIXED) == "hello from docker-gen"
    with pytest.raises(GoError, match=re.escape("slice bounds out of range [:-182]")):
        F["decryptAES"]("other-key", FIXED)
    with pytest.raises(GoError, match="^illegal base64 data at input byte 0$"):
        F["decryptAES"]("k", "%%%")


def test_private_keys():
    assert F["genPrivateKey"]("ecdsa").startswith("-----BEGIN EC PRIVATE KEY-----\n")
    assert F["genPrivateKey"]("ed25519").startswith("-----BEGIN PRIVATE KEY-----\n")
    assert F["genPrivateKey"]("foo") == "Unknown type foo"


def test_certificates():
    ca = F["genCAWithKey"]("ca", 10, EC_KEY)
    assert type_name(ca) == "sprig.certificate"
    assert ca.Cert.startswith("-----BEGIN CERTIFICATE-----\n") and ca.Key == EC_KEY
    leaf = F["genSignedCertWithKey"]("leaf", None, ["leaf.example.com"], 5, ca, EC_KEY)
    assert leaf.Cert != ca.Cert and leaf.Key == EC_KEY
    wrapped = F["buildCustomCert"](base64.b64encode(ca.Cert.encode()).decode(), base64.b64encode(EC_KEY.encode()).decode())
    assert (wrapped.Cert, wrapped.Key) == (ca.Cert, EC_KEY)
    self_signed = F["genSelfSignedCertWithKey"]("x", ["127.0.0.1"], None, 1, EC_KEY)
    assert self_signed.Cert.endswith("-----END CERTIFICATE-----\n")


@pytest.mark.parametrize("call, message", [
    (lambda: F["genCAWithKey"]("ca", 1, "not a pem"), "parsing private key: no PEM data in input"),
    (lambda: F["genSelfSignedCertWithKey"]("x", None, None, 1, "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
     "parsing private key: no private key data in PEM block of type FOO"),
    (lambda: F["genSelfSignedCertWithKey"]("x", ["nope"], None, 1, EC_KEY), "error parsing ip: nope"),
    (lambda: F["genSelfSignedCertWithKey"]("x", None, [1], 1, EC_KEY),
     "error processing alternate dns name: 1 is not a string"),
    (lambda: F["buildCustomCert"]("!!", ""), "unable to decode base64 certificate"),
    (lambda: F["buildCustomCert"](base64.b64encode(b"hello").decode(), ""), "unable to decode certificate"),
])
def test_certificate_errors(call, message):
    with pytest.raises(GoError) as info:
        call()
    assert str(info.value) == message
