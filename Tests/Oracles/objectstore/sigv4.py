"""Reference SigV4 signing with botocore, for comparison with the Swift signer.

Reads JSON on stdin:
  {"access_key", "secret_key", "token" (or null), "region", "timestamp": "YYYYMMDDTHHMMSSZ",
   "requests": [{"method", "endpoint": "http://host:port", "path": raw unencoded path,
                 "params": [[name, value], ...], "headers": {name: value}, "body_hex"}]}
Prints JSON: [{"canonical_request", "string_to_sign", "signature"}, ...].

Uses botocore.auth.S3SigV4Auth (SigV4Auth with S3's rules: the path is not normalized or
double-encoded, the payload hash is always sent); the fixed timestamp replaces the clock.
"""
import json
import sys
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

spec = json.load(sys.stdin)
credentials = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
out = []
for item in spec["requests"]:
    auth = S3SigV4Auth(credentials, "s3", spec["region"])
    url = item["endpoint"] + quote(item["path"], safe="/~")
    request = AWSRequest(
        method=item["method"],
        url=url,
        headers=item["headers"],
        data=bytes.fromhex(item["body_hex"]),
        params=dict(item["params"]),
    )
    request.context["timestamp"] = spec["timestamp"]
    auth._modify_request_before_signing(request)
    canonical_request = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical_request)
    signature = auth.signature(string_to_sign, request)
    out.append({"canonical_request": canonical_request, "string_to_sign": string_to_sign, "signature": signature})
json.dump(out, sys.stdout)
