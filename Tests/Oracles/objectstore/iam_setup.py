"""Spends moto's unauthenticated requests (INITIAL_NO_AUTH_ACTION_COUNT) on creating an IAM
user with full S3 access, and prints its access key as JSON: {"access_key", "secret_key"}.

Usage: iam_setup.py ENDPOINT   (exactly 3 requests: CreateUser, PutUserPolicy, CreateAccessKey)
"""
import json
import sys

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
iam = boto3.client(
    "iam",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="bootstrap",
    aws_secret_access_key="bootstrap",
    config=Config(retries={"max_attempts": 1}),
)
iam.create_user(UserName="lake-writer")
iam.put_user_policy(
    UserName="lake-writer",
    PolicyName="s3-all",
    PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    ),
)
key = iam.create_access_key(UserName="lake-writer")["AccessKey"]
json.dump({"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}, sys.stdout)
