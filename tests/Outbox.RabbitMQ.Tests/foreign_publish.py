"""Publishes messages to RabbitMQ with pika, a client that shares no code with the outbox.

Reads from standard input a JSON object: {"uri": ..., "messages": [{"exchange", "routing_key",
"message_id", "type", "content_type", "headers", "body" (base64)}]}. A header value is typed as
{"s": text}, {"bytes": base64}, {"int": n} or {"table": {name: value, ...}}.
"""
import base64
import json
import sys

import pika


def value(typed):
    (kind, raw), = typed.items()
    if kind == "s":
        return raw
    if kind == "bytes":
        return base64.b64decode(raw)
    if kind == "int":
        return int(raw)
    if kind == "table":
        return {name: value(inner) for name, inner in raw.items()}
    raise ValueError(kind)


spec = json.load(sys.stdin)
connection = pika.BlockingConnection(pika.URLParameters(spec["uri"]))
channel = connection.channel()
channel.confirm_delivery()
for message in spec["messages"]:
    headers = {name: value(typed) for name, typed in (message.get("headers") or {}).items()}
    properties = pika.BasicProperties(
        message_id=message.get("message_id"),
        type=message.get("type"),
        content_type=message.get("content_type"),
        delivery_mode=2,
        headers=headers or None,
    )
    channel.basic_publish(message["exchange"], message["routing_key"], base64.b64decode(message["body"]), properties)
connection.close()
