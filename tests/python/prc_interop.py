#!/usr/bin/env python3
"""The Python side of tests/integration/python_interop_test.cpp.

python-redis-cache cannot be pip-installed where the tests run (no PyPI), so this
file re-implements what its 4.x `RedisCache.cache()` does, from reading its source
(redis_cache/__init__.py):

  * serializer = json.dumps(v, separators=(',', ':'), sort_keys=True)  ("compact_dump";
    ensure_ascii stays True); deserializer = json.loads
  * the key object is the bound arguments {name: value} (inspect.signature; defaults
    filled in for parameters not passed)
  * key = "{prefix:namespace}:" + base64(serializer(key object))  (support_cluster=True;
    without it "prefix:namespace:"); the FIFO index is "{prefix:namespace}:keys"
  * a hit is `if result:` then the deserializer; a miss calls the function and runs
    the store script: SETEX (ttl > 0) or SET, then with limit > 0 ZADD the key with
    the server TIME, and ZPOPMIN + ZREM + DEL whatever is beyond the limit

Usage: prc_interop.py write|read|key REDIS_URL
Prints one JSON object on stdout.
"""
import base64
import inspect
import json
import sys
from functools import wraps

import redis

STORE_SCRIPT = """
local ttl = tonumber(ARGV[2])
local value
if ttl > 0 then
  value = redis.call('SETEX', KEYS[1], ttl, ARGV[1])
else
  value = redis.call('SET', KEYS[1], ARGV[1])
end
local limit = tonumber(ARGV[3])
if limit > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
  redis.call('ZADD', KEYS[2], now, KEYS[1])
  local over = tonumber(redis.call('ZCOUNT', KEYS[2], '-inf', '+inf')) - limit
  if over > 0 then
    local popped = redis.call('ZPOPMIN', KEYS[2], over)
    local stale = {}
    for i = 1, #popped, 2 do
      stale[#stale + 1] = popped[i]
    end
    redis.call('ZREM', KEYS[2], unpack(stale))
    redis.call('DEL', unpack(stale))
  end
end
return value
"""


def compact_dump(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def bound_args(fn, args, kwargs):
    """{parameter name: value} for a call, defaults included (python-redis-cache's get_args)."""
    sig = inspect.signature(fn)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


class RedisCache:
    def __init__(self, client, prefix="rc", support_cluster=True):
        self.client = client
        self.prefix = prefix
        self.support_cluster = support_cluster
        self.script = client.register_script(STORE_SCRIPT)

    def cache(self, ttl=0, limit=0, namespace=None):
        def decorate(fn):
            ns = namespace or f"{fn.__module__}.{fn.__qualname__}"
            full = (f"{{{self.prefix}:{ns}}}" if self.support_cluster
                    else f"{self.prefix}:{ns}")
            keys_key = f"{full}:keys"

            def get_key(args, kwargs):
                data = compact_dump(bound_args(fn, args, kwargs)).encode("utf-8")
                return f"{full}:{base64.b64encode(data).decode('utf-8')}"

            @wraps(fn)
            def inner(*args, **kwargs):
                key = get_key(args, kwargs)
                result = self.client.get(key)
                if result:
                    return json.loads(result)
                result = fn(*args, **kwargs)
                self.script(keys=[key, keys_key], args=[compact_dump(result), ttl, limit])
                return result

            inner.get_key = lambda *a, **kw: get_key(a, kw)
            return inner

        return decorate


CALLS = []


def define(cache):
    @cache.cache(ttl=60, limit=3, namespace="interop.load_user")
    def load_user(user_id, lang="en"):
        CALLS.append(["load_user", user_id, lang])
        return {"id": user_id, "lang": lang, "name": "Zo\u00eb \U0001F600", "score": user_id / 4,
                "tags": ["a", "b"], "active": True, "nick": None}

    @cache.cache(namespace="interop.ratio")
    def ratio(a, b):
        CALLS.append(["ratio", a, b])
        return a / b

    @cache.cache(namespace="interop.constant")
    def constant():
        CALLS.append(["constant"])
        return [1, 2.0, "x"]

    return load_user, ratio, constant


def main():
    cmd, url = sys.argv[1], sys.argv[2]
    cache = RedisCache(redis.Redis.from_url(url))
    load_user, ratio, constant = define(cache)
    if cmd == "write":
        load_user(1, "en")
        load_user(2, lang="fr")
        ratio(1, 3)
        constant()
        out = {"calls": CALLS}
    elif cmd == "read":
        results = [load_user(3, "de"), load_user(4), ratio(2, 4), constant()]
        out = {"calls": CALLS, "results": results}
    elif cmd == "key":
        out = {"keys": [load_user.get_key(7, "en"), load_user.get_key(7), ratio.get_key(1, 3),
                        constant.get_key()]}
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(compact_dump(out))


if __name__ == "__main__":
    main()
