#!/usr/bin/env python3
"""The push flow through a SOAP client generated from PushApi's Enterprise WSDL by zeep.

    PUSHAPI_URL=http://127.0.0.1:5080 PUSHAPI_USERNAME=admin@pushapi.local PUSHAPI_PASSWORD=... \
    python3 samples/soap/push_flow.py 04tXXXXXXXXXXXXXXX [--limit N]

Loads the WSDL from the server, logs in, finds the subscribers on older released versions, creates a
push request and its jobs (200 per create call), schedules it, polls until it is done, shows the
errors, and shows that a finished push can no longer be aborted. zeep: Debian package python3-zeep.
"""
import argparse
import os
import sys
import time

from zeep import Client, Settings
from zeep.exceptions import Fault

TNS = "urn:enterprise.soap.sforce.com"
ENS = "urn:sobject.enterprise.soap.sforce.com"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version_id", help="the package version to push (04t...)")
    parser.add_argument("--limit", type=int, default=None, help="push to at most this many orgs")
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between status checks")
    args = parser.parse_args()

    url = os.environ.get("PUSHAPI_URL", "http://127.0.0.1:5080").rstrip("/")
    client = Client(f"{url}/services/wsdl/enterprise", settings=Settings(strict=True, xml_huge_tree=False))

    try:
        login = client.service.login(username=os.environ["PUSHAPI_USERNAME"], password=os.environ["PUSHAPI_PASSWORD"])
    except Fault as fault:
        sys.exit(f"Login failed: {fault.message}")
    print(f"Logged in as {login.userInfo.userName}; server {login.serverUrl}")

    # Generated clients post to the serverUrl that login returned, with the session in a header.
    service = client.create_service(f"{{{TNS}}}SoapBinding", login.serverUrl)
    session = client.get_element(f"{{{TNS}}}SessionHeader")(sessionId=login.sessionId)

    def call(operation, **kwargs):
        return getattr(service, operation)(**kwargs, _soapheaders=[session])

    def query_all(soql):
        result = call("query", queryString=soql)
        records = list(result.records or [])
        while not result.done:
            result = call("queryMore", queryLocator=result.queryLocator)
            records.extend(result.records or [])
        return records

    target = call("retrieve", fieldList="Id, Name, MajorVersion, MinorVersion, PatchVersion, MetadataPackageId, ReleaseState",
                  sObjectType="MetadataPackageVersion", ids=[args.version_id])[0]
    if target is None:
        sys.exit(f"No package version {args.version_id}.")
    number = (target.MajorVersion, target.MinorVersion, target.PatchVersion or 0)
    versions = query_all("SELECT Id, MajorVersion, MinorVersion, PatchVersion FROM MetadataPackageVersion "
                         f"WHERE MetadataPackageId = '{target.MetadataPackageId}' AND ReleaseState = 'Released'")
    older = [v.Id for v in versions if (v.MajorVersion, v.MinorVersion, v.PatchVersion or 0) < number]
    if not older:
        print("Nothing to upgrade.")
        return 3
    ids = ", ".join(f"'{i}'" for i in older)
    subscribers = query_all("SELECT OrgKey, OrgName FROM PackageSubscriber "
                            f"WHERE MetadataPackageVersionId IN ({ids}) AND InstalledStatus = 'i' AND OrgStatus = 'Active'")
    orgs = [s.OrgKey for s in subscribers][: args.limit]
    if not orgs:
        print(f"No eligible subscriber for {'.'.join(map(str, number))}.")
        return 3
    print(f"{len(orgs)} eligible subscribers for {'.'.join(map(str, number))}")

    request_type = client.get_type(f"{{{ENS}}}PackagePushRequest")
    job_type = client.get_type(f"{{{ENS}}}PackagePushJob")
    created = call("create", sObjects=[request_type(PackageVersionId=args.version_id)])[0]
    if not created.success:
        sys.exit(f"Could not create the push request: {created.errors[0].statusCode}: {created.errors[0].message}")
    request_id = created.id
    print(f"Created push request {request_id}")

    added = 0
    for start in range(0, len(orgs), 200):
        jobs = [job_type(PackagePushRequestId=request_id, SubscriberOrganizationKey=org) for org in orgs[start:start + 200]]
        for org, result in zip(orgs[start:start + 200], call("create", sObjects=jobs)):
            if result.success:
                added += 1
            else:
                print(f"  {org} left out: {result.errors[0].statusCode}: {result.errors[0].message}")
    print(f"Added {added} jobs")

    scheduled = call("update", sObjects=[request_type(Id=request_id, Status="Pending")])[0]
    if not scheduled.success:
        sys.exit(f"Scheduling failed: {scheduled.errors[0].message}")

    while True:
        request = query_all(f"SELECT Id, Status, DurationSeconds FROM PackagePushRequest WHERE Id = '{request_id}'")[0]
        if request.Status in ("Succeeded", "Failed", "Canceled"):
            break
        time.sleep(args.poll)

    # An AggregateResult holds its values as xsd:any elements; zeep reads the typed ones (xsi:type) as Python values.
    aggregate = query_all(f"SELECT COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{request_id}' AND Status = 'Succeeded'")[0]
    count = aggregate["_value_1"][0]
    print(f"Push request {request_id} {request.Status}: {count} of {added} orgs upgraded in {request.DurationSeconds} s")
    for error in query_all("SELECT PackagePushJob.SubscriberOrganizationKey, ErrorType, ErrorTitle, ErrorMessage FROM PackagePushError "
                           f"WHERE PackagePushJob.PackagePushRequestId = '{request_id}'"):
        print(f"  {error.PackagePushJob.SubscriberOrganizationKey}: {error.ErrorType} {error.ErrorTitle}: {error.ErrorMessage}")

    abort = call("update", sObjects=[request_type(Id=request_id, Status="Canceled")])[0]
    print(f"Abort after the end: success={abort.success} {abort.errors[0].statusCode if abort.errors else ''}: {abort.errors[0].message if abort.errors else ''}")

    call("logout")
    return 0 if request.Status == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
