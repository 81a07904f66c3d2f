"""Signs requests with botocore's SigV4Auth, to cross-check the Swift signer.

Reads a JSON list of requests on stdin, each {method, url, headers, body, access_key, secret_key,
token, region, service, timestamp}, and prints a JSON list of the headers botocore sends, in order.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    stamp = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *args, **kwargs: stamp
    request = AWSRequest(
        method=case["method"], url=case["url"], headers=dict(case["headers"]), data=case["body"].encode("utf-8")
    )
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    botocore.auth.SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
    return {name: value for name, value in request.headers.items()}


print(json.dumps([sign(case) for case in json.load(sys.stdin)]))
