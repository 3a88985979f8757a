"""moto_server, with DynamoDB's item writes atomic and Route 53's change batches checked as Route 53 checks them.

moto checks a write's ConditionExpression and then stores the item in two steps, on the threads of a
threaded server: two conditional PutItems arriving together can both pass their check (both see the
item absent) and both "succeed". Real DynamoDB evaluates the condition and writes atomically, per
item, and the route lock (DynamoDbRouteLock) relies on exactly that. This wrapper serializes the
DynamoDB backend's item operations with one lock, then runs moto's own server main: every other
service (ELBv2, Route 53, CloudWatch) is unchanged and still served concurrently.

Route 53 (moto 5.2.5): a DELETE of a record with a SetIdentifier removes every record of the zone
with that SetIdentifier, whatever its name and values, and a CREATE is refused when an identical
CREATE is in moto's journal and any record follows its name, even when the same batch deleted it.
Route 53 itself refuses a whole ChangeBatch whose DELETE does not name a current record with
exactly its values ("To delete a resource record set, you must specify all the same values that
you specified when you created it"; "Route 53 validates the changes in the request and then either
makes all or none of the changes":
https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html), and a
CREATE of a record that exists. WeightedRecordRouter's conditionalWrites(true) relies on exactly
that. This wrapper checks every batch that way against the zone as the batch's earlier changes leave
it, under one lock, refusing it whole with Route 53's InvalidChangeBatch messages; then leaves the
zone as the batch's changes leave it: DELETEs by name, type and SetIdentifier, CREATEs and UPSERTs
through moto as UPSERTs (what they are once checked). Everything else about Route 53 stays moto's.
Usage: python moto_server.py -H 127.0.0.1 -p PORT (moto_server's arguments).
"""
import functools
import threading

from moto import server
from moto.dynamodb.models import DynamoDBBackend
from moto.route53.exceptions import Route53ClientError
from moto.route53.models import RecordSet, Route53Backend

_ITEM_OPERATIONS = ("put_item", "get_item", "update_item", "delete_item", "transact_write_items",
                    "transact_get_items", "batch_write_item", "batch_get_item")
_lock = threading.RLock()


def _atomic(operation):
    @functools.wraps(operation)
    def wrapper(*args, **kwargs):
        with _lock:
            return operation(*args, **kwargs)
    return wrapper


for _name in _ITEM_OPERATIONS:
    if hasattr(DynamoDBBackend, _name):
        setattr(DynamoDBBackend, _name, _atomic(getattr(DynamoDBBackend, _name)))


_route53_lock = threading.RLock()
# what Route 53 compares when it matches a DELETE with the current record (values in any order)
_RECORD_FIELDS = ("type", "ttl", "set_identifier", "weight", "region", "health_check_id", "alias_target", "failover",
                  "geo_location", "multi_value_answer")


def _name(name):
    return name.rstrip(".").lower() + "."


def _record(record_set):
    """A RecordSet as moto stores one, from a change's ResourceRecordSet."""
    fields = dict(record_set)
    if "ResourceRecords" in fields:
        fields["ResourceRecords"] = [r["Value"] if isinstance(r, dict) else r for r in fields["ResourceRecords"]]
    fields["Name"] = _name(fields.get("Name", ""))
    return RecordSet(fields)


def _key(record):
    return (_name(record.name), record.type, record.set_identifier)


def _comparable(record):
    values = tuple(str(getattr(record, f)) if getattr(record, f) is not None else None for f in _RECORD_FIELDS)
    return values + (tuple(sorted(str(v) for v in (record.records or []))),)


def _describe(key):
    name, type_, set_id = key
    return f"[name='{name}', type='{type_}'" + (f", set-identifier='{set_id}'" if set_id is not None else "") + "]"


def _checked_batches(change_resource_record_sets):
    @functools.wraps(change_resource_record_sets)
    def wrapper(self, zoneid, change_list):
        with _route53_lock:
            zone = self.get_hosted_zone(zoneid)
            current = {_key(r): r for r in zone.rrsets}
            for change in change_list:
                action = change.get("Action")
                record = _record(change["ResourceRecordSet"])
                key = _key(record)
                if action == "DELETE":
                    existing = current.get(key)
                    if existing is None:
                        raise Route53ClientError("InvalidChangeBatch",
                                                 f"Tried to delete resource record set {_describe(key)} but it was not found")
                    if _comparable(existing) != _comparable(record):
                        raise Route53ClientError("InvalidChangeBatch", f"Tried to delete resource record set {_describe(key)}"
                                                 " but the values provided do not match the current values")
                    del current[key]
                elif action == "CREATE":
                    if key in current:
                        raise Route53ClientError("InvalidChangeBatch",
                                                 f"Tried to create resource record set {_describe(key)} but it already exists")
                    current[key] = record
                elif action == "UPSERT":
                    current[key] = record
            # checked: the zone becomes `current` (records the batch did not touch stay where they are); every
            # change still goes through moto's own checks (names, zone) and journal, as an UPSERT when it is
            # not a DELETE
            touched = {_key(_record(c["ResourceRecordSet"])) for c in change_list}
            kept = [r for r in zone.rrsets if _key(r) not in touched]
            final = [c for c in change_list if c.get("Action") != "DELETE"
                     and current.get(_key(_record(c["ResourceRecordSet"]))) is not None]
            before = zone.rrsets
            zone.rrsets = kept
            last = {}
            for c in final:
                last[_key(_record(c["ResourceRecordSet"]))] = dict(c, Action="UPSERT")
            try:
                change_resource_record_sets(self, zoneid, list(last.values()))
            except Exception:
                zone.rrsets = before  # all or nothing
                raise
            zone.rr_changes.extend(c for c in change_list if c.get("Action") == "DELETE")
    return wrapper


Route53Backend.change_resource_record_sets = _checked_batches(Route53Backend.change_resource_record_sets)

if __name__ == "__main__":
    server.main()
