"""A seeded generator of expressions from the grammar of language.md §4, with mutations
(whitespace incl. CR/LF/TAB/NBSP, every literal form and its near-misses, escapes,
raw-string hash counts, byte strings, integers in every base, IPv4/IPv6, CIDRs, ranges,
sets, list names, indexes, nested parentheses, quantifiers, calls, keyword spellings and
case).  Only fields and functions both Cloudflare's engine and the cache phases know are
used, so its output can be fed to the engine's parser as well."""

from __future__ import annotations

import random

STRING_FIELDS = ["http.host", "http.referer", "http.cookie", "http.user_agent",
                 "http.request.method", "http.request.full_uri", "http.request.uri.query"]
INT_FIELDS = ["http.response.code", "cf.edge.server_port", "ip.src.asnum"]
IP_FIELDS = ["ip.src", "cf.edge.server_ip"]
BOOL_FIELDS = ["ssl"]
MAP_FIELDS = ["http.request.headers", "http.request.uri.args", "http.request.cookies",
              "http.response.headers"]
ARRAY_FIELDS = ["http.request.headers.names", "http.request.uri.args.names",
                "http.response.headers.names"]

# ------------------------------------------------------------------ whitespace

#: Separators between tokens: mostly valid (space, CR, LF), sometimes not (TAB, NBSP,
#: vertical tab, form feed, U+2003).
SEPS_OK = [" ", " ", " ", "  ", "\n", "\r\n", "\r", " \n "]
SEPS_BAD = ["\t", "\u00a0", "\x0b", "\x0c", "\u2003", " \t"]


class Gen:
    """One random expression generator (seeded)."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    # whitespace: required between two word tokens, optional elsewhere
    def sep(self) -> str:
        return self.pick(SEPS_BAD) if self.chance(0.03) else self.pick(SEPS_OK)

    def opt(self) -> str:
        return "" if self.chance(0.5) else self.sep()

    def kw(self, word: str) -> str:
        """A keyword, sometimes in the wrong case."""
        if self.chance(0.03):
            return self.pick([word.upper(), word.capitalize()])
        return word

    # ------------------------------------------------------------- literals
    def quoted_char(self) -> str:
        return self.pick([
            "a", "b", "/", ".", " ", "é", "雪", "\t", "\n", "'", "#", "[", "]", "(", ")",
            "\\\"", "\\\\", "\\x41", "\\x4a", "\\xFF", "\\101", "\\000", "\\377",
            # near-misses
            "\\n", "\\t", "\\'", "\\/", "\\u0041", "\\0", "\\x4", "\\xzz", "\\18", "\\400",
            "\\",
        ] if self.chance(0.4) else ["a", "b", "/", "x", "-", "_", "1"])

    def quoted(self) -> str:
        body = "".join(self.quoted_char() for _ in range(self.r.randint(0, 5)))
        if self.chance(0.03):
            return '"' + body  # unterminated
        if self.chance(0.03):
            return "'" + body.replace("'", "") + "'"
        return '"' + body + '"'

    def raw(self) -> str:
        n = self.pick([0, 0, 0, 1, 1, 2, 3])
        body = "".join(self.pick(["a", "\\d", '"', "#", '"#', "\\", "x", " "])
                       for _ in range(self.r.randint(0, 4)))
        close = n
        if self.chance(0.1):
            close = max(0, n + self.pick([-1, 1]))
        if self.chance(0.02):
            n = close = 256
        text = "r" + "#" * n + '"' + body + '"' + "#" * close
        if self.chance(0.03):
            text = text[:-1 - close] if len(text) > 2 + n else text  # drop the terminator
        return text

    def byte_string(self) -> str:
        pairs = [f"{self.r.randint(0, 255):02x}" for _ in range(self.r.randint(1, 4))]
        if self.chance(0.5):
            pairs = [p.upper() for p in pairs]
        sep = ":" if self.chance(0.9) else self.pick(["-", "."])
        text = sep.join(pairs)
        if self.chance(0.05):
            text += ":"
        if self.chance(0.03):
            text = text.replace(text[0], "g", 1)
        return text

    def string_lit(self) -> str:
        k = self.r.random()
        if k < 0.55:
            return self.quoted()
        if k < 0.85:
            return self.raw()
        return self.byte_string()

    def int_lit(self) -> str:
        return self.pick([
            "0", "1", "200", "-5", "-0", "0x1f", "0xFF", "0x7fffffffffffffff", "010", "0123",
            "-010", "9223372036854775807", "-9223372036854775808", "4294967295",
            # near-misses
            "+5", "0XFF", "0x", "09", "-0x5", "1_000", "1e3", "1.5", "9223372036854775808",
            "0x8000000000000000", "-9223372036854775809", "0x1g", "08", "1a", "0b1",
        ] if self.chance(0.5) else [str(self.r.randint(0, 70000)), str(-self.r.randint(0, 99)),
                                    hex(self.r.randint(0, 4096)), "0" + oct(self.r.randint(1, 4096))[2:]])

    def ipv4(self) -> str:
        parts = [str(self.r.randint(0, 255)) for _ in range(4)]
        if self.chance(0.08):
            parts = parts[:self.r.randint(1, 3)]
        if self.chance(0.05):
            parts[0] = "0" + parts[0]
        if self.chance(0.05):
            parts[-1] = "256"
        if self.chance(0.03):
            parts.append("5")
        return ".".join(parts)

    def ipv6(self) -> str:
        return self.pick([
            "::", "::1", "2001:db8::1", "2001:DB8::1", "fe80::1", "::ffff:192.0.2.1",
            "2001:db8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "abcd::", "ABCD::ef",
            # near-misses
            "1:2:3:4:5:6:7:8:9", "2001:db8:::1", "::g", "2001::db8::1", "fe80::1%eth0",
            ":1", "1:",
        ])

    def ip_lit(self) -> str:
        return self.ipv4() if self.chance(0.6) else self.ipv6()

    def cidr(self) -> str:
        if self.chance(0.6):
            n = self.pick([0, 8, 16, 24, 32, 33, 31])
            a = [self.r.randint(0, 255) for _ in range(4)]
            if self.chance(0.7):  # zero the host bits
                v = int.from_bytes(bytes(a), "big") & ((0xFFFFFFFF << (32 - min(n, 32))) &
                                                        0xFFFFFFFF)
                a = list(v.to_bytes(4, "big"))
            return ".".join(map(str, a)) + f"/{n}"
        return self.pick(["2001:db8::/32", "::/0", "::1/128", "2001:db8::1/32", "::/129",
                          "fe80::/10", "2001:db8::/"])

    def ip_range(self) -> str:
        return self.pick(["10.0.0.1..10.0.0.9", "10.0.0.9..10.0.0.1", "10.0.0.1..10.0.0.1",
                          "::1..::2", "10.0.0.1..::1", "1.2.3.4 ..1.2.3.5", "1.2.3.4.. 1.2.3.5",
                          "1.2.3..1.2.3.5"])

    def int_range(self) -> str:
        return self.pick(["300..399", "0x10..0x20", "-20..-10", "5..5", "200..100", "1 ..2",
                          "1.. 2", "010..011", "09..10", "1...2"])

    # ------------------------------------------------------------- values
    def index_key(self) -> str:
        k = self.r.random()
        if k < 0.5:
            return self.pick(['"accept"', '"x"', '"a\\x41"', '"é"', '"\\xff"', 'r"x"'])
        if k < 0.8:
            return self.pick(["0", "1", "0x1", "01", "4294967295", "4294967296", "-1", "-0",
                              "09"])
        return "*"

    def indexed(self, base: str, key: str) -> str:
        inner = key
        if self.chance(0.15):
            inner = self.opt() + key + self.opt()
        gap = self.sep() if self.chance(0.04) else ""
        return f"{base}{gap}[{inner}]"

    def string_value(self, depth: int) -> tuple[str, bool]:
        """A String value; the flag says it is per-element (has [*])."""
        k = self.r.random()
        if k < 0.55 or depth > 2:
            return self.pick(STRING_FIELDS), False
        if k < 0.75:
            m = self.pick(MAP_FIELDS)
            key = self.pick(['"accept"', '"x"', '"a-b"'])
            key = self.index_key() if self.chance(0.2) else key
            idx = self.pick(["0", "1", "*"]) if self.chance(0.8) else self.index_key()
            text = self.indexed(self.indexed(m, key), idx)
            return text, "*" in (key, idx)
        if k < 0.85:
            arr = self.pick(ARRAY_FIELDS)
            idx = self.pick(["0", "*"])
            return self.indexed(arr, idx), idx == "*"
        inner, each = self.string_value(depth + 1)
        fn = self.pick(["lower", "upper"])
        return f"{fn}{self.opt()}({self.opt()}{inner}{self.opt()})", each

    # ------------------------------------------------------------- comparisons
    def string_cmp(self, depth: int) -> tuple[str, bool]:
        left, each = self.string_value(depth)
        k = self.r.random()
        if k < 0.3:
            op = self.pick(["eq", "ne", "lt", "le", "gt", "ge", "==", "!=", "<", "<=", ">",
                            ">="])
            right = self.string_lit()
        elif k < 0.45:
            op, right = "contains", self.string_lit()
        elif k < 0.6:
            op = self.pick(["matches", "~"])
            right = self.pick([self.quoted(), self.raw(), '"["]"', '"[\\"]"', '"a\\.b"',
                               '"a\\"b"', '"\\d+"', '"[a"'])
        elif k < 0.72:
            op = self.pick(["wildcard", "strict wildcard", "strict  wildcard"])
            right = self.pick([self.quoted(), self.raw()])
        elif k < 0.9:
            op = "in"
            right = self.string_set() if self.chance(0.8) else self.list_ref()
        else:
            op = self.pick(["eq", "ne"])
            right, _ = self.string_value(depth + 1)
            if "*" in right:
                right = self.pick(STRING_FIELDS)
        word = op[0].isalpha()
        op = " ".join(self.kw(w) for w in op.split(" ")) if " " in op and op.count(" ") == 1 \
            else (self.kw(op) if word else op)
        before = self.sep() if word else self.opt()
        after = self.sep() if word and not right[:1] in '"{$' else self.opt()
        if word and self.chance(0.05):
            before = before or " "
            after = ""
        return f"{left}{before}{op}{after}{right}", each

    def string_set(self) -> str:
        elems = []
        for _ in range(self.r.randint(0, 4)):
            elems.append(self.string_lit())
        seps = [self.sep() if not (a.endswith('"') and self.chance(0.3)) else ""
                for a in elems]
        if elems and self.chance(0.05):
            seps[0] = ", "
        body = "".join(e + s for e, s in zip(elems, seps)).rstrip(" \r\n\t")
        return "{" + self.opt() + body + self.opt() + "}"

    def list_ref(self) -> str:
        return "$" + self.pick(["x", "my_list", "cf.open_proxies", "a1", "a.b", "a_b",
                                "My_List", ".a", "a.", "", "a-b", "A"])

    def int_cmp(self) -> str:
        left = self.pick(INT_FIELDS)
        k = self.r.random()
        if k < 0.55:
            op = self.pick(["eq", "ne", "lt", "le", "gt", "ge", "==", "!=", "<", "<=", ">",
                            ">="])
            right = self.int_lit()
        elif k < 0.7:
            op = self.pick(["&", "bitwise_and"])
            right = self.int_lit()
        elif k < 0.95:
            op = "in"
            elems = [self.int_range() if self.chance(0.3) else self.int_lit()
                     for _ in range(self.r.randint(0, 4))]
            sep = self.sep()
            right = "{" + self.opt() + sep.join(elems) + self.opt() + "}"
            if elems and self.chance(0.05):
                right = "{" + ",".join(elems) + "}"
        else:
            op = self.pick(["eq", "&"])
            right = self.pick(INT_FIELDS)
        word = op[0].isalpha()
        op = self.kw(op) if word else op
        return f"{left}{self.sep() if word else self.opt()}{op}{self.sep()}{right}"

    def ip_cmp(self) -> str:
        left = self.pick(IP_FIELDS)
        k = self.r.random()
        if k < 0.4:
            op = self.pick(["eq", "ne", "==", "!=", "ge", "<"])
            right = self.ip_lit() if self.chance(0.9) else self.cidr()
        elif k < 0.9:
            op = "in"
            elems = [self.pick([self.ip_lit, self.cidr, self.ip_range])()
                     for _ in range(self.r.randint(0, 4))]
            right = "{" + self.opt() + self.sep().join(elems) + self.opt() + "}"
            if self.chance(0.05):
                right = self.cidr()  # no braces
        else:
            op = "in"
            right = self.list_ref()
        word = op[0].isalpha()
        op = self.kw(op) if word else op
        return f"{left}{self.sep() if word else self.opt()}{op}{self.sep()}{right}"

    def bool_value(self) -> str:
        k = self.r.random()
        if k < 0.6:
            return self.pick(BOOL_FIELDS)
        v, _ = self.string_value(2)
        if "*" in v:
            v = self.pick(STRING_FIELDS)
        fn = self.pick(["starts_with", "ends_with"])
        return f"{fn}{self.opt()}({self.opt()}{v}{self.opt()},{self.opt()}{self.quoted()}" \
               f"{self.opt()})"

    # ------------------------------------------------------------- filters
    def atom(self, depth: int) -> str:
        k = self.r.random()
        if k < 0.35:
            text, each = self.string_cmp(depth)
            if each:
                return f"{self.kw('any') if self.chance(0.5) else 'all'}{self.opt()}(" \
                       f"{self.opt()}{text}{self.opt()})"
            return text
        if k < 0.55:
            return self.int_cmp()
        if k < 0.7:
            return self.ip_cmp()
        return self.bool_value()

    def filter(self, depth: int = 0) -> str:
        if depth > 3 or self.chance(0.35):
            return self.atom(depth)
        k = self.r.random()
        if k < 0.45:
            ops = self.pick([("and", "&&"), ("or", "||"), ("xor", "^^")])
            parts = [self.filter(depth + 1) for _ in range(self.r.randint(2, 3))]
            out = parts[0]
            for p in parts[1:]:
                op = self.pick(ops)
                if op[0].isalpha():
                    out += self.sep() + self.kw(op) + self.sep() + p
                else:
                    out += self.opt() + op + self.opt() + p
            return out
        if k < 0.65:
            inner = self.filter(depth + 1)
            if self.chance(0.5):
                return "!" + self.opt() + self.wrap(inner)
            return self.kw("not") + self.sep() + self.wrap(inner)
        if k < 0.85:
            return "(" + self.opt() + self.filter(depth + 1) + self.opt() + ")"
        return self.atom(depth)

    def wrap(self, text: str) -> str:
        return f"({text})" if any(w in text for w in (" and", " or", " xor", "&&", "||",
                                                       "^^", "\n")) else text

    def expression(self) -> str:
        text = self.filter()
        if self.chance(0.05):
            text = self.pick(["(", ")", "", " and", " #c", "("]) + text
        if self.chance(0.05):
            text = text + self.pick([")", " or", " ssl", "]", " //x", ","])
        if self.chance(0.1):
            text = self.pick([" ", "\t", "\n", "\u00a0", "\r\n"]) + text + \
                self.pick([" ", "\t", "\n", "\u00a0"])
        if self.chance(0.25):
            text = self.mutate(text)
        return text

    def mutate(self, text: str) -> str:
        """One character-level mutation: insert, delete or duplicate at a random place."""
        i = self.r.randint(0, len(text))
        k = self.r.random()
        if k < 0.5:
            return text[:i] + self.pick(MUTANTS) + text[i:]
        if k < 0.8:
            return text[:i] + text[i + self.r.randint(1, 3):]
        j = self.r.randint(i, min(len(text), i + 8))
        return text[:j] + text[i:j] + text[j:]


MUTANTS = list("()[]{}\",$*!=<>&|^~#'-.:/r0x9 \n\t") + ["\u00a0", "..", "::", "\"\"", "r#",
                                                        "not ", " and ", "eq ", "in "]
