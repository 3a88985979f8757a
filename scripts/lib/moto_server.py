"""moto_server, with DynamoDB's item writes atomic.

moto checks a write's ConditionExpression and then stores the item in two steps, on the threads of a
threaded server: two conditional PutItems arriving together can both pass their check (both see the
item absent) and both "succeed". Real DynamoDB evaluates the condition and writes atomically, per
item, and the route lock (DynamoDbRouteLock) relies on exactly that. This wrapper serializes the
DynamoDB backend's item operations with one lock, then runs moto's own server main: every other
service (ELBv2, Route 53, CloudWatch) is unchanged and still served concurrently.
Usage: python moto_server.py -H 127.0.0.1 -p PORT (moto_server's arguments).
"""
import functools
import threading

from moto import server
from moto.dynamodb.models import DynamoDBBackend

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

if __name__ == "__main__":
    server.main()
