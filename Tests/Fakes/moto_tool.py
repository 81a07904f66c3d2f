"""Seeds and inspects a moto server for the AWS provider's tests, through boto3.

    python moto_tool.py seed ENDPOINT      -> JSON {vpc, target_group_arn, images: {role: ami}, stranger,
                                              subnet (a non-default subnet of the VPC), groups (two security groups)}
    python moto_tool.py describe ENDPOINT  -> JSON {instances: [...], targets: [...]}
    python moto_tool.py subnets ENDPOINT   -> JSON {subnets: [{id, zone}]}: two new subnets of the default VPC,
                                              in us-east-1a and us-east-1b
    python moto_tool.py duplicate ENDPOINT NAME -> JSON {id}: a copy of the live instance NAME with all its
        tags, as the console's "launch more like this" makes it
    python moto_tool.py images ENDPOINT    -> JSON {images: [{id, state, tags, snapshots}], snapshots: [{id, tags}]}

Credentials are moto's fakes; the region is us-east-1.
"""
import json
import sys

import boto3

REGION = "us-east-1"


def clients(endpoint):
    options = dict(
        endpoint_url=endpoint, region_name=REGION, aws_access_key_id="seed", aws_secret_access_key="seed-secret"
    )
    return boto3.client("ec2", **options), boto3.client("elbv2", **options)


def seed(endpoint):
    ec2, elbv2 = clients(endpoint)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = elbv2.create_target_group(
        Name="t-lb", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    base = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    images = {}
    for role in ["frontal", "celery"]:
        source = ec2.run_instances(ImageId=base, InstanceType="t3.micro", MinCount=1, MaxCount=1)
        source_id = source["Instances"][0]["InstanceId"]
        images[role] = ec2.create_image(
            InstanceId=source_id,
            Name=f"{role}-daily",
            TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "role", "Value": role}]}],
        )["ImageId"]
        ec2.terminate_instances(InstanceIds=[source_id])
    stranger = ec2.run_instances(
        ImageId=base,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "stranger"}]}],
    )["Instances"][0]["InstanceId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="172.31.200.0/24")["Subnet"]["SubnetId"]
    groups = [
        ec2.create_security_group(GroupName=name, Description="scalectl test", VpcId=vpc)["GroupId"]
        for name in ["t-web", "t-admin"]
    ]
    return {
        "vpc": vpc, "target_group_arn": group, "images": images, "stranger": stranger, "subnet": subnet, "groups": groups,
    }


def describe(endpoint):
    ec2, elbv2 = clients(endpoint)
    instances = []
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                instances.append(
                    {
                        "id": instance["InstanceId"],
                        "state": instance["State"]["Name"],
                        "type": instance["InstanceType"],
                        "image": instance["ImageId"],
                        "tags": {tag["Key"]: tag["Value"] for tag in instance.get("Tags", [])},
                        "subnet": instance.get("SubnetId"),
                        "zone": instance.get("Placement", {}).get("AvailabilityZone"),
                        "security_groups": [group["GroupId"] for group in instance.get("SecurityGroups", [])],
                    }
                )
    targets = []
    for group in elbv2.describe_target_groups()["TargetGroups"]:
        health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
        for target in health["TargetHealthDescriptions"]:
            targets.append(
                {"group": group["TargetGroupName"], "id": target["Target"]["Id"], "state": target["TargetHealth"]["State"]}
            )
    return {"instances": instances, "targets": targets}


def subnets(endpoint):
    ec2, _ = clients(endpoint)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    made = []
    for cidr, zone in [("172.31.210.0/24", "us-east-1a"), ("172.31.211.0/24", "us-east-1b")]:
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]
        made.append({"id": subnet["SubnetId"], "zone": subnet["AvailabilityZone"]})
    return {"subnets": made}


def duplicate(endpoint, name):
    ec2, _ = clients(endpoint)
    found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]},
                                            {"Name": "instance-state-name", "Values": ["pending", "running"]}])
    original = found["Reservations"][0]["Instances"][0]
    copy = ec2.run_instances(
        ImageId=original["ImageId"], InstanceType=original["InstanceType"], MinCount=1, MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": original.get("Tags", [])}],
    )["Instances"][0]["InstanceId"]
    return {"id": copy}


def images(endpoint):
    ec2, _ = clients(endpoint)
    found = []
    for image in ec2.describe_images(Owners=["self"])["Images"]:
        found.append(
            {
                "id": image["ImageId"],
                "state": image["State"],
                "tags": {tag["Key"]: tag["Value"] for tag in image.get("Tags", [])},
                "snapshots": [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", []) if "Ebs" in m],
            }
        )
    snapshots = [
        {"id": s["SnapshotId"], "tags": {tag["Key"]: tag["Value"] for tag in s.get("Tags", [])}}
        for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    ]
    return {"images": found, "snapshots": snapshots}


if __name__ == "__main__":
    command, endpoint = sys.argv[1], sys.argv[2]
    print(json.dumps({"seed": seed, "describe": describe, "subnets": subnets, "duplicate": duplicate, "images": images}[command](endpoint, *sys.argv[3:])))
