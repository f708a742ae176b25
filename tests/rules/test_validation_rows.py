"""Rule-set validation row by row (cache-phases.md §1–§2): every validator row V1–V40
with boundary inputs, the "Not rejected" notes, rule and rule-set fields, and duplicate
references.  Plans are in test_plan_gating.py, normalisation in test_validate.py."""

from __future__ import annotations

import pytest
from support.rulesets import (
    CC,
    EDGE,
    REQ,
    RESP,
    SCS,
    SCT,
    TAGS,
    P,
    custom_key,
    edge,
    one_rule,
    problems,
)

from rulelang.rules.ruleset import load_ruleset

# ----------------------------------------------------------------------------- rejections

REJECTED = [
    # V1
    ("V1 kind root", {"phase": REQ, "kind": "root", "rules": []}, None, {("RS101", "kind")}),
    ("V1 kind custom", {"phase": RESP, "kind": "custom", "rules": []}, None, {("RS101", "kind")}),
    ("V1 firewall phase", {"phase": "http_request_firewall_custom", "rules": []}, None,
     {("RS007", ""), ("RS010", "")}),
    ("V1 phase number", {"phase": 1, "rules": []}, None, {("RS006", "phase")}),
    # V4
    ("V4 expression missing", {"phase": REQ, "rules": [
        {"action": SCS, "action_parameters": {"cache": True}}]}, None, {("RS202", "rules[0]")}),
    ("V4 expression empty", one_rule({"cache": True}, expression=""), None,
     {("RS202", "rules[0].expression")}),
    ("V4 expression blank", one_rule({"cache": True}, expression="  \n"), None,
     {("RS202", "rules[0].expression")}),
    ("V4 expression not text", one_rule({"cache": True}, expression=True), None,
     {("RS202", "rules[0].expression")}),
    ("V4 expression does not compile", one_rule({"cache": True}, expression="http.host eq"),
     None, {("RL101", "rules[0].expression")}),
    # V5
    ("V5 response field in request phase",
     one_rule({"cache": True}, expression="http.response.code eq 200"), None,
     {("RL203", "rules[0].expression")}),
    # V6
    ("V6 action missing", {"phase": REQ, "rules": [
        {"expression": "true", "action_parameters": {"cache": True}}]}, None,
     {("RS203", "rules[0]")}),
    ("V6 action null", one_rule({"cache": True}, action=None), None,
     {("RS203", "rules[0].action")}),
    ("V6 tags in request phase", one_rule({"operation": "add", "values": ["a"]}, action=TAGS),
     None, {("RS203", "rules[0].action")}),
    ("V6 cache control in request phase", one_rule({"public": {"operation": "set"}}, action=CC),
     None, {("RS203", "rules[0].action")}),
    ("V6 unknown action", one_rule({"cache": True}, RESP, "set_cache_setting"), None,
     {("RS203", "rules[0].action")}),
    # V7
    ("V7 parameters empty", one_rule({}), None, {("RS204", P)}),
    ("V7 parameters empty (response)", one_rule({}, RESP, CC), None, {("RS204", P)}),
    ("V7 parameters missing", {"phase": REQ, "rules": [{"expression": "true", "action": SCS}]},
     None, {("RS204", "rules[0]")}),
    ("V7 parameters an array", one_rule([{"cache": True}]), None, {("RS204", P)}),
    # V8
    ("V8 enabled string", one_rule({"cache": True}, enabled="false"), None,
     {("RS205", "rules[0].enabled")}),
    ("V8 enabled number", one_rule({"cache": True}, enabled=0), None,
     {("RS205", "rules[0].enabled")}),
    ("V8 description number", one_rule({"cache": True}, description=1), None,
     {("RS205", "rules[0].description")}),
    ("V8 ref array", one_rule({"cache": True}, ref=["a"]), None, {("RS205", "rules[0].ref")}),
    # V9
    ("V9 unknown key", one_rule({"cache_everything": True}), None,
     {("RS301", P + ".cache_everything")}),
    ("V9 strip key in request phase", one_rule({"strip_etags": True}), None,
     {("RS301", P + ".strip_etags")}),
    # V10
    ("V10 request key in response phase", one_rule({"cache": True}, RESP), None,
     {("RS301", P + ".cache")}),
    ("V10 unknown key in response phase", one_rule({"strip_etag": True}, RESP), None,
     {("RS301", P + ".strip_etag")}),
    ("V10 strip flag not boolean", one_rule({"strip_set_cookie": "true"}, RESP), None,
     {("RS302", P + ".strip_set_cookie")}),
    # V11
    ("V11 cache string", one_rule({"cache": "true"}), None, {("RS302", P + ".cache")}),
    ("V11 cache 1", one_rule({"cache": 1}), None, {("RS302", P + ".cache")}),
    ("V11 etags null", one_rule({"respect_strong_etags": None}), None,
     {("RS302", P + ".respect_strong_etags")}),
    ("V11 passthru string", one_rule({"origin_error_page_passthru": "no"}), None,
     {("RS302", P + ".origin_error_page_passthru")}),
    ("V11 occ 0", one_rule({"origin_cache_control": 0}), None,
     {("RS302", P + ".origin_cache_control")}),
    # V12
    ("V12 mode missing", one_rule({"edge_ttl": {}}), None, {("RS310", EDGE)}),
    ("V12 mode bypass", one_rule({"edge_ttl": {"mode": "bypass"}}), None,
     {("RS310", EDGE + ".mode")}),
    ("V12 mode upper case", one_rule({"edge_ttl": {"mode": "Override_Origin", "default": 5}}),
     None, {("RS310", EDGE + ".mode")}),
    ("V12 edge_ttl a number", one_rule({"edge_ttl": 60}), None, {("RS302", EDGE)}),
    # V13
    ("V13 override without default", one_rule({"edge_ttl": {"mode": "override_origin"}}), None,
     {("RS311", EDGE)}),
    # V14
    ("V14 default with respect_origin",
     one_rule({"edge_ttl": {"mode": "respect_origin", "default": 60}}), None,
     {("RS312", EDGE + ".default")}),
    ("V14 default with bypass_by_default",
     one_rule({"edge_ttl": {"mode": "bypass_by_default", "default": 60}}), None,
     {("RS312", EDGE + ".default")}),
    # V15
    ("V15 default -1", one_rule({"edge_ttl": {"mode": "override_origin", "default": -1}}),
     None, {("RS313", EDGE + ".default")}),
    ("V15 default fractional", one_rule({"edge_ttl": {"mode": "override_origin",
                                                   "default": 60.5}}), None,
     {("RS313", EDGE + ".default")}),
    ("V15 default string", one_rule({"edge_ttl": {"mode": "override_origin", "default": "60"}}),
     None, {("RS313", EDGE + ".default")}),
    ("V15 default true", one_rule({"edge_ttl": {"mode": "override_origin", "default": True}}),
     None, {("RS313", EDGE + ".default")}),
    ("V15 free 7199", one_rule({"edge_ttl": {"mode": "override_origin", "default": 7199}}),
     "free", {("RS313", EDGE + ".default")}),
    ("V15 pro 3599", one_rule({"edge_ttl": {"mode": "override_origin", "default": 3599}}),
     "pro", {("RS313", EDGE + ".default")}),
    ("V15 business -1", one_rule({"edge_ttl": {"mode": "override_origin", "default": -1}}),
     "business", {("RS313", EDGE + ".default")}),
    # V16
    ("V16 not an array", one_rule({"edge_ttl": {"mode": "respect_origin",
                                             "status_code_ttl": {"status_code": 200,
                                                                 "value": 1}}}), None,
     {("RS314", SCT)}),
    ("V16 entry without value", one_rule(edge({"status_code": 200})), None,
     {("RS314", SCT + "[0]")}),
    ("V16 both code and range", one_rule(edge({"status_code": 200, "value": 1,
                                             "status_code_range": {"from": 200}})), None,
     {("RS314", SCT + "[0]")}),
    ("V16 neither code nor range", one_rule(edge({"value": 1})), None, {("RS314", SCT + "[0]")}),
    ("V16 entry a number", one_rule(edge(200)), None, {("RS314", SCT + "[0]")}),
    ("V16 range a string", one_rule(edge({"status_code_range": "200-299", "value": 1})), None,
     {("RS314", SCT + "[0].status_code_range")}),
    # V17
    ("V17 code 99", one_rule(edge({"status_code": 99, "value": 1})), None,
     {("RS315", SCT + "[0].status_code")}),
    ("V17 code 1000", one_rule(edge({"status_code": 1000, "value": 1})), None,
     {("RS315", SCT + "[0].status_code")}),
    ("V17 code string", one_rule(edge({"status_code": "200", "value": 1})), None,
     {("RS315", SCT + "[0].status_code")}),
    ("V17 from 99", one_rule(edge({"status_code_range": {"from": 99}, "value": 1})), None,
     {("RS315", SCT + "[0].status_code_range.from")}),
    ("V17 to 1000", one_rule(edge({"status_code_range": {"to": 1000}, "value": 1})), None,
     {("RS315", SCT + "[0].status_code_range.to")}),
    ("V17 empty range", one_rule(edge({"status_code_range": {}, "value": 1})), None,
     {("RS315", SCT + "[0].status_code_range")}),
    ("V17 from above to", one_rule(edge({"status_code_range": {"from": 301, "to": 300},
                                       "value": 1})), None,
     {("RS315", SCT + "[0].status_code_range")}),
    # V18
    ("V18 value -2", one_rule(edge({"status_code": 200, "value": -2})), None,
     {("RS316", SCT + "[0].value")}),
    ("V18 value fractional", one_rule(edge({"status_code": 200, "value": 1.5})), None,
     {("RS316", SCT + "[0].value")}),
    ("V18 value no_store", one_rule(edge({"status_code": 200, "value": "no_store"})), None,
     {("RS316", SCT + "[0].value")}),
    ("V18 value NO-STORE", one_rule(edge({"status_code": 200, "value": "NO-STORE"})), None,
     {("RS316", SCT + "[0].value")}),
    ("V18 value numeric string", one_rule(edge({"status_code": 200, "value": "60"})), None,
     {("RS316", SCT + "[0].value")}),
    ("V18 value boolean", one_rule(edge({"status_code": 200, "value": False})), None,
     {("RS316", SCT + "[0].value")}),
    # V19
    # V20
    ("V20 mode missing", one_rule({"browser_ttl": {"default": 60}}), None,
     {("RS318", P + ".browser_ttl")}),
    ("V20 mode unknown", one_rule({"browser_ttl": {"mode": "no_store"}}), None,
     {("RS318", P + ".browser_ttl.mode")}),
    ("V20 override without default", one_rule({"browser_ttl": {"mode": "override_origin"}}),
     None, {("RS311", P + ".browser_ttl")}),
    ("V20 default with bypass", one_rule({"browser_ttl": {"mode": "bypass", "default": 60}}),
     None, {("RS312", P + ".browser_ttl.default")}),
    ("V20 default 0", one_rule({"browser_ttl": {"mode": "override_origin", "default": 0}}),
     None, {("RS318", P + ".browser_ttl.default")}),
    ("V20 default fractional", one_rule({"browser_ttl": {"mode": "override_origin",
                                                      "default": 1.5}}), None,
     {("RS318", P + ".browser_ttl.default")}),
    ("V20 unknown key", one_rule({"browser_ttl": {"mode": "respect_origin", "ttl": 1}}), None,
     {("RS301", P + ".browser_ttl.ttl")}),
    # V21
    ("V21 unknown cache_key key", one_rule({"cache_key": {"sort": True}}), None,
     {("RS301", P + ".cache_key.sort")}),
    ("V21 flag a string", one_rule({"cache_key": {"cache_deception_armor": "on"}}), None,
     {("RS302", P + ".cache_key.cache_deception_armor")}),
    ("V21 custom_key unknown part", one_rule(custom_key(path={"x": 1})), None,
     {("RS301", P + ".cache_key.custom_key.path")}),
    ("V21 cache_key an array", one_rule({"cache_key": []}), None, {("RS302", P + ".cache_key")}),
    # V22
    ("V22 both include and exclude",
     one_rule(custom_key(query_string={"include": "*", "exclude": "*"})), None,
     {("RS320", P + ".cache_key.custom_key.query_string")}),
    ("V22 all false", one_rule(custom_key(query_string={"exclude": {"all": False}})), None,
     {("RS320", P + ".cache_key.custom_key.query_string.exclude.all")}),
    ("V22 all and list", one_rule(custom_key(query_string={"include": {"all": True, "list": ["a"]}})),
     None, {("RS320", P + ".cache_key.custom_key.query_string.include")}),
    ("V22 star mixed with names", one_rule(custom_key(query_string={"include": ["*", "page"]})), None,
     {("RS320", P + ".cache_key.custom_key.query_string.include.list")}),
    ("V22 star mixed in list form",
     one_rule(custom_key(query_string={"exclude": {"list": ["utm", "*"]}})), None,
     {("RS320", P + ".cache_key.custom_key.query_string.exclude.list")}),
    ("V22 other string", one_rule(custom_key(query_string={"include": "page"})), None,
     {("RS320", P + ".cache_key.custom_key.query_string.include")}),
    ("V22 list of numbers", one_rule(custom_key(query_string={"include": {"list": [1]}})), None,
     {("RS302", P + ".cache_key.custom_key.query_string.include.list[0]")}),
    # V23
    *[(f"V23 forbidden {h} in {part}", one_rule(custom_key(header={part: [h]})), None,
       {("RS321", f"{P}.cache_key.custom_key.header.{part}[0]")})
      for h in ("connection", "Content-Length", "cache-control", "if-match",
                "If-Modified-Since", "if-none-match", "if-unmodified-since", "range",
                "upgrade", "Cookie", "host", "cf-ipcountry", "CF-Connecting-IP", "origin")
      for part in ("include", "check_presence")],
    *[(f"V23 forbidden {h} in contains", one_rule(custom_key(header={"contains": {h: ["a"]}})), None,
       {("RS321", f"{P}.cache_key.custom_key.header.contains.{h}")})
      for h in ("range", "cf-device-type", "host")],
    *[(f"V23 restricted {h} in include", one_rule(custom_key(header={"include": [h]})), None,
       {("RS321", f"{P}.cache_key.custom_key.header.include[0]")})
      for h in ("accept", "Accept-Charset", "accept-encoding", "accept-datetime",
                "accept-language", "Referer", "user-agent")],
    # V24
    ("V24 no values", one_rule(custom_key(header={"contains": {"accept-language": []}})), None,
     {("RS322", P + ".cache_key.custom_key.header.contains.accept-language")}),
    ("V24 eleven values", one_rule(custom_key(header={"contains": {"accept": [str(i)
                                                                    for i in range(11)]}})),
     None, {("RS322", P + ".cache_key.custom_key.header.contains.accept")}),
    ("V24 empty string value", one_rule(custom_key(header={"contains": {"user-agent": ["Mobile", ""]}})),
     None, {("RS322", P + ".cache_key.custom_key.header.contains.user-agent")}),
    ("V24 values a string", one_rule(custom_key(header={"contains": {"referer": "a"}})), None,
     {("RS322", P + ".cache_key.custom_key.header.contains.referer")}),
    # V25
    ("V25 __cflb include", one_rule(custom_key(cookie={"include": ["__cflb"]})), None,
     {("RS323", P + ".cache_key.custom_key.cookie.include[0]")}),
    ("V25 __cf_bm check_presence", one_rule(custom_key(cookie={"check_presence": ["a", "__cf_bm"]})),
     None, {("RS323", P + ".cache_key.custom_key.cookie.check_presence[1]")}),
    ("V25 __cfruid", one_rule(custom_key(cookie={"include": ["__cfruid"]})), None,
     {("RS323", P + ".cache_key.custom_key.cookie.include[0]")}),
    # V26
    ("V26 user device_type string", one_rule(custom_key(user={"device_type": "true"})), None,
     {("RS302", P + ".cache_key.custom_key.user.device_type")}),
    ("V26 user unknown", one_rule(custom_key(user={"country": True})), None,
     {("RS301", P + ".cache_key.custom_key.user.country")}),
    ("V26 host resolved 1", one_rule(custom_key(host={"resolved": 1})), None,
     {("RS302", P + ".cache_key.custom_key.host.resolved")}),
    ("V26 exclude_origin string", one_rule(custom_key(header={"exclude_origin": "yes"})), None,
     {("RS302", P + ".cache_key.custom_key.header.exclude_origin")}),
    # V27
    ("V27 eligible missing", one_rule({"cache_reserve": {"minimum_file_size": 0}}), None,
     {("RS324", P + ".cache_reserve")}),
    ("V27 negative size", one_rule({"cache_reserve": {"eligible": True,
                                                   "minimum_file_size": -1}}), None,
     {("RS324", P + ".cache_reserve.minimum_file_size")}),
    ("V27 fractional size", one_rule({"cache_reserve": {"eligible": True,
                                                     "minimum_file_size": 0.5}}), None,
     {("RS324", P + ".cache_reserve.minimum_file_size")}),
    ("V27 enabled spelling", one_rule({"cache_reserve": {"eligible": True, "enabled": True}}),
     None, {("RS324", P + ".cache_reserve.enabled")}),
    # V28
    ("V28 unknown key", one_rule({"serve_stale": {"disable": True}}), None,
     {("RS301", P + ".serve_stale.disable")}),
    ("V28 not boolean", one_rule({"serve_stale": {"disable_stale_while_updating": 1}}), None,
     {("RS302", P + ".serve_stale.disable_stale_while_updating")}),
    # V29
    ("V29 read_timeout 0", one_rule({"read_timeout": 0}), None, {("RS325", P + ".read_timeout")}),
    ("V29 read_timeout string", one_rule({"read_timeout": "100"}), None,
     {("RS325", P + ".read_timeout")}),
    ("V29 read_timeout fractional", one_rule({"read_timeout": 1.5}), None,
     {("RS325", P + ".read_timeout")}),
    # V30
    ("V30 port 0", one_rule({"additional_cacheable_ports": [0]}), None,
     {("RS326", P + ".additional_cacheable_ports[0]")}),
    ("V30 port 65536", one_rule({"additional_cacheable_ports": [8443, 65536]}), None,
     {("RS326", P + ".additional_cacheable_ports[1]")}),
    ("V30 duplicate port", one_rule({"additional_cacheable_ports": [2052, 8443, 2052]}), None,
     {("RS326", P + ".additional_cacheable_ports[2]")}),
    ("V30 port string", one_rule({"additional_cacheable_ports": ["8443"]}), None,
     {("RS326", P + ".additional_cacheable_ports[0]")}),
    ("V30 not an array", one_rule({"additional_cacheable_ports": 8443}), None,
     {("RS326", P + ".additional_cacheable_ports")}),
    # V32
    ("V32 operation missing", one_rule({"values": ["a"]}, RESP, TAGS), None, {("RS330", P)}),
    ("V32 operation replace", one_rule({"operation": "replace", "values": ["a"]}, RESP, TAGS),
     None, {("RS330", P + ".operation")}),
    ("V32 values and expression", one_rule({"operation": "add", "values": ["a"],
                                         "expression": "http.request.headers.names"},
                                        RESP, TAGS), None, {("RS330", P)}),
    ("V32 neither values nor expression", one_rule({"operation": "set"}, RESP, TAGS), None,
     {("RS330", P)}),
    # V33
    ("V33 values a string", one_rule({"operation": "add", "values": "a"}, RESP, TAGS), None,
     {("RS331", P + ".values")}),
    ("V33 tag with a comma", one_rule({"operation": "add", "values": ["a,b"]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 tag with a space", one_rule({"operation": "add", "values": ["a b"]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 tag with a tab", one_rule({"operation": "add", "values": ["a\tb"]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 non-ASCII tag", one_rule({"operation": "add", "values": ["caf\u00e9"]}, RESP, TAGS),
     None, {("RS331", P + ".values[0]")}),
    ("V33 DEL in tag", one_rule({"operation": "add", "values": ["a\x7f"]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 blank tag", one_rule({"operation": "remove", "values": ["  "]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 number tag", one_rule({"operation": "add", "values": [1]}, RESP, TAGS), None,
     {("RS331", P + ".values[0]")}),
    ("V33 empty list with add", one_rule({"operation": "add", "values": []}, RESP, TAGS), None,
     {("RS331", P + ".values")}),
    ("V33 empty list with remove", one_rule({"operation": "remove", "values": []}, RESP, TAGS),
     None, {("RS331", P + ".values")}),
    # V34
    ("V34 empty expression", one_rule({"operation": "add", "expression": ""}, RESP, TAGS), None,
     {("RS332", P + ".expression")}),
    ("V34 expression a number", one_rule({"operation": "add", "expression": 3}, RESP, TAGS),
     None, {("RS332", P + ".expression")}),
    ("V34 expression of type String", one_rule({"operation": "add", "expression": "http.host"},
                                            RESP, TAGS), None,
     {("RL213", P + ".expression")}),
    # V35
    ("V35 s_maxage in JSON", one_rule({"s_maxage": {"operation": "set", "value": 1}}, RESP, CC),
     None, {("RS340", P + ".s_maxage")}),
    ("V35 must_revalidate in JSON", one_rule({"must_revalidate": {"operation": "set"}}, RESP, CC),
     None, {("RS340", P + ".must_revalidate")}),
    ("V35 upper-case name", one_rule({"Max-Age": {"operation": "set", "value": 1}}, RESP, CC),
     None, {("RS340", P + ".Max-Age")}),
    ("V35 max-stale", one_rule({"max-stale": {"operation": "set", "value": 1}}, RESP, CC), None,
     {("RS340", P + ".max-stale")}),
    # V36
    ("V36 directive not an object", one_rule({"public": True}, RESP, CC), None,
     {("RS341", P + ".public")}),
    ("V36 operation missing", one_rule({"no-store": {"cloudflare_only": True}}, RESP, CC), None,
     {("RS341", P + ".no-store")}),
    ("V36 operation add", one_rule({"no-store": {"operation": "add"}}, RESP, CC), None,
     {("RS341", P + ".no-store.operation")}),
    ("V36 unknown key", one_rule({"max-age": {"operation": "set", "value": 1, "ttl": 2}},
                              RESP, CC), None, {("RS341", P + ".max-age.ttl")}),
    # V37
    ("V37 set without value", one_rule({"s-maxage": {"operation": "set"}}, RESP, CC), None,
     {("RS342", P + ".s-maxage")}),
    ("V37 value -1", one_rule({"max-age": {"operation": "set", "value": -1}}, RESP, CC), None,
     {("RS342", P + ".max-age.value")}),
    ("V37 value 2147483648", one_rule({"stale-if-error": {"operation": "set",
                                                       "value": 2147483648}}, RESP, CC), None,
     {("RS342", P + ".stale-if-error.value")}),
    ("V37 value string", one_rule({"max-age": {"operation": "set", "value": "60"}}, RESP, CC),
     None, {("RS342", P + ".max-age.value")}),
    ("V37 value fractional", one_rule({"max-age": {"operation": "set", "value": 1.5}}, RESP, CC),
     None, {("RS342", P + ".max-age.value")}),
    ("V37 value with remove", one_rule({"stale-while-revalidate": {"operation": "remove",
                                                                "value": 5}}, RESP, CC), None,
     {("RS342", P + ".stale-while-revalidate.value")}),
    # V38
    ("V38 qualifiers a string", one_rule({"private": {"operation": "set",
                                                   "qualifiers": "X-User"}}, RESP, CC), None,
     {("RS343", P + ".private.qualifiers")}),
    ("V38 empty qualifier", one_rule({"no-cache": {"operation": "set", "qualifiers": [""]}},
                                  RESP, CC), None, {("RS343", P + ".no-cache.qualifiers")}),
    ("V38 qualifier with a space", one_rule({"private": {"operation": "set",
                                                      "qualifiers": ["X User"]}}, RESP, CC),
     None, {("RS343", P + ".private.qualifiers")}),
    ("V38 qualifiers with remove", one_rule({"private": {"operation": "remove",
                                                      "qualifiers": ["X-User"]}}, RESP, CC),
     None, {("RS343", P + ".private.qualifiers")}),
    # V39
    ("V39 no-store with value", one_rule({"no-store": {"operation": "set", "value": 1}},
                                      RESP, CC), None, {("RS344", P + ".no-store.value")}),
    ("V39 public with qualifiers", one_rule({"public": {"operation": "set",
                                                     "qualifiers": ["a"]}}, RESP, CC), None,
     {("RS344", P + ".public.qualifiers")}),
    ("V39 private with value", one_rule({"private": {"operation": "set", "value": 1}},
                                     RESP, CC), None, {("RS344", P + ".private.value")}),
    ("V39 max-age with qualifiers", one_rule({"max-age": {"operation": "set", "value": 1,
                                                       "qualifiers": ["a"]}}, RESP, CC), None,
     {("RS344", P + ".max-age.qualifiers")}),
    # V40
    ("V40 cloudflare_only string", one_rule({"immutable": {"operation": "set",
                                                        "cloudflare_only": "true"}},
                                         RESP, CC), None,
     {("RS302", P + ".immutable.cloudflare_only")}),
    ("V40 cloudflare_only 1", one_rule({"max-age": {"operation": "set", "value": 1,
                                                 "cloudflare_only": 1}}, RESP, CC), None,
     {("RS302", P + ".max-age.cloudflare_only")}),
]


@pytest.mark.parametrize("body, plan, expected", [r[1:] for r in REJECTED],
                         ids=[r[0] for r in REJECTED])
def test_validator_rejects(body, plan, expected):
    assert problems(body, plan) == expected


# ----------------------------------------------------------------------------- acceptances

ACCEPTED = [
    ("status codes 100 and 999", REQ, SCS, edge({"status_code": 100, "value": 0},
                                                 {"status_code": 999, "value": -1})),
    ("range bounds 100-999", REQ, SCS, edge({"status_code_range": {"from": 100, "to": 999},
                                              "value": 1})),
    ("one-code range", REQ, SCS, edge({"status_code_range": {"from": 404, "to": 404},
                                        "value": 1})),
    ("adjacent ranges", REQ, SCS, edge({"status_code_range": {"to": 299}, "value": 1},
                                        {"status_code_range": {"from": 300}, "value": 2})),
    ("no-store and no-cache strings", REQ, SCS,
     edge({"status_code": 200, "value": "no-store"}, {"status_code": 404,
                                                       "value": "no-cache"})),
    ("value -1 and 0", REQ, SCS, edge({"status_code": 200, "value": -1},
                                       {"status_code": 201, "value": 0})),
    ("status_code_ttl with override", REQ, SCS,
     edge({"status_code": 200, "value": 1}, mode="override_origin", default=60)),
    ("status_code_ttl with bypass_by_default", REQ, SCS,
     edge({"status_code": 200, "value": 1}, mode="bypass_by_default")),
    ("browser bypass", REQ, SCS, {"browser_ttl": {"mode": "bypass"}}),
    ("browser bypass_by_default", REQ, SCS, {"browser_ttl": {"mode": "bypass_by_default"}}),
    ("restricted header in check_presence", REQ, SCS,
     custom_key(header={"check_presence": ["user-agent", "Accept-Language", "referer"]})),
    ("restricted headers in contains, 1 and 10 values", REQ, SCS,
     custom_key(header={"contains": {"accept-language": ["en"],
                              "user-agent": [str(i) for i in range(10)]}})),
    ("ordinary header in contains", REQ, SCS, custom_key(header={"contains": {"x-ab": ["a", "b"]}})),
    ("cookie that only looks like __cf", REQ, SCS, custom_key(cookie={"include": ["_cflb", "cf_x"]})),
    ("ports 1 and 65535", REQ, SCS, {"additional_cacheable_ports": [1, 65535]}),
    ("empty cache_key", REQ, SCS, {"cache_key": {}}),
    ("not rejected: cache false with other settings", REQ, SCS,
     {"cache": False, "edge_ttl": {"mode": "override_origin", "default": 60},
      "browser_ttl": {"mode": "bypass"}, "respect_strong_etags": True}),
    ("max-age 0 and 2147483647", RESP, CC,
     {"max-age": {"operation": "set", "value": 0},
      "s-maxage": {"operation": "set", "value": 2147483647}}),
    ("not rejected: public and private together", RESP, CC,
     {"public": {"operation": "set"}, "private": {"operation": "set"}}),
    ("qualifiers", RESP, CC, {"private": {"operation": "set", "qualifiers": ["X-User-Id",
                                                                             "Set-Cookie"]},
                              "no-cache": {"operation": "set", "qualifiers": []}}),
    ("remove every directive", RESP, CC, {d: {"operation": "remove", "cloudflare_only": True}
                                          for d in ("max-age", "s-maxage", "stale-if-error",
                                                    "stale-while-revalidate", "private",
                                                    "no-cache", "no-store", "no-transform",
                                                    "must-revalidate", "proxy-revalidate",
                                                    "must-understand", "public",
                                                    "immutable")}),
    ("only one strip flag", RESP, SCS, {"strip_last_modified": False}),
    ("empty tag list with set", RESP, TAGS, {"operation": "set", "values": []}),
    ("printable ASCII tag", RESP, TAGS, {"operation": "add", "values": ["!~a:b/c_d.e"]}),
    ("tag expression", RESP, TAGS,
     {"operation": "remove",
      "expression": 'split(http.response.headers["x-tags"][0], ",", 10)'}),
]


@pytest.mark.parametrize("phase, action, params", [a[1:] for a in ACCEPTED],
                         ids=[a[0] for a in ACCEPTED])
def test_validator_accepts(phase, action, params):
    assert problems(one_rule(params, phase, action), "enterprise") == set()


def test_read_only_rule_and_rule_set_fields_are_tolerated():
    body = {"id": "2f2feab2026849078ba485f918791bdc", "name": "Cache Rules",
            "description": "d", "kind": "zone", "phase": REQ, "version": "3",
            "last_updated": "2026-01-01T00:00:00.000000Z", "rules": [
                {"id": "fdb0dd271f3f40b19679cc5d91396024", "ref": "r", "version": "1",
                 "description": "x", "expression": "true", "action": SCS,
                 "action_parameters": {"cache": True}, "enabled": True,
                 "logging": {"enabled": False}, "last_updated": "2026-01-01T00:00:00Z",
                 "position": {"index": 1}}]}
    rs = load_ruleset(body)
    assert rs.diagnostics == () and rs.rules[0].ref == "r"


@pytest.mark.parametrize("field, value, code", [
    ("rulez", [], "RS105"), ("zone_id", "abc", "RS105"), ("description", 5, "RS104"),
    ("version", 3, "RS104"), ("name", None, "RS104"), ("rules", {}, "RS104"),
])
def test_rule_set_fields_unknown_or_of_the_wrong_type_are_errors(field, value, code):
    body = {"phase": REQ, "rules": []}
    body[field] = value
    assert problems(body) == {(code, field)}


# ----------------------------------------------------------------------------- V3

def _rules(*fields):
    return {"phase": REQ, "rules": [{"expression": "true", "action": SCS,
                                     "action_parameters": {"cache": True}, **f}
                                    for f in fields]}


@pytest.mark.parametrize("fields, expected", [
    (({"ref": "a"}, {"ref": "a"}), {("RS103", "rules[1].ref")}),
    (({"id": "a"}, {"id": "a"}), {("RS103", "rules[1].id")}),
    (({"id": "a"}, {"ref": "a"}), {("RS103", "rules[1].ref")}),
    (({"ref": "a"}, {"id": "a"}), {("RS103", "rules[1].id")}),
    (({"id": "x", "ref": "a"}, {"id": "x", "ref": "b"}), {("RS103", "rules[1].id")}),
    (({"id": "a", "ref": "b"}, {"id": "b", "ref": "c"}), set()),
    (({"ref": "a"}, {"ref": "b"}, {"ref": "a"}), {("RS103", "rules[2].ref")}),
    (({}, {}), set()),
    (({"id": "a", "ref": "a"}, {"id": "b", "ref": "b"}), set()),
])
def test_v3_duplicate_ids_and_refs(fields, expected):
    assert problems(_rules(*fields)) == expected


def test_v3_duplicates_among_disabled_rules_count_too():
    assert problems(_rules({"ref": "a", "enabled": False}, {"ref": "a"})) == \
        {("RS103", "rules[1].ref")}


# V19: the API accepts overlapping status_code_ttl entries (a recorded response holds
# them), so an overlap is a warning on the later entry, not an error.
OVERLAPS = [
    ("V19 same code twice", one_rule(edge({"status_code": 404, "value": 1},
                                        {"status_code": 404, "value": 2})), None,
     {("RS317", SCT + "[1]")}),
    ("V19 code inside range", one_rule(edge({"status_code_range": {"from": 200, "to": 299},
                                           "value": 1},
                                          {"status_code": 299, "value": 2})), None,
     {("RS317", SCT + "[1]")}),
    ("V19 ranges touching at one code", one_rule(edge(
        {"status_code_range": {"to": 300}, "value": 1},
        {"status_code_range": {"from": 300}, "value": 2})), None, {("RS317", SCT + "[1]")}),
    ("V19 open ranges", one_rule(edge({"status_code_range": {"from": 500}, "value": 1},
                                    {"status_code_range": {"from": 600, "to": 650},
                                     "value": 2})), None, {("RS317", SCT + "[1]")}),
]


@pytest.mark.parametrize("body, plan, expected", [r[1:] for r in OVERLAPS],
                         ids=[r[0] for r in OVERLAPS])
def test_overlapping_status_code_ttls_warn(body, plan, expected):
    rs = load_ruleset(body, plan=plan)
    assert {(d.code, d.location.path) for d in rs.diagnostics if d.severity == "warning"} \
        == expected
