"""Deterministic news-like corpus with injected near-duplicates and partial copies.

Where the text comes from: only from this repository's own fictional articles (corpus/docs/
wire, rewrites, independent and other, licensed like the project) and the filler briefs in
corpus/generate_filler/. The two real articles in corpus/docs/seeds/ and the generated copies in
corpus/docs/copies/ are not used. Each source sentence becomes a template: its function words,
punctuation and shape are kept, while names (capitalized words inside a sentence) and the digits
of figures are always replaced, and each content word (3 letters or more, not in STOP) with
probability CONTENT_SWAP, by words drawn from the same language's vocabulary of the corpus
(a vowel-initial word for a vowel-initial one, so that French elision holds). The vocabulary
is the corpus's words, ranked by frequency, followed by made-up words and names spliced from
them (`lexicon`), about 40,000 words and 8,000 names per language, drawn by Zipf's law: the
corpus alone has too few words for 60,000 documents to share word pairs no more than real
articles do. A document is a title and paragraphs of such sentences drawn
from any article of one language, so no two generated documents share more than chance
phrasing, although they read like the corpus (English or French newswire, accents, quotes,
datelines, figures).

What is injected, and recorded as truth:

- near-duplicates: an original document copied 1 to 3 times, each copy with small edits (words
  swapped, a sentence dropped, figures changed, typographic quotes and apostrophes) and/or site
  boilerplate (navigation, "Read also" links, footer). Each copy is kept only if the Jaccard
  similarity of its word 5-gram set with the original's is at least 0.8 (words: maximal runs of
  Unicode word characters, lowercased; see `words`). Every pair inside a cluster is recorded with
  its exact Jaccard: `near-duplicate` when >= 0.8, `same-source` below (two copies of one
  original that drifted apart: a true copy relation, but under the near-duplicate threshold).
- partial copies: a contiguous run of whole sentences making 20 to 60 percent of an original's
  words, inside a page of other generated text (before and after it). Recorded as `partial`
  with the exact fraction of the source's words copied and the pair's 5-gram Jaccard.

Python 3 standard library only; the same arguments give byte-identical output.
"""

import bisect
import hashlib
import itertools
import json
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "corpus", "docs")
FILLER = os.path.join(ROOT, "corpus", "generate_filler")
SOURCE_DIRS = ("wire", "rewrites", "independent", "other")

CONTENT_SWAP = 0.9  # probability that a content word of a template is replaced
NEAR_DUP_SHARE = 0.10  # share of all documents that are near-duplicate copies
PARTIAL_SHARE = 0.05  # share of all documents that carry a partial copy
FRENCH_SHARE = 0.6
# Made-up words and names added to each language's vocabulary (see `lexicon`): the corpus alone
# has about 1,200 English and 2,000 French content words and a few hundred names, far fewer
# than 60,000 real articles would, which would make unrelated documents share word pairs by
# chance far more often than real ones do.
TAIL_WORDS = 40000
TAIL_NAMES = 8000
ZIPF_SHIFT = 10

WORD_RE = re.compile(r"\w+")
DIGITS_RE = re.compile(r"\d+")
SPLIT_RE = re.compile(r"(\w+)")
SENTENCE_END_RE = re.compile(r"(?<=[.!?»\"])\s+(?=[A-ZÀ-Ý«\"])")

# Function words kept as they are in templates (lowercase). Everything else of 4 letters or more
# that is not a name or a number is a content word and may be swapped.
STOP = {
    "en": set("""a about above after again against all also although am an and any are as at be
    because been before being below between both but by can could did do does doing down during
    each few for from further had has have having he her here hers him his how however i if in
    into is it its itself just last more most much my near next no nor not now of off on once
    only or other our out over own per same she should since so some such than that the their
    them then there these they this those through to too under until up upon very was we were
    what when where whether which while who whom whose why will with within without would you
    your said says told year years week day days month""".split()),
    "fr": set("""a afin ai ainsi alors apres après au aucun aupres auprès aussi autre autres aux
    avait avant avec avoir ayant c ce ceci cela celle celles celui ces cet cette ceux chaque chez
    comme comment contre d dans de depuis des deux dont du elle elles en encore entre est et etait
    était été être eu fait faire il ils j jusqu l la le les leur leurs lors lorsque lui m mais me
    même meme mes moins n ne ni non nos notre nous on ont ou où par parmi pas pendant peu plus
    pour pourtant qu quand que quel quelle quelles quels qui s sa sans se selon ses si sont sous
    sur ta te tous tout toute toutes tres très trois un une vers vos votre vous y a été ans
    année jour jours mois selon""".split()),
}

# Site boilerplate for near-duplicate copies. Every line but the "fixed" ones carries something
# drawn at random (a title, the site's name, a section), and a page gets at most one fixed line
# above and one below its article: boilerplate varies from site to site, so unrelated pages
# should not share long runs of it (a generator artefact that would count against precision).
BOILERPLATE = {
    "en": {
        "header": ["{site}", "{site} | {section} | {section} | {section}", "Breaking: {title}",
                   "{site} — {section}"],
        "header_fixed": ["Skip to content", "Sign in | Subscribe", "Menu  Search"],
        "inline": ["Read also: {title}", "Related: {title}", "Watch: {title}",
                   "Advertisement — {site}", "More {section}: {title}"],
        "footer": ["© {year} {site}", "Most read: {title}", "More on this story: {title}",
                   "{section} | {section} | {section}", "Published by {site}"],
        "footer_fixed": ["Share: Facebook, X, Email", "Contact | Privacy | Terms",
                         "All rights reserved."],
        "sites": ["The {name} Courier", "The {name} Gazette", "{name} Herald",
                  "The {name} Ledger", "{name} Times", "{name} Evening Post"],
    },
    "fr": {
        "header": ["{site}", "{site} | {section} | {section} | {section}",
                   "Dernière minute : {title}", "{site} — {section}"],
        "header_fixed": ["Aller au contenu", "Se connecter | S'abonner", "Menu  Rechercher"],
        "inline": ["Lire aussi : {title}", "À lire également : {title}", "Vidéo : {title}",
                   "Publicité — {site}", "{section} : {title}"],
        "footer": ["© {site} {year}", "Les plus lus : {title}", "Sur le même sujet : {title}",
                   "{section} | {section} | {section}", "Publié par {site}"],
        "footer_fixed": ["Partager : Facebook, X, courriel", "Contact | Confidentialité",
                         "Tous droits réservés."],
        "sites": ["Le Courrier de {name}", "La Gazette de {name}", "L'Écho de {name}",
                  "Le Journal de {name}", "La Dépêche de {name}", "Le Réveil de {name}"],
    },
}


def words(text):
    """The words 5-grams are made of: maximal runs of Unicode word characters, lowercased."""
    return WORD_RE.findall(text.lower())


def shingles(text, k=5):
    w = words(text)
    if len(w) < k:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + k]) for i in range(len(w) - k + 1)}


def starts_with_vowel(word):
    return word[0].lower() in "aeiouyàâäéèêëîïôöùûüœh"


def jaccard(a, b):
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

class Language:
    """Templates and vocabulary of one language, read from the repository's corpus."""

    def __init__(self, lang):
        self.lang = lang
        self.titles = []     # templates of titles
        self.sentences = []  # templates of body sentences
        # content words, with repetition (so drawn by corpus frequency), split by whether they
        # start with a vowel so that a swap keeps French elision (l', d', qu') grammatical
        self.content = {True: [], False: []}
        self.names = []      # capitalized words found inside sentences

    def add_article(self, text, has_title):
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        if has_title and paragraphs:
            self.titles.append(self.template(paragraphs[0], title=True))
            paragraphs = paragraphs[1:]
        for p in paragraphs:
            for s in SENTENCE_END_RE.split(p.replace("\n", " ")):
                s = s.strip()
                if len(words(s)) >= 4:
                    self.sentences.append(self.template(s))

    def template(self, sentence, title=False):
        """A sentence as a tuple of slots: ("s", text) kept, ("w", word) a content word,
        ("n", name) a name, ("d", digits) a number."""
        stop = STOP[self.lang]
        slots = []
        first_word = True
        for i, part in enumerate(SPLIT_RE.split(sentence)):
            if not part:
                continue
            if i % 2 == 0:
                slots.append(("s", part))
                continue
            if any(c.isdigit() for c in part):
                slots.append(("d", part))
            elif part[0].isupper() and not first_word and not title and part.lower() not in stop:
                slots.append(("n", part))
                if part.isalpha() and len(part) > 2:
                    self.names.append(part)
            elif part.isalpha() and len(part) >= 3 and part.lower() not in stop:
                slots.append(("w", part))
                self.content[starts_with_vowel(part)].append(part.lower())
            else:
                slots.append(("s", part))
            first_word = False
        return tuple(slots)

    def finish(self):
        """Turns the words seen into Zipf samplers over a realistic vocabulary: the corpus's words
        by falling frequency, then TAIL_WORDS (TAIL_NAMES) made-up ones spliced from them."""
        rng = random.Random(f"vocabulary-{self.lang}")  # independent of the corpus seed
        self.content = {v: Zipf(lexicon(ws, int(TAIL_WORDS * len(ws) / max(1, sum(
            len(x) for x in self.content.values()))), rng, lambda w: w))
            for v, ws in self.content.items()}
        self.names = Zipf(lexicon(self.names, TAIL_NAMES, rng, str.capitalize))


def lexicon(seen, n_tail, rng, case):
    """The distinct words of `seen` by falling count (ties alphabetical), then n_tail new words
    made by splicing the start of one seen word to the end of another (`condamnent` +
    `inondation` -> `condation`), so a generated corpus has a vocabulary of realistic size with
    the corpus's letters and accents. Spliced words keep the first letter of their start."""
    counts = {}
    for w in seen:
        counts[w] = counts.get(w, 0) + 1
    head = sorted(counts, key=lambda w: (-counts[w], w))
    pool = [w for w in head if w.isalpha() and len(w) >= 4] or head
    known = set(head)
    tail = []
    while len(tail) < n_tail:
        a, b = rng.choice(pool), rng.choice(pool)
        w = case(a[:rng.randint(2, len(a) - 2)] + b[rng.randint(1, len(b) - 2):].lower())
        if 4 <= len(w) <= 14 and w not in known:
            known.add(w)
            tail.append(w)
    return head + tail


class Zipf:
    """Draws items with probability proportional to 1 / (rank + ZIPF_SHIFT) (Zipf-Mandelbrot):
    the shift flattens the head, so that the commonest content word is about 1% of content
    words, as in news text, rather than the 9% of a pure Zipf law over content words alone."""

    def __init__(self, items):
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (r + ZIPF_SHIFT) for r in range(1, len(items) + 1)))
        self.total = self.cum[-1]

    def draw(self, rng):
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.total)]

    def __len__(self):
        return len(self.items)


def load_languages():
    langs = {"en": Language("en"), "fr": Language("fr")}
    for d in SOURCE_DIRS:
        folder = os.path.join(DOCS, d)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            lang = name[:2]
            if lang not in langs:
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                langs[lang].add_article(f.read(), has_title=True)
    for lang in ("en", "fr"):
        with open(os.path.join(FILLER, f"briefs-{lang}.txt"), encoding="utf-8") as f:
            langs[lang].add_article(f.read(), has_title=False)
    for lang in langs.values():
        lang.finish()
    return langs


class Writer:
    """Renders templates into new sentences with one seeded random generator."""

    def __init__(self, langs, rng):
        self.langs = langs
        self.rng = rng

    def number(self, token):
        """The token with each run of digits replaced by a random one of the same length."""
        return DIGITS_RE.sub(lambda m: self.digits(m.group()), token)

    def digits(self, digits):
        r = self.rng
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(r.randint(1990, 2030))
        first = str(r.randint(1, 9)) if len(digits) > 1 else str(r.randint(0, 9))
        return first + "".join(str(r.randint(0, 9)) for _ in range(len(digits) - 1))

    def render(self, lang, template):
        r = self.rng
        L = self.langs[lang]
        out = []
        for kind, text in template:
            if kind == "s":
                out.append(text)
            elif kind == "d":
                out.append(self.number(text))
            elif kind == "n":
                out.append(L.names.draw(r))
            elif r.random() < CONTENT_SWAP:
                w = L.content[starts_with_vowel(text)].draw(r)
                out.append(w.capitalize() if text[0].isupper() else w)
            else:
                out.append(text)
        return "".join(out)

    def title(self, lang):
        return self.render(lang, self.rng.choice(self.langs[lang].titles))

    def sentence(self, lang):
        return self.render(lang, self.rng.choice(self.langs[lang].sentences))

    def paragraphs(self, lang, n_sentences):
        """n_sentences sentences in paragraphs of 1 to 4 sentences, as a list of lists."""
        r = self.rng
        paras = []
        left = n_sentences
        while left > 0:
            k = min(left, r.choice((1, 2, 2, 3, 3, 4)))
            paras.append([self.sentence(lang) for _ in range(k)])
            left -= k
        return paras

    def article_length(self):
        # Mostly 8 to 30 sentences, a long tail up to 60: news pages of 1 to 8 KB.
        return max(4, min(60, int(self.rng.lognormvariate(2.85, 0.45))))


def join(title, paras):
    return title + "\n\n" + "\n\n".join(" ".join(p) for p in paras)


# ---------------------------------------------------------------------------------------------
# Near-duplicate copies
# ---------------------------------------------------------------------------------------------

def near_duplicate(writer, lang, title, paras, intensity):
    """A copy of the article (title, paras) with edits and boilerplate; intensity in (0, 1]."""
    r = writer.rng
    bp = BOILERPLATE[lang]
    paras = [list(p) for p in paras]
    L = writer.langs[lang]

    site = r.choice(bp["sites"]).format(name=L.names.draw(r))

    def fill(line):
        return line.format(title=writer.title(lang), year=r.randint(2015, 2026), site=site,
                           section=L.content[False].draw(r).capitalize())

    # Word edits: swap a few content words, change a figure.
    n_edits = int(r.randint(0, 6) * intensity)
    for _ in range(n_edits):
        pi = r.randrange(len(paras))
        si = r.randrange(len(paras[pi]))
        parts = SPLIT_RE.split(paras[pi][si])
        idx = [i for i in range(1, len(parts), 2) if len(parts[i]) >= 4 and parts[i].isalpha()]
        if idx:
            i = r.choice(idx)
            parts[i] = L.content[starts_with_vowel(parts[i])].draw(r)
            paras[pi][si] = "".join(parts)
    if r.random() < 0.5 * intensity:
        pi = r.randrange(len(paras))
        si = r.randrange(len(paras[pi]))
        paras[pi][si] = DIGITS_RE.sub(lambda m: writer.digits(m.group()), paras[pi][si], count=1)
    # Drop one sentence of a long article.
    if r.random() < 0.4 * intensity and sum(len(p) for p in paras) > 12:
        pi = r.randrange(len(paras))
        if len(paras[pi]) > 1:
            del paras[pi][r.randrange(len(paras[pi]))]
    # Typography, invisible to word 5-grams: curly apostrophes, French or English quotes.
    if r.random() < 0.5:
        swap = (lambda s: s.replace("'", "\u2019")) if r.random() < 0.5 else \
            (lambda s: re.sub(r'"([^"]*)"', "« \\1 »", s))
        paras = [[swap(s) for s in p] for p in paras]

    body = [" ".join(p) for p in paras]
    # Boilerplate: a header, "read also" lines between paragraphs, a footer.
    if r.random() < 0.8:
        n_inline = int(r.randint(0, 2) * intensity)
        for _ in range(n_inline):
            body.insert(r.randint(1, len(body)), fill(r.choice(bp["inline"])))
        head = [fill(x) for x in r.sample(bp["header"], r.randint(0, 2))]
        if r.random() < 0.5:
            head.insert(0, r.choice(bp["header_fixed"]))
        foot = [fill(x) for x in r.sample(bp["footer"], int(r.randint(1, 3) * intensity))]
        if r.random() < 0.5:
            foot.append(r.choice(bp["footer_fixed"]))
        text = "\n".join(head + [title]) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(foot)
    else:
        text = title + "\n\n" + "\n\n".join(body)
    return text.strip()


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

def generate(n_docs, seed):
    """Returns (docs, truth): docs a list of (id, text) in output order, truth a list of
    (a, b, kind, jaccard5, containment_a_in_b)."""
    langs = load_languages()
    rng = random.Random(seed)
    writer = Writer(langs, rng)

    n_near = int(n_docs * NEAR_DUP_SHARE)
    n_partial = int(n_docs * PARTIAL_SHARE)

    # Plan the near-duplicate clusters: 1 to 3 copies of one original.
    clusters = []
    copies = 0
    while copies < n_near:
        k = min(n_near - copies, rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)))
        clusters.append(k)
        copies += k
    n_plain = n_docs - n_near - n_partial  # originals of every kind and unrelated documents
    if n_plain < len(clusters) + n_partial:
        raise ValueError("too few documents for the injected copies")

    originals = []  # (lang, title, paras)
    for _ in range(n_plain):
        lang = "fr" if rng.random() < FRENCH_SHARE else "en"
        originals.append((lang, writer.title(lang), writer.paragraphs(lang, writer.article_length())))
    texts = [join(t, p) for _, t, p in originals]

    # Which originals are copied: disjoint sets for clusters and partial copies.
    chosen = rng.sample(range(n_plain), len(clusters) + n_partial)
    cluster_src, partial_src = chosen[:len(clusters)], chosen[len(clusters):]

    docs = [("o", i, texts[i]) for i in range(n_plain)]  # provisional keys
    truth_keys = []
    shingle_cache = {}

    def sh(key, text):
        if key not in shingle_cache:
            shingle_cache[key] = shingles(text)
        return shingle_cache[key]

    for c, (src, k) in enumerate(zip(cluster_src, clusters)):
        lang, title, paras = originals[src]
        members = [(("o", src), texts[src])]
        for j in range(k):
            # A fresh edit intensity at each attempt, so the kept copies spread over 0.8-1.0
            # instead of piling up just above the threshold.
            for _attempt in range(20):
                text = near_duplicate(writer, lang, title, paras, rng.uniform(0.1, 1.0))
                if jaccard(sh(("o", src), texts[src]), shingles(text)) >= 0.8:
                    break
            else:
                text = texts[src] + "\n\n" + BOILERPLATE[lang]["footer_fixed"][0]
            key = ("n", c, j)
            docs.append(("n", (c, j), text))
            members.append((key, text))
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                (ka, ta), (kb, tb) = members[x], members[y]
                jac = jaccard(sh(ka, ta), sh(kb, tb))
                kind = "near-duplicate" if jac >= 0.8 else "same-source"
                truth_keys.append((ka, kb, kind, jac, None))
        shingle_cache.clear()

    for p, src in enumerate(partial_src):
        lang, title, paras = originals[src]
        sentences = [s for para in paras for s in para]
        lengths = [len(words(s)) for s in sentences]
        total = sum(lengths) + len(words(title))
        target = rng.uniform(0.2, 0.6)
        # The shortest run of whole sentences from a random start that reaches the target share.
        for _attempt in range(20):
            start = rng.randrange(len(sentences))
            n = 0
            end = start
            while end < len(sentences) and n < target * total:
                n += lengths[end]
                end += 1
            if 0.2 <= n / total <= 0.6:
                break
        else:
            start, end = 0, 0
            n = 0
            while end < len(sentences) and n / total < 0.2:
                n += lengths[end]
                end += 1
        run = sentences[start:end]
        copied_paras = [run[i:i + 3] for i in range(0, len(run), 3)]
        # Other text of one to two times the copied run's length, before and after it.
        other = max(2, int(len(run) * rng.uniform(1.0, 2.0)))
        before = rng.randint(1, other - 1)
        page = writer.paragraphs(lang, before) + copied_paras + writer.paragraphs(lang, other - before)
        text = join(writer.title(lang), page)
        fraction = n / total
        jac = jaccard(shingles(texts[src]), shingles(text))
        docs.append(("p", p, text))
        truth_keys.append((("o", src), ("p", p), "partial", jac, fraction))

    # Shuffle so copies are not next to their originals, then name documents in output order.
    rng.shuffle(docs)
    names = {}
    out = []
    for i, (kind, key, text) in enumerate(docs):
        doc_id = f"d{i:07d}"
        names[(kind, key)] = doc_id
        out.append((doc_id, text))

    def name(k):
        if k[0] == "o":
            return names[("o", k[1])]
        if k[0] == "n":
            return names[("n", (k[1], k[2]))]
        return names[k]

    truth = []
    for ka, kb, kind, jac, frac in truth_keys:
        a, b = name(ka), name(kb)
        if kind != "partial" and a > b:
            a, b = b, a
        truth.append((a, b, kind, jac, frac))
    truth.sort()
    return out, truth


def write(work, n_docs, seed):
    """Writes work/corpus-N-SEED.jsonl and .truth.tsv unless already there from this very
    generator (same source file) and intact; returns (jsonl path, truth path, meta dict)."""
    version = sha256(os.path.abspath(__file__))
    os.makedirs(work, exist_ok=True)
    stem = os.path.join(work, f"corpus-{n_docs}-{seed}")
    meta_path = stem + ".meta.json"
    jsonl, tsv = stem + ".jsonl", stem + ".truth.tsv"
    if os.path.exists(meta_path) and os.path.exists(jsonl) and os.path.exists(tsv):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("generator") == version and \
                meta.get("sha256") == sha256(jsonl):
            meta["cached"] = True
            return jsonl, tsv, meta
    docs, truth = generate(n_docs, seed)
    with open(jsonl, "w", encoding="utf-8") as f:
        for doc_id, text in docs:
            f.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    with open(tsv, "w", encoding="utf-8") as f:
        f.write("a\tb\tkind\tjaccard5\tcontainment_a_in_b\n")
        for a, b, kind, jac, frac in truth:
            f.write(f"{a}\t{b}\t{kind}\t{jac:.4f}\t{'' if frac is None else f'{frac:.4f}'}\n")
    counts = {}
    for t in truth:
        counts[t[2]] = counts.get(t[2], 0) + 1
    meta = {
        "generator": version, "docs": n_docs, "seed": seed,
        "bytes": os.path.getsize(jsonl),
        "text_bytes": sum(len(t.encode("utf-8")) for _, t in docs),
        "truth": counts, "sha256": sha256(jsonl),
    }
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    meta["cached"] = False
    return jsonl, tsv, meta


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "peers"))
    a = ap.parse_args()
    jsonl, tsv, meta = write(a.work, a.docs, a.seed)
    print(json.dumps({"jsonl": jsonl, "truth": tsv, "meta": meta}, indent=1))
