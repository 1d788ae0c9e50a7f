"""Schemathesis hooks for the Consent API fuzz run (tests/src/api_fuzz.rs; config beside this file).

Generated inputs alone mostly end at the first validation step (a random page_url, an unknown
purpose), so part of the valid ("positive") cases are made fully valid here, with the real site's
purposes, wording versions and seeded member, to reach the code behind: receipts, exports, the
audience list. Invalid ("negative") cases are left as generated. Every Idempotency-Key the
generator made valid is replaced by a fresh one, so no two cases share a key by accident (a
shared key with another body is a correct 422, but then the case tests nothing else).
"""

import os
import random
import re
import uuid

import schemathesis

PAGE_ORIGIN = os.environ["CONSENT_FUZZ_PAGE_ORIGIN"]
MEMBER = os.environ["CONSENT_FUZZ_MEMBER"]
# The purpose, channel and wording version the demo site defines (worker/seed/demo.sql).
PURPOSE, CHANNEL, WORDING = "news", "email", 1
COOKIE_POLICY_VERSION = int(os.environ.get("CONSENT_FUZZ_POLICY_VERSION", "1"))
BANNER_SHA256 = os.environ.get("CONSENT_FUZZ_BANNER_SHA256", "")
# Hypothesis warns about the global `random` module inside tests; this one is ours, seeded like
# the run when it has a seed.
RNG = random.Random(os.environ.get("CONSENT_FUZZ_SEED"))
# How often a valid case is made fully valid.
REPAIR = 0.5
# The page forms and the variable holding an anti-forgery value the page itself issued.
FORMS = {
    "/p/{token}": "CONSENT_FUZZ_P_CSRF",
    "/c/{token}": "CONSENT_FUZZ_C_CSRF",
    "/preferences/{site}": "CONSENT_FUZZ_LOST_LINK_CSRF",
}
IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,128}$")
ADMIN_BEARER = f"Bearer {os.environ['CONSENT_FUZZ_ADMIN_KEY']}"
API_KEY = os.environ["CONSENT_FUZZ_API_KEY"]
API_BEARER = f"Bearer {API_KEY}"
# `ck_<prefix>_<secret>`: the prefix names the key in …/keys/{prefix}.
API_KEY_PREFIX = API_KEY.rsplit("_", 1)[0]
# How often an operation an API key may use is sent with the admin key instead.
ADMIN_SHARE = 0.2


def admin_only(path, method):
    """What no API key may do: manage a site's people and keys (an owner, signed in, or the admin
    key), and define a site other than the key's own (the scratch site)."""
    return (
        "/people" in path
        or "/keys" in path
        or (path == "/api/v1/admin/sites/{site}" and method == "PUT")
    )


def choose_credential(case):
    """The configured auth put the API key on every admin operation; swap in the admin key where
    only it may act, and sometimes elsewhere. A case whose credentials the generator left out or
    changed (to test the 401) is left alone."""
    headers = case.headers
    if headers is None or headers.get("Authorization") != API_BEARER:
        return
    path, method = case.operation.path, case.method.upper()
    if admin_only(path, method) or RNG.random() < ADMIN_SHARE:
        headers["Authorization"] = ADMIN_BEARER


def fresh_address():
    return f"fz-{uuid.uuid4().hex[:16]}@example.org"


def positive(case):
    meta = getattr(case, "meta", None) or getattr(case, "_meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return getattr(mode, "value", mode) == "positive"


def repair(case):
    """Makes a valid case's body (or query) one the worker accepts, for some operations."""
    path, method = case.operation.path, case.method.upper()
    body = case.body if isinstance(case.body, dict) else None
    if path.endswith("/cookie-consents") and body is not None:
        body.update(
            consent_id=str(uuid.uuid4()),
            categories=RNG.choice([[], ["analytics"]]),
            policy_version=COOKIE_POLICY_VERSION,
            wording_sha256=BANNER_SHA256,
        )
        body.pop("client_time", None)
    elif path == "/api/v1/sites/{site}/consents" and body is not None:
        body.update(
            email=fresh_address(),
            consents=[{"purpose": PURPOSE, "channel": CHANNEL, "wording_version": WORDING}],
            page_url=f"{PAGE_ORIGIN}/join",
        )
        body.pop("client_time", None)
        body.pop("lang", None)
    elif path == "/api/v1/admin/sites/{site}/consents" and body is not None:
        body.update(email=fresh_address())
        body["changes"] = [
            {"purpose": PURPOSE, "channel": CHANNEL, "action": RNG.choice(["granted", "withdrawn"]),
             "wording_version": WORDING}
        ]
        body.pop("occurred_at", None)
        body.pop("lang", None)
    elif path == "/api/v1/admin/sites/{site}/links" and body is not None:
        body.update(email=MEMBER, purpose=PURPOSE, channel=CHANNEL)
    elif path == "/api/v1/admin/sites/{site}/suppressions" and body is not None:
        body.update(email=fresh_address())
        body.pop("reason", None)
    elif path.startswith("/api/v1/admin/sites/{site}/subjects/") and body is not None:
        request = case.path_parameters.get("request")
        # Never erase or restrict the member whose links the link pages use.
        body["email"] = MEMBER if request == "access" else fresh_address()
    elif path == "/api/v1/admin/sites/{site}" and method == "PUT" and body is not None:
        # A valid definition of the scratch site, its wording changed now and then (a new version).
        body.clear()
        body.update(
            organisation={
                "name": "Fuzz Scratch Society",
                "contact_email": "office@example.org",
                "postal_address": "1 Test Road, Testtown TE1 1ST",
                "privacy_notice_url": "https://example.org/privacy",
                "cookie_policy_url": "https://example.org/cookies",
            },
            allowed_origins=[PAGE_ORIGIN],
            default_lang="en",
            purposes=[{
                "purpose": PURPOSE,
                "channel": CHANNEL,
                "wordings": [{
                    "lang": "en",
                    "label": "News",
                    "text": f"I am happy to hear from the Fuzz Scratch Society by email ({RNG.randint(1, 3)}).",
                }],
            }],
        )
    elif path in FORMS and method == "POST" and body is not None and os.environ.get(FORMS[path]):
        body["csrf"] = os.environ[FORMS[path]]
        # A genuine erase would delete the member every link page of the run is about.
        if body.get("action") == "erase":
            body["action"] = RNG.choice(["choices", "withdraw_all", "restrict", "lift", "download"])
        if path == "/preferences/{site}":
            body["email"] = RNG.choice([MEMBER, fresh_address()])
    elif path.endswith("/audience") and method == "GET":
        case.query = {**(case.query or {}), "purpose": PURPOSE, "channel": CHANNEL}


@schemathesis.hook
def before_call(context, case, **kwargs):
    choose_credential(case)
    # Revoking the run's own key would turn every later case into a 401.
    if case.operation.path.endswith("/keys/{prefix}") and case.path_parameters:
        if case.path_parameters.get("prefix") in (API_KEY_PREFIX, API_KEY_PREFIX.removeprefix("ck_")):
            case.path_parameters["prefix"] = "ck_000000000000"
    if positive(case) and RNG.random() < REPAIR:
        repair(case)
    headers = case.headers
    if headers is not None:
        key = headers.get("Idempotency-Key")
        if key is not None and IDEMPOTENCY_KEY.match(str(key)):
            headers["Idempotency-Key"] = f"fz-{uuid.uuid4()}"
