#!/usr/bin/env python3
"""Writes the hand-made seed inputs of every fuzz target into fuzz/seeds/<target>/.

The seeds are small inputs that reach the interesting parts of each target at once: snippets of
the repository's corpus, mixed scripts, combining marks, CJK compatibility characters, byte-order
marks, broken UTF-8, malformed JSON lines, long lines, NUL bytes. AFL starts from them; the
minimized queue of a long run is what fuzz/corpus/<target>/ keeps (see README.md).

Run from anywhere: python3 fuzz/make_seeds.py. Deterministic: the same repository gives the same
files.
"""

import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "seeds")


def snippet(rel, start=0, size=400):
    with open(os.path.join(REPO, rel), "rb") as f:
        data = f.read()
    # Cut on a character boundary: step back over UTF-8 continuation bytes.
    end = min(len(data), start + size)
    while end < len(data) and (data[end] & 0xC0) == 0x80:
        end -= 1
    return data[start:end]


SEED = "corpus/docs/seeds/afp-2022-09-albania-iran.txt"
MT = "corpus/docs/seeds/syndicated-mt-albania-iran.txt"
COPY = "corpus/docs/copies/verbatim-fr-wildfire.txt"

TEXTS = {
    "afp-fr": snippet(SEED),
    "mt-fr": snippet(MT),
    "page-fr": snippet(COPY, 0, 300),
    "typography": "« Les États‑Unis condamnent l’Iran » — a dit l’Otan… Fin.\u00a0Oui\u202f!".encode(),
    "compat": "ŒUVRE Straße ﬁn Ａ² ½ Ⅻ Ǆ İstanbul ς ㆒⼈ ㍿ ﾃｽﾄ ｶ ゟ".encode(),
    "combining": "e\u0301te\u0301 \u0301\u0301 a\u0308\u0323\u0301 か\u0301 で".encode(),
    "cjk": "東京で地震 Tokyo 地震。次の文！ 𠀋𪚲 丽 豈".encode(),
    "scripts": "مرحبا بالعالم Привет мир Γειά σου ΚΌΣΜΕ שלום नमस्ते 🙂👍🏽 \u200f\u200e\ufeff".encode(),
    "lines": b"line one.\nline two\r\nthree\u2028four\u2029five\x85six",
    "broken-utf8": b"caf\xe9 noir \xc3\x28 \xe2\x82 \xf0\x9f\x99 \xed\xa0\x80 \xc0\xaf end\xff",
    "nul": b"before\x00after \x00\x00 NUL",
    "digits": b"1 000 000 3,14 2022-09-07 v1.2.3 0x1F 1e10",
    "long-word": b"a" * 3000 + b" " + "é".encode() * 500,
    "empty": b"",
}


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    shutil.rmtree(OUT, ignore_errors=True)

    for name, data in TEXTS.items():
        write("tokenize", name, data)

    # compare: A 0xFF B.
    pairs = {
        "afp-vs-mt": snippet(SEED, 0, 800) + b"\xff" + snippet(MT, 0, 800),
        "wire-in-page": snippet(SEED, 0, 300)
        + b"\xff"
        + b"Accueil > Monde\n"
        + snippet(SEED, 0, 300)
        + b"\nLire aussi : la m\xc3\xa9t\xc3\xa9o.",
        "same": TEXTS["typography"] + b"\xff" + TEXTS["typography"],
        "accents-vs-plain": "Les États-Unis condamnent sévèrement l’Iran, dit l’OTAN.".encode()
        + b"\xff"
        + b"\"Les Etats-Unis condamnent severement l'Iran\", dit l'Otan.",
        "cjk": TEXTS["cjk"] + b"\xff" + TEXTS["cjk"][::-1],
        "repeats": b"le chat le chat le chat mange " * 20 + b"\xff" + b"le chat mange le chat " * 20,
        "empty-a": b"\xff" + TEXTS["afp-fr"],
        "stop-words": b"de la le les des\xffde la le les des",
        "no-split": TEXTS["mt-fr"],
    }
    for name, data in pairs.items():
        write("compare", name, data)

    def j(obj):
        return json.dumps(obj, ensure_ascii=False).encode()

    jsonl = {
        "good": b"\n".join(
            [
                j({"id": "a", "text": "un texte", "date": "2022-09-07", "url": "https://example.org/a"}),
                j({"id": 7, "text": "deux"}),
                j({"id": "c", "text": TEXTS["afp-fr"].decode()}),
            ]
        )
        + b"\n",
        "bad-lines": b"not json\n{\"text\": \"no id\"}\n{\"id\": \"x\"}\n{\"id\": null, \"text\": \"n\"}\n"
        b"{\"id\": [1], \"text\": \"t\"}\n{\"id\": \"a\", \"text\": 5}\n[1,2]\n\"s\"\n{\n}\n",
        "duplicates": b"{\"id\": \"a\", \"text\": \"un\"}\n{\"id\": \"a\", \"text\": \"dup\"}\n"
        b"{\"id\": 1, \"text\": \"n\"}\n{\"id\": \"1\", \"text\": \"s\"}\n{\"id\": 1.0, \"text\": \"f\"}\n",
        "bom-crlf-blank": b"\xef\xbb\xbf{\"id\": \"a\", \"text\": \"bom\"}\r\n\r\n   \n\t\n{\"id\": \"b\", \"text\": \"crlf\"}\r\n",
        "escapes": b"{\"id\": \"\\u00e9\\ud83d\\ude42\", \"text\": \"a\\nb\\u0000c\\\"d\\\\\", \"extra\": {\"x\": [1, {}]}}\n"
        b"{\"id\": \"lone\", \"text\": \"\\ud800\"}\n",
        "broken-utf8": b"{\"id\": \"a\", \"text\": \"caf\xe9\"}\n{\"id\": \"b\", \"text\": \"ok\"}\n\xff\xfe\n",
        "long-line": b"{\"id\": \"big\", \"text\": \"" + b"x" * 4100 + b"\"}\n{\"id\": \"small\", \"text\": \"ok\"}\n"
        + b"{\"id\": \"edge\", \"text\": \"" + b"y" * (4096 - 26) + b"\"}",
        "numbers": b"{\"id\": 18446744073709551616, \"text\": \"big\"}\n{\"id\": -0, \"text\": \"z\"}\n"
        b"{\"id\": 1e400, \"text\": \"inf\"}\n{\"id\": 0.1, \"text\": \"f\"}\n",
        "nul-no-newline": b"{\"id\": \"a\", \"text\": \"x\"}\x00\n{\"id\": \"b\", \"text\": \"y\"}",
        "empty": b"",
    }
    for name, data in jsonl.items():
        write("jsonl", name, data)

    decode = {
        "utf8": TEXTS["scripts"],
        "utf8-bom": b"\xef\xbb\xbf" + TEXTS["typography"],
        "utf16le": b"\xff\xfe" + "été 東京 🙂".encode("utf-16-le"),
        "utf16be": b"\xfe\xff" + "été 東京 🙂".encode("utf-16-be"),
        "utf16le-odd-lone": b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8" + b"x",
        "utf16be-lone-low": b"\xfe\xff\xdc\x00\x00a",
        "bom-only": b"\xff\xfe",
        "broken-utf8": TEXTS["broken-utf8"],
        "nul": TEXTS["nul"],
        "empty": b"",
    }
    for name, data in decode.items():
        write("decode", name, data)


if __name__ == "__main__":
    main()
