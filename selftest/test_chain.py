"""The chain builder (sfbcheck/facts/chain.py) on real certificates: RSA, ECDSA and each way a chain breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sfbcheck.facts.certificates import StoredCert, parse_entry
from sfbcheck.facts.chain import build_chain
from sfbcheck.lab import pki
from sfbcheck.lab.pki import Issued

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def stored(store: str, *issued: Issued) -> list[StoredCert]:
    return [parse_entry(store, c.record()) for c in issued]


@pytest.fixture(scope="module")
def ca() -> dict[str, Issued]:
    root = pki.make_root("Test Root", now=NOW)
    return {"root": root, "rsa": pki.make_ca("Test Issuing RSA", root, now=NOW),
            "ec": pki.make_ca("Test Issuing EC", root, kind="ec", now=NOW)}


def stores(ca: dict[str, Issued], *, root: bool = True, intermediates: tuple[str, ...] = ("rsa", "ec"),
           extra_ca: tuple[Issued, ...] = ()) -> dict[str, list[StoredCert]]:
    return {"Root": stored("Root", ca["root"]) if root else [],
            "CA": stored("CA", *(ca[i] for i in intermediates), *extra_ca), "My": []}


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_chain_to_trusted_root(ca, kind):
    leaf = pki.make_leaf("fe.test.local", ca[kind], kind=kind, now=NOW)
    result = build_chain(leaf.cert, stores(ca), NOW)
    assert result.ok, result.problem
    assert result.problem == "" and result.kind == ""
    assert [getattr(link, "thumbprint", None) for link in result.path[1:]] == [ca[kind].thumbprint,
                                                                              ca["root"].thumbprint]
    assert result.root is not None and result.root.thumbprint == ca["root"].thumbprint


def test_missing_intermediate_is_named(ca):
    leaf = pki.make_leaf("fe.test.local", ca["rsa"], now=NOW)
    result = build_chain(leaf.cert, stores(ca, intermediates=("ec",)), NOW)
    assert not result.ok and result.kind == "missing-issuer"
    assert "Test Issuing RSA" in result.problem and result.root is None


def test_root_not_in_root_store_is_untrusted(ca):
    leaf = pki.make_leaf("fe.test.local", ca["rsa"], now=NOW)
    my_stores = stores(ca, root=False, extra_ca=(ca["root"],))
    result = build_chain(leaf.cert, my_stores, NOW)
    assert not result.ok and result.kind == "untrusted-root"
    assert "Test Root" in result.problem and len(result.path) == 3


def test_expired_intermediate_is_named(ca):
    old = pki.make_ca("Test Issuing Old", ca["root"], now=NOW - timedelta(days=365 * 11))
    leaf = pki.make_leaf("fe.test.local", old, now=NOW)
    result = build_chain(leaf.cert, stores(ca, extra_ca=(old,)), NOW)
    assert not result.ok and result.kind == "expired"
    assert "Test Issuing Old" in result.problem and "expired" in result.problem


def test_name_only_match_fails_the_signature(ca):
    impostor = pki.make_ca("Test Issuing RSA", pki.make_root("Other Root", now=NOW), now=NOW)
    leaf = pki.make_leaf("fe.test.local", ca["rsa"], now=NOW)
    result = build_chain(leaf.cert, stores(ca, intermediates=("ec",), extra_ca=(impostor,)), NOW)
    assert not result.ok and result.kind == "bad-signature"
    assert impostor.thumbprint in result.problem


def test_signed_by_a_different_root(ca):
    other_root = pki.make_root("Test Root", now=NOW)  # same name, different key
    leaf = pki.make_leaf("fe.test.local", pki.make_ca("Test Issuing RSA", other_root, now=NOW), now=NOW)
    result = build_chain(leaf.cert, stores(ca), NOW)
    assert not result.ok and result.kind == "bad-signature"


def test_unreadable_entries_do_not_crash(ca):
    leaf = pki.make_leaf("fe.test.local", ca["rsa"], now=NOW)
    broken = stores(ca, intermediates=())
    good = ca["rsa"].record()
    broken["CA"] = [parse_entry("CA", good | {"RawData": good["RawData"][:40]}),
                    parse_entry("CA", {"RawData": "not base64!"})]
    result = build_chain(leaf.cert, broken, NOW)
    assert not result.ok and result.kind == "missing-issuer" and "could not be read" in result.problem
    unreadable = build_chain(broken["CA"][0], broken, NOW)
    assert not unreadable.ok and unreadable.kind == "unreadable"
