#!/usr/bin/env python3
"""Builds the generated part of reprint's labeled corpus.

Reads the hand-written documents under corpus/docs/ (seeds/, wire/, rewrites/, independent/,
other/) and, under corpus/generate_filler/, the filler briefs (briefs-*.txt) and the sites that
publish the generated pages (sites-*.txt), then writes

- corpus/docs/copies/*.txt: verbatim copies (a wire article wrapped in site boilerplate),
  partial copies (a contiguous run of whole sentences of a wire article inside a page of
  unrelated briefs) and partial copies of a second rendering (whole paragraphs). Each page is
  published on a site of its own and each brief is used once, so that generated pages share
  no text but what they copy (checked: see check_decoration);
- corpus/labels.tsv: every labeled pair, the hand-labeled ones declared in HAND_PAIRS below and
  the generated ones, sorted by (a, b).

True containment of A in B is the fraction of A's text present in B, counted in A's words
(maximal runs of Unicode alphanumeric characters, as reprint tokenizes). For generated
copies it is computed exactly from the copied span. For rewrites and translations declared
below it is 1 minus the share of the passages of A that B leaves out (listed verbatim in
HAND_PAIRS); the seed pair carries the estimate given in /work/shared/seeds/README.md.

Python 3 standard library only, no network, deterministic: running it from the repository root
(`python3 corpus/generate.py`) reproduces the committed files byte for byte.
"""

import os
import random
import sys
import unicodedata

SEED = 20240517
HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
COPIES = os.path.join(DOCS, "copies")
FILLER = os.path.join(HERE, "generate_filler")
LABELS = os.path.join(HERE, "labels.tsv")

POSITIVE = ("verbatim", "partial", "rewrite", "translation", "excerpt", "excerpt-translation",
            "translation-across", "partial-across")
NEGATIVE = ("same-story", "unrelated")

# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def read_doc(doc_id):
    with open(os.path.join(DOCS, doc_id), encoding="utf-8") as f:
        text = f.read()
    check_text(doc_id, text)
    return text


def check_text(name, text):
    if unicodedata.normalize("NFC", text) != text:
        sys.exit(f"{name}: not NFC")
    for c in text:
        if unicodedata.category(c) in ("Mn", "Mc", "Me"):
            sys.exit(f"{name}: combining mark U+{ord(c):04X} (tokenizers disagree on those)")
    if "\r" in text or "\t" in text:
        sys.exit(f"{name}: carriage return or tab")


def word_spans(text):
    """(start, end) of every word: a maximal run of alphanumeric characters."""
    spans, start = [], None
    for i, c in enumerate(text):
        if c.isalnum():
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def word_chars(text, lo=0, hi=None):
    """Characters of the words of text lying entirely within text[lo:hi]."""
    hi = len(text) if hi is None else hi
    return sum(e - s for s, e in word_spans(text) if s >= lo and e <= hi)


def word_count(text, lo=0, hi=None):
    """Number of the words of text lying entirely within text[lo:hi]."""
    hi = len(text) if hi is None else hi
    return sum(1 for s, e in word_spans(text) if s >= lo and e <= hi)


def words_lower(text):
    return [strip_accents(text[s:e].lower()) for s, e in word_spans(text)]


def strip_accents(w):
    return "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")


def paragraphs(text):
    """(start, end) of each paragraph (blocks separated by blank lines)."""
    out, pos = [], 0
    for block in text.split("\n\n"):
        s = pos + (len(block) - len(block.lstrip("\n")))
        e = pos + len(block.rstrip("\n"))
        if e > s:
            out.append((s, e))
        pos += len(block) + 2
    return out


ABBREVIATIONS = {"m", "mme", "mlle", "me", "dr", "st", "mr", "mrs", "ms", "sept", "oct", "nov",
                 "dec", "jan", "feb", "aug", "etc", "no", "vs"}
OPENERS = "\"«“'("
CLOSERS = "\"»”')"


def quotes_closed(s):
    return s.count('"') % 2 == 0 and s.count("«") == s.count("»") and s.count("“") == s.count("”")


def sentences(text, lo, hi):
    """(start, end) of the sentences of text[lo:hi]: a split after . ! ? (and closing quotes)
    followed by a space and a capital letter, digit or opening quote, unless the period ends an
    abbreviation or a single letter, or a quotation is still open (quotes are not cut)."""
    out, start, i = [], lo, lo
    while i < hi:
        c = text[i]
        if c in ".!?":
            j = i + 1
            while j < hi and text[j] in CLOSERS:
                j += 1
            k = j
            while k < hi and text[k] == " ":
                k += 1
            if k > j and k < hi and (text[k].isupper() or text[k].isdigit() or text[k] in OPENERS):
                w = i
                while w > start and text[w - 1].isalnum():
                    w -= 1
                prev = text[w:i].lower()
                abbreviation = prev in ABBREVIATIONS or (len(prev) == 1 and prev.isalpha())
                if (c != "." or not abbreviation) and quotes_closed(text[lo:j]):
                    out.append((start, j))
                    start = k
                    i = k
                    continue
        i += 1
    if start < hi:
        out.append((start, hi))
    return out


def units(text, by="sentence"):
    """Sentences (or paragraphs) of the whole text, in order."""
    out = []
    for s, e in paragraphs(text):
        out.extend(sentences(text, s, e) if by == "sentence" else [(s, e)])
    return out


def fmt(x):
    return f"{x:.4f}"


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


def shuffled(rng, seq):
    seq = list(seq)
    for i in range(len(seq) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        seq[i], seq[j] = seq[j], seq[i]
    return seq


def read_briefs(name):
    with open(os.path.join(FILLER, name), encoding="utf-8") as f:
        text = f.read()
    check_text(name, text)
    return [text[s:e] for s, e in paragraphs(text)]


# ---------------------------------------------------------------------------------------------
# Sites and their boilerplate (written for this corpus, in generate_filler/sites-*.txt)
# ---------------------------------------------------------------------------------------------

# Every generated page is published on a site of its own, and every filler brief is used on one
# page only: two generated pages share no text except what they copy from the same article, so
# a scan of docs/ finds no copy relation between them that labels.tsv does not declare.

# Fields of a site: a news site holds one whole article (verbatim copies), a digest site a page
# of briefs (partial copies). Optional blocks of a news site are added until boilerplate reaches
# the page's share; `headlines` feeds its "read also" links and related-article lists.
SITE_FIELDS = {
    "news": {"header", "crumb", "footer", "cookie", "byline", "share", "ad", "newsletter",
             "comments", "promo", "readalso", "related", "headlines"},
    "digest": {"header", "title", "intro", "share", "footer"},
}
LIST_FIELDS = {"related", "headlines"}


def read_sites(name):
    """Sites of generate_filler/<name>: a site starts with `=== kind | name`, each field with
    `--- field`; a field's text runs to the next marker (blank lines around it dropped), list
    fields hold one item a line. Lines starting with # before the first site are comments."""
    with open(os.path.join(FILLER, name), encoding="utf-8") as f:
        text = f.read()
    check_text(name, text)
    sites, site, field, lines = [], None, None, []

    def close_field():
        if field is not None:
            body = "\n".join(lines).strip("\n")
            if not body:
                sys.exit(f"{name}: {site['name']}: empty field {field}")
            site[field] = body.split("\n") if field in LIST_FIELDS else body

    for line in text.split("\n"):
        if line.startswith("=== "):
            close_field()
            kind, _, site_name = line[4:].partition(" | ")
            if kind not in SITE_FIELDS or not site_name:
                sys.exit(f"{name}: bad site line {line!r}")
            site, field, lines = {"kind": kind, "name": site_name}, None, []
            sites.append(site)
        elif line.startswith("--- "):
            close_field()
            field, lines = line[4:].strip(), []
            if site is None or field not in SITE_FIELDS[site["kind"]] or field in site:
                sys.exit(f"{name}: unexpected field {line!r}")
        elif site is None:
            if line.strip() and not line.startswith("#"):
                sys.exit(f"{name}: text before the first site: {line!r}")
        else:
            if field is None and line.strip():
                sys.exit(f"{name}: {site['name']}: text outside a field: {line!r}")
            lines.append(line)
    close_field()
    for site in sites:
        missing = SITE_FIELDS[site["kind"]] - set(site)
        if missing:
            sys.exit(f"{name}: {site['name']}: missing {sorted(missing)}")
    names = [site["name"] for site in sites]
    if len(set(names)) != len(names):
        sys.exit(f"{name}: two sites with one name")
    return sites


class Pool:
    """Items drawn without replacement (each used on one page at most), in a shuffled order."""

    def __init__(self, rng, what, items):
        self.what, self.items = what, shuffled(rng, items)

    def take(self, n=1):
        if n > len(self.items):
            sys.exit(f"not enough {self.what}: write more (each is used on one page at most)")
        out, self.items = self.items[:n], self.items[n:]
        return out


# Section of each story, shown in a news site's breadcrumb.
SECTIONS = {
    "fr-bridge-collapse": "France > Faits divers",
    "fr-central-bank": "Économie > Marchés",
    "fr-football-transfer": "Sport > Football",
    "fr-wildfire": "France > Environnement",
    "fr-election": "International > Europe",
    "fr-port-strike": "Économie > Social",
    "fr-tech-layoffs": "Économie > Entreprises",
    "fr-vaccine": "Santé",
    "fr-court-ruling": "France > Justice",
    "fr-drought": "France > Environnement",
    "en-port-ransomware": "Business > Technology",
    "en-airline-merger": "Business > Companies",
    "en-fraud-verdict": "Business > Legal",
    "en-rocket-failure": "Science > Space",
    "en-river-flood": "UK > Weather",
}

# Publication day shown in bylines, matching each story.
STORY_DATES = {
    "fr-bridge-collapse": "14 mars", "fr-central-bank": "9 février", "fr-football-transfer": "15 juillet",
    "fr-wildfire": "25 juillet", "fr-election": "7 octobre", "fr-port-strike": "13 mai",
    "fr-tech-layoffs": "6 mars", "en-port-ransomware": "6 March", "en-airline-merger": "18 September",
    "en-fraud-verdict": "3 June", "en-rocket-failure": "9 October",
}

# ---------------------------------------------------------------------------------------------
# What to generate
# ---------------------------------------------------------------------------------------------

# Wire articles copied verbatim into a boilerplate page, with the share of boilerplate (in word
# characters of the page) to reach.
VERBATIM = [
    "fr-bridge-collapse", "fr-central-bank", "fr-football-transfer", "fr-wildfire",
    "fr-election", "fr-port-strike", "fr-tech-layoffs",
    "en-port-ransomware", "en-airline-merger", "en-fraud-verdict", "en-rocket-failure",
]
BOILERPLATE_SHARES = [0.12, 0.18, 0.24, 0.30, 0.34, 0.38, 0.42, 0.46, 0.50, 0.54, 0.58]

# Wire articles of which a run of whole sentences is copied into a page of unrelated briefs.
PARTIAL = [
    "fr-bridge-collapse", "fr-central-bank", "fr-football-transfer", "fr-wildfire",
    "fr-election", "fr-vaccine", "fr-court-ruling", "fr-tech-layoffs", "fr-drought",
    "en-port-ransomware", "en-airline-merger", "en-river-flood", "en-rocket-failure",
]

# Second renderings (paragraph-aligned with their wire article) of which a run of whole
# paragraphs is copied into a page of unrelated briefs.
PARTIAL_RENDERING = [
    ("fr-central-bank", "rewrites/fr-central-bank-mt.txt"),
    ("fr-tech-layoffs", "rewrites/fr-tech-layoffs-mt.txt"),
    ("en-airline-merger", "rewrites/en-airline-merger-alt.txt"),
]

# Second renderings (paragraph-aligned with their wire article) of which one short paragraph, one
# to three sentences, is pasted into a page of unrelated briefs: an excerpt of another
# translation, which shares few words in a row with the wire.
EXCERPT_RENDERING = [
    ("fr-vaccine", "rewrites/fr-vaccine-mt.txt"),
    ("fr-football-transfer", "rewrites/fr-football-transfer-mt.txt"),
    ("fr-central-bank", "rewrites/fr-central-bank-mt.txt"),
    ("en-port-ransomware", "rewrites/en-port-ransomware-alt.txt"),
    ("en-fraud-verdict", "rewrites/en-fraud-verdict-alt.txt"),
]

# Paragraphs of second renderings (paragraph-aligned with their wire article) reworded so much
# that, pasted alone into a page of unrelated briefs, they share too little with the wire
# article for a direct comparison: (story, rendering, paragraph index). The page copies the
# wire story only through the rendering, which is a whole copy of it (see src/bridge.rs).
EXCERPT_THROUGH_COPY = [
    ("en-fraud-verdict", "rewrites/en-fraud-verdict-rewrite.txt", 1),
    ("en-port-ransomware", "rewrites/en-port-ransomware-alt.txt", 5),
    ("en-airline-merger", "rewrites/en-airline-merger-alt.txt", 7),
    ("fr-election", "rewrites/fr-election-mt.txt", 2),
    ("fr-vaccine", "rewrites/fr-vaccine-mt.txt", 8),
]

# Hand-labeled pairs: (a, b, relation, containment, note). Containment is a number, or a list
# of passages of A that B does not render (each must occur exactly once in A); the containment
# is then 1 minus their share of A's words.
HAND_PAIRS = [
    # The real seed pair.
    ("seeds/afp-2022-09-albania-iran.txt", "seeds/syndicated-mt-albania-iran.txt", "translation", 0.33,
     "about a third of the AFP text is rendered in the MT page (seeds/README.md)"),

    # Rewrites: a site's light rewording of the wire; listed passages were cut.
    ("wire/fr-bridge-collapse.txt", "rewrites/fr-bridge-collapse-rewrite.txt", "rewrite", [
        "Le président du département, Hervé Duclos, a assuré que \"toutes les préconisations avaient été suivies\".",
        "Ces dernières années, plusieurs rapports parlementaires avaient alerté sur le mauvais état de milliers de ponts gérés par les communes et les départements, faute de moyens consacrés à leur entretien.",
    ], "reworded; one sentence and the last paragraph cut"),
    ("wire/fr-football-transfer.txt", "rewrites/fr-football-transfer-rewrite.txt", "rewrite", [
        "Il compte quatre sélections en équipe de France.",
        "Il s'agit de la deuxième plus grosse vente réalisée par un club de Ligue 1 depuis l'ouverture du marché estival.",
    ], "reworded, clauses reordered; two sentences cut"),
    ("wire/fr-wildfire.txt", "rewrites/fr-wildfire-rewrite.txt", "rewrite", [
        "Selon les premiers éléments de l'enquête, le feu serait parti d'un bas-côté de route. Les gendarmes n'excluaient pas jeudi une origine humaine, volontaire ou non.",
        "service départemental d'incendie et de secours (",
    ], "reworded; the paragraph on the investigation cut"),
    ("wire/fr-vaccine.txt", "rewrites/fr-vaccine-rewrite.txt", "rewrite", [
        ", qui l'a développé",
        "Les effets secondaires les plus fréquents étaient des douleurs au point d'injection et une fatigue passagère.",
        " et sur une recommandation de vaccination pour les travailleurs forestiers",
        "L'action Helvion a bondi de 12 % mardi à la Bourse de Paris.",
    ], "reworded, sentences split; side effects, market reaction and a clause cut"),
    ("wire/fr-port-strike.txt", "rewrites/fr-port-strike-rewrite.txt", "rewrite", [
        "Plusieurs entreprises agroalimentaires de la région ont signalé des difficultés d'approvisionnement.",
        "Le ministre des Transports a appelé dimanche \"toutes les parties à revenir à la table des négociations\", rappelant que le port traite chaque année quelque 9 millions de tonnes de marchandises.",
    ], "reworded; one sentence and the minister's paragraph cut"),
    ("wire/fr-court-ruling.txt", "rewrites/fr-court-ruling-rewrite.txt", "rewrite", [
        ", a-t-il déclaré à la sortie de l'audience",
        "Le parquet avait requis quatre ans de prison, dont deux ferme, lors du procès qui s'était tenu en novembre.",
    ], "reworded; the prosecution's request cut"),
    ("wire/en-port-ransomware.txt", "rewrites/en-port-ransomware-rewrite.txt", "rewrite", [
        "Transport Minister Daniel Okafor said the government was \"in close contact\" with the port and that there was no evidence that other ports had been compromised.",
        "Kessington handles around 1.2 million containers a year.",
    ], "reworded; the minister's paragraph and the last line cut"),
    ("wire/en-river-flood.txt", "rewrites/en-river-flood-rewrite.txt", "rewrite", [
        "The government said it would release emergency funding for affected households, and Environment Minister Paul Hendry was expected to visit the area on Monday.",
    ], "reworded; last paragraph cut"),
    ("wire/en-fraud-verdict.txt", "rewrites/en-fraud-verdict-rewrite.txt", "rewrite", [
        " at trial",
        "They are due to be sentenced later this year.",
    ], "reworded; last sentence cut"),

    # Across languages (docs/cross-lingual.md): French pages carrying English wire copy.
    ("wire/en-rocket-failure.txt", "crosslingual/fr-rocket-failure-traduction.txt", "translation-across", [],
     "whole French translation, sentence by sentence"),
    ("wire/en-port-ransomware.txt", "crosslingual/fr-port-ransomware-extraits.txt", "partial-across", [
        "Ransomware attack halts cargo operations at Port of Kessington",
        "KESSINGTON, March 6 (Reuters) - A ransomware attack has shut down the cargo-handling systems at the Port of Kessington, one of the country's three largest container ports, forcing operators to suspend loading and unloading for a second day on Tuesday, the port authority said.",
        "A group calling itself BlackTide claimed responsibility on a dark web forum late on Monday and threatened to publish what it said were 400 gigabytes of internal data, according to threat intelligence firm Sentrix Labs.",
        "Trucking companies said queues of lorries stretched for more than 6 kilometres on the approach road. The Road Haulage Federation estimated that each day of disruption cost its members about 2 million pounds.",
        "Transport Minister Daniel Okafor said the government was \"in close contact\" with the port and that there was no evidence that other ports had been compromised.",
        "The port authority said it expected to resume limited manual operations on Wednesday, prioritising perishable goods and medical supplies, but warned that full recovery could take up to two weeks.",
        "Kessington handles around 1.2 million containers a year.",
    ], "paragraphs 2-3 of 8 translated into French, inside a French port-news page"),
    ("wire/en-port-ransomware.txt", "crosslingual/fr-rocket-failure-traduction.txt", "unrelated",
     0, "cyberattack vs rocket failure, across languages"),
    ("wire/en-rocket-failure.txt", "crosslingual/fr-port-ransomware-extraits.txt", "unrelated",
     0, "rocket failure vs cyberattack, across languages"),

    # Second renderings of the same underlying text (another translator or MT system).
    ("wire/fr-central-bank.txt", "rewrites/fr-central-bank-mt.txt", "translation", [],
     "second French rendering, sentence by sentence"),
    ("wire/fr-election.txt", "rewrites/fr-election-mt.txt", "translation", [
        "Les observateurs internationaux ont salué un scrutin \"bien organisé\", tout en relevant des inégalités d'accès aux médias pendant la campagne.",
    ], "second French rendering; one paragraph not rendered; MT disclaimer added"),
    ("wire/fr-vaccine.txt", "rewrites/fr-vaccine-mt.txt", "translation", [],
     "second French rendering, sentence by sentence"),
    ("wire/fr-tech-layoffs.txt", "rewrites/fr-tech-layoffs-mt.txt", "translation", [],
     "second French rendering, sentence by sentence"),
    ("wire/fr-football-transfer.txt", "rewrites/fr-football-transfer-mt.txt", "translation", [],
     "second French rendering, sentence by sentence"),
    ("wire/fr-drought.txt", "rewrites/fr-drought-mt.txt", "translation", [
        "Le syndicat mixte envisage de puiser dans la réserve dite \"de sécurité\", qui n'avait jamais été utilisée jusqu'ici.",
    ], "second French rendering; last paragraph not rendered"),
    ("wire/en-port-ransomware.txt", "rewrites/en-port-ransomware-alt.txt", "translation", [],
     "second English rendering, sentence by sentence"),
    ("wire/en-airline-merger.txt", "rewrites/en-airline-merger-alt.txt", "translation", [],
     "second English rendering, sentence by sentence"),
    ("wire/en-fraud-verdict.txt", "rewrites/en-fraud-verdict-alt.txt", "translation", [],
     "second English rendering, sentence by sentence"),

    # Same story, written independently (hard negatives).
    ("wire/fr-bridge-collapse.txt", "independent/fr-bridge-collapse-temoins.txt", "same-story", 0, "independent report, witnesses"),
    ("wire/fr-bridge-collapse.txt", "independent/fr-bridge-collapse-enquete.txt", "same-story", 0, "independent follow-up on the investigation"),
    ("independent/fr-bridge-collapse-temoins.txt", "independent/fr-bridge-collapse-enquete.txt", "same-story", 0, "two independent articles"),
    ("rewrites/fr-bridge-collapse-rewrite.txt", "independent/fr-bridge-collapse-temoins.txt", "same-story", 0, "rewrite of the wire vs independent report"),
    ("wire/fr-central-bank.txt", "independent/fr-central-bank-analyse.txt", "same-story", 0, "independent analysis"),
    ("rewrites/fr-central-bank-mt.txt", "independent/fr-central-bank-analyse.txt", "same-story", 0, "second rendering vs independent analysis"),
    ("wire/fr-football-transfer.txt", "independent/fr-football-transfer-portrait.txt", "same-story", 0, "independent portrait of the player"),
    ("wire/fr-football-transfer.txt", "independent/fr-football-transfer-supporters.txt", "same-story", 0, "independent article on the fans"),
    ("independent/fr-football-transfer-portrait.txt", "independent/fr-football-transfer-supporters.txt", "same-story", 0, "two independent articles"),
    ("rewrites/fr-football-transfer-rewrite.txt", "independent/fr-football-transfer-supporters.txt", "same-story", 0, "rewrite of the wire vs independent article"),
    ("wire/fr-wildfire.txt", "independent/fr-wildfire-reportage.txt", "same-story", 0, "independent field report"),
    ("wire/fr-election.txt", "independent/fr-election-analyse.txt", "same-story", 0, "independent analysis"),
    ("wire/fr-vaccine.txt", "independent/fr-vaccine-sante.txt", "same-story", 0, "independent Q&A"),
    ("rewrites/fr-vaccine-mt.txt", "independent/fr-vaccine-sante.txt", "same-story", 0, "second rendering vs independent Q&A"),
    ("wire/fr-port-strike.txt", "independent/fr-port-strike-reportage.txt", "same-story", 0, "independent field report"),
    ("wire/fr-port-strike.txt", "independent/fr-port-strike-economie.txt", "same-story", 0, "independent article on the economic impact"),
    ("independent/fr-port-strike-reportage.txt", "independent/fr-port-strike-economie.txt", "same-story", 0, "two independent articles"),
    ("wire/fr-court-ruling.txt", "independent/fr-court-ruling-audience.txt", "same-story", 0, "independent court report"),
    ("wire/fr-tech-layoffs.txt", "independent/fr-tech-layoffs-salaries.txt", "same-story", 0, "independent report from one site"),
    ("wire/fr-drought.txt", "independent/fr-drought-agriculteurs.txt", "same-story", 0, "independent report on farmers"),
    ("wire/en-port-ransomware.txt", "independent/en-port-ransomware-analysis.txt", "same-story", 0, "independent analysis"),
    ("wire/en-port-ransomware.txt", "independent/en-port-ransomware-local.txt", "same-story", 0, "independent local report"),
    ("independent/en-port-ransomware-analysis.txt", "independent/en-port-ransomware-local.txt", "same-story", 0, "two independent articles"),
    ("rewrites/en-port-ransomware-rewrite.txt", "independent/en-port-ransomware-local.txt", "same-story", 0, "rewrite of the wire vs independent report"),
    ("wire/en-airline-merger.txt", "independent/en-airline-merger-analysis.txt", "same-story", 0, "independent analysis"),
    ("wire/en-river-flood.txt", "independent/en-river-flood-local.txt", "same-story", 0, "independent local report, next day"),
    ("rewrites/en-river-flood-rewrite.txt", "independent/en-river-flood-local.txt", "same-story", 0, "rewrite of the wire vs independent report"),
    ("wire/en-fraud-verdict.txt", "independent/en-fraud-verdict-courtroom.txt", "same-story", 0, "independent court report"),
    ("rewrites/en-fraud-verdict-alt.txt", "independent/en-fraud-verdict-courtroom.txt", "same-story", 0, "second rendering vs independent report"),
    ("wire/en-rocket-failure.txt", "independent/en-rocket-failure-analysis.txt", "same-story", 0, "independent analysis"),

    # Unrelated: different stories, often the same language and broad domain.
    ("other/fr-musee-reouverture.txt", "wire/fr-bridge-collapse.txt", "unrelated", 0, "museum reopening vs bridge collapse"),
    ("other/fr-musee-reouverture.txt", "wire/fr-court-ruling.txt", "unrelated", 0, "museum vs corruption trial"),
    ("other/fr-cyclisme-etape.txt", "wire/fr-football-transfer.txt", "unrelated", 0, "both sport"),
    ("other/fr-cyclisme-etape.txt", "wire/fr-wildfire.txt", "unrelated", 0, "cycling vs wildfire"),
    ("other/fr-budget-municipal.txt", "wire/fr-central-bank.txt", "unrelated", 0, "both public finance"),
    ("other/fr-budget-municipal.txt", "wire/fr-tech-layoffs.txt", "unrelated", 0, "municipal budget vs layoffs"),
    ("other/en-smartphone-review.txt", "wire/en-rocket-failure.txt", "unrelated", 0, "both technology"),
    ("other/en-marathon.txt", "wire/en-river-flood.txt", "unrelated", 0, "marathon vs flood"),
    ("other/en-library-funding.txt", "wire/en-fraud-verdict.txt", "unrelated", 0, "library funding vs fraud trial"),
    ("other/en-library-funding.txt", "wire/en-airline-merger.txt", "unrelated", 0, "library funding vs airline merger"),
    ("wire/fr-port-strike.txt", "wire/fr-tech-layoffs.txt", "unrelated", 0, "both labour disputes"),
    ("wire/fr-vaccine.txt", "wire/fr-drought.txt", "unrelated", 0, "health vs drought"),
    ("wire/fr-election.txt", "wire/fr-central-bank.txt", "unrelated", 0, "two fictional countries, politics vs monetary policy"),
    ("seeds/afp-2022-09-albania-iran.txt", "wire/fr-election.txt", "unrelated", 0, "both international politics"),
    ("seeds/syndicated-mt-albania-iran.txt", "wire/fr-court-ruling.txt", "unrelated", 0, "diplomacy vs corruption trial"),
    ("wire/en-port-ransomware.txt", "wire/en-airline-merger.txt", "unrelated", 0, "both transport business"),
    ("wire/en-fraud-verdict.txt", "wire/en-rocket-failure.txt", "unrelated", 0, "fraud trial vs rocket failure"),
    ("independent/fr-wildfire-reportage.txt", "independent/fr-drought-agriculteurs.txt", "unrelated", 0, "two different climate stories"),
    ("independent/en-port-ransomware-analysis.txt", "wire/en-rocket-failure.txt", "unrelated", 0, "cyberattack vs rocket failure"),
]

# Negative pairs may share names, figures and one short quote, not running text: the longest
# run of words two documents share, and the share of A's word 5-grams found in B, stay below
# these bounds (accents and case folded).
MAX_SHARED_RUN = 6
MAX_SHINGLE_SHARE = 0.02


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def lang_of(name):
    return "en" if name.startswith("en-") else "fr"


def join_blocks(blocks):
    return "\n\n".join(b.strip("\n") for b in blocks if b) + "\n"


def verbatim_page(rng, name, text, share, site):
    """Wraps the whole text in the boilerplate of `site` until boilerplate makes up `share` of
    the page (in word characters). Returns the page, the share reached and the boilerplate
    blocks."""
    date = STORY_DATES[name]
    paras = [text[s:e] for s, e in paragraphs(text)]
    top = [site["header"], site["crumb"].format(section=SECTIONS[name])]
    bottom = [site["footer"]]
    inserts = {}  # paragraph index -> boilerplate block placed before it
    headlines = shuffled(rng, site["headlines"])
    related = []
    for i, title in enumerate(site["related"]):
        items, headlines = headlines[:4], headlines[4:]
        marks = [f"{k + 1}." for k in range(4)] if i == 1 else ["-"] * 4
        related.append("\n".join([title] + [f"{m} {h}" for m, h in zip(marks, items)]))
    readalso = [site["readalso"].format(headline=h) for h in headlines[:3]]
    if len(related) != 3 or len(readalso) != 3 or any(r.count("\n") != 4 for r in related):
        sys.exit(f"site {site['name']}: needs 3 related titles and 15 headlines")
    optional = shuffled(rng, [
        ("top", site["cookie"]),
        ("after_title", site["byline"].format(date=date)),
        ("insert", None), ("insert", None), ("insert", None),
        ("bottom", site["share"]),
        ("bottom", related[0]), ("bottom", related[1]), ("bottom", related[2]),
        ("bottom", site["newsletter"]),
        ("bottom", site["comments"]),
        ("bottom", site["promo"]),
        ("insert_ad", site["ad"]),
    ])
    after_title = []

    def blocks():
        body = []
        for i, p in enumerate(paras):
            if i in inserts:
                body.append(inserts[i])
            body.append(p)
            if i == 0:
                body.extend(after_title)
        return top + body + bottom

    def boiler_share():
        p = join_blocks(blocks())
        total = word_chars(p)
        return (total - word_chars(text)) / total

    for kind, block in optional:
        if boiler_share() >= share:
            break
        free = [i for i in range(2, len(paras) - 1) if i not in inserts]
        if kind == "top":
            top.insert(1, block)
        elif kind == "after_title":
            after_title.append(block)
        elif kind == "bottom":
            bottom.insert(len(bottom) - 1, block)
        elif free:
            at = pick(rng, free)
            inserts[at] = block if kind == "insert_ad" else readalso.pop()
    out = join_blocks(blocks())
    # Every paragraph of A is in the page, in order, untouched.
    pos = 0
    for p in paras:
        pos = out.index(p, pos) + len(p)
    return out, boiler_share(), [b for b in blocks() if b not in paras]


def brief_page(rng, span_text, site, briefs):
    """A digest page of `site`: header, some unrelated briefs taken from the pool `briefs`, the
    copied span, more briefs, footer. Returns the page and its other blocks."""
    n_before = 1 + int(rng.random() * 3)
    n_after = 1 + int(rng.random() * 3)
    chosen = briefs.take(n_before + n_after)
    blocks = [site["header"], site["title"], site["intro"]]
    blocks += chosen[:n_before]
    blocks.append(span_text)
    blocks += chosen[n_before:]
    if rng.random() < 0.5:
        blocks.append(site["share"])
    blocks.append(site["footer"])
    page = join_blocks(blocks)
    assert span_text in page
    return page, [b for b in blocks if b != span_text]


def choose_span(rng, text, segs, target, lo=0.15, hi=0.8):
    """A contiguous run of segments whose share of the text's word characters is near target
    and within [lo, hi]. Returns (start index, end index exclusive, share of the text's words):
    spans are chosen by characters, as they were before labels counted words, so that the
    documents stay the same."""
    total = word_chars(text)
    cands = []
    for i in range(len(segs)):
        for j in range(i + 1, len(segs) + 1):
            share = word_chars(text, segs[i][0], segs[j - 1][1]) / total
            if lo <= share <= hi:
                cands.append((abs(share - target), i, j, share))
    if not cands:
        sys.exit("no span in range")
    best = min(c[0] for c in cands)
    close = sorted(c for c in cands if c[0] <= best + 0.01)
    _, i, j, _ = pick(rng, close)
    return i, j, word_count(text, segs[i][0], segs[j - 1][1]) / word_count(text)


def check_negative(a, b, ta, tb):
    wa, wb = words_lower(ta), words_lower(tb)
    # Longest common run of words.
    best, prev = 0, [0] * (len(wb) + 1)
    for x in wa:
        cur = [0] * (len(wb) + 1)
        for j, y in enumerate(wb):
            if x == y:
                cur[j + 1] = prev[j] + 1
                if cur[j + 1] > best:
                    best = cur[j + 1]
        prev = cur
    sa = {tuple(wa[i:i + 5]) for i in range(len(wa) - 4)}
    sb = {tuple(wb[i:i + 5]) for i in range(len(wb) - 4)}
    share = len(sa & sb) / max(1, len(sa))
    if best > MAX_SHARED_RUN or share > MAX_SHINGLE_SHARE:
        sys.exit(f"negative pair {a} / {b} shares too much text: run of {best} words, "
                 f"{share:.3f} of 5-grams")
    return best, share


def grams(text, n):
    w = words_lower(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def check_decoration(generated, decoration):
    """What a generated page adds around the copied text (boilerplate, briefs) shares no run of
    more than MAX_SHARED_RUN words with any other document, generated or hand-written."""
    n = MAX_SHARED_RUN + 1
    texts = dict(generated)
    for root, _, files in os.walk(DOCS):
        for f in files:
            d = os.path.relpath(os.path.join(root, f), DOCS).replace(os.sep, "/")
            if not d.startswith("copies/"):
                texts[d] = read_doc(d)
    text_grams = {d: grams(t, n) for d, t in texts.items()}
    for b, blocks in sorted(decoration.items()):
        own = set().union(*(grams(x, n) for x in blocks))
        for d, g in sorted(text_grams.items()):
            common = own & g
            if d != b and common:
                sys.exit(f"{b} shares text that it does not copy with {d}: "
                         f"{' '.join(sorted(common)[0])!r}")


def main():
    # rng chooses what is copied (spans, boilerplate shares); deco dresses the pages (sites,
    # briefs, block order), so that editing the filler moves no copied span.
    rng = random.Random(SEED)
    deco = random.Random(SEED + 1)
    labels = []
    generated = {}
    decoration = {}  # generated page -> its blocks that are not copied text

    sites = {}
    for lang in ("fr", "en"):
        all_sites = read_sites(f"sites-{lang}.txt")
        for kind in SITE_FIELDS:
            sites[lang, kind] = Pool(deco, f"{lang} {kind} sites in generate_filler/sites-{lang}.txt",
                                     [x for x in all_sites if x["kind"] == kind])
    briefs = {lang: Pool(deco, f"filler briefs in generate_filler/briefs-{lang}.txt",
                         read_briefs(f"briefs-{lang}.txt")) for lang in ("fr", "en")}

    # Verbatim copies.
    shares = shuffled(rng, BOILERPLATE_SHARES)
    assert len(shares) == len(VERBATIM)
    for name, share in zip(VERBATIM, shares):
        a = f"wire/{name}.txt"
        site = sites[lang_of(name), "news"].take()[0]
        page, got, blocks = verbatim_page(deco, name, read_doc(a), share, site)
        b = f"copies/verbatim-{name}.txt"
        generated[b], decoration[b] = page, blocks
        labels.append((a, b, "verbatim", fmt(1.0),
                       f"whole article in site boilerplate ({round(got * 100)}% of the page)"))

    # Partial copies: targets spread evenly over [0.15, 0.8].
    n = len(PARTIAL)
    slots = shuffled(rng, range(n))
    for name, slot in zip(PARTIAL, slots):
        target = 0.15 + 0.65 * (slot + 0.5) / n
        a = f"wire/{name}.txt"
        text = read_doc(a)
        segs = units(text, "sentence")
        i, j, share = choose_span(rng, text, segs, target)
        span = text[segs[i][0]:segs[j - 1][1]]
        b = f"copies/partial-{name}.txt"
        site = sites[lang_of(name), "digest"].take()[0]
        generated[b], decoration[b] = brief_page(deco, span, site, briefs[lang_of(name)])
        labels.append((a, b, "partial", fmt(share),
                       f"sentences {i + 1}-{j} of {len(segs)} inside unrelated briefs"))

    # Partial copies of a second rendering: labeled partial against the rendering and
    # translation against the wire, whose aligned paragraphs give the containment.
    for k, (name, rendering) in enumerate(PARTIAL_RENDERING):
        a = f"wire/{name}.txt"
        wire, alt = read_doc(a), read_doc(rendering)
        pw, pr = paragraphs(wire), paragraphs(alt)
        if len(pw) != len(pr):
            sys.exit(f"{rendering} is not paragraph-aligned with {a}")
        target = 0.25 + 0.45 * (k + rng.random()) / len(PARTIAL_RENDERING)
        i, j, share = choose_span(rng, alt, pr, target)
        span = alt[pr[i][0]:pr[j - 1][1]]
        b = f"copies/partial-rendering-{name}.txt"
        site = sites[lang_of(name), "digest"].take()[0]
        generated[b], decoration[b] = brief_page(deco, span, site, briefs[lang_of(name)])
        wire_share = word_count(wire, pw[i][0], pw[j - 1][1]) / word_count(wire)
        labels.append((rendering, b, "partial", fmt(share),
                       f"paragraphs {i + 1}-{j} of {len(pr)} inside unrelated briefs"))
        labels.append((a, b, "translation", fmt(wire_share),
                       f"partial, different rendering: paragraphs {i + 1}-{j} of {len(pw)} "
                       f"rendered by {rendering}"))

    # Excerpts of a second rendering: one short paragraph (not the title), labeled excerpt
    # against the rendering it was cut from and excerpt-translation against the wire, whose aligned
    # paragraph gives the containment. Drawn after everything above, so that adding them left
    # the other documents as they were.
    late_sites = {lang: Pool(deco, f"digest sites in generate_filler/sites-late-{lang}.txt",
                             read_sites(f"sites-late-{lang}.txt")) for lang in ("fr", "en")}
    late_briefs = {lang: Pool(deco, f"filler briefs in generate_filler/briefs-late-{lang}.txt",
                              read_briefs(f"briefs-late-{lang}.txt")) for lang in ("fr", "en")}
    def excerpt_page(name, rendering, choose, b, sites, briefs, how):
        """A page of briefs pasting paragraph `choose(wire, paragraphs of wire)` of `rendering`,
        labeled `excerpt` against the rendering and `excerpt-translation` against the wire."""
        a = f"wire/{name}.txt"
        wire, alt = read_doc(a), read_doc(rendering)
        pw, pr = paragraphs(wire), paragraphs(alt)
        if len(pw) != len(pr):
            sys.exit(f"{rendering} is not paragraph-aligned with {a}")
        i = choose(wire, pw)
        span = alt[pr[i][0]:pr[i][1]]
        site = sites[lang_of(name)].take()[0]
        generated[b], decoration[b] = brief_page(deco, span, site, briefs[lang_of(name)])
        labels.append((rendering, b, "excerpt", fmt(word_count(alt, *pr[i]) / word_count(alt)),
                       f"paragraph {i + 1} of {len(pr)} inside unrelated briefs"))
        labels.append((a, b, "excerpt-translation",
                       fmt(word_count(wire, *pw[i]) / word_count(wire)),
                       f"paragraph {i + 1} of {len(pw)}, as {rendering} {how}, inside "
                       f"unrelated briefs"))

    def short_paragraph(wire, pw):
        return pick(rng, [i for i in range(1, len(pw))
                          if word_count(wire, *pw[i]) / word_count(wire) <= 0.13])

    for name, rendering in EXCERPT_RENDERING:
        excerpt_page(name, rendering, short_paragraph, f"copies/excerpt-rendering-{name}.txt",
                     late_sites, late_briefs, "renders it")

    # Excerpts found only through a whole copy: drawn after the excerpts above, from pools of
    # their own, so that adding them left every earlier page as it was.
    via_sites = {lang: Pool(deco, f"digest sites in generate_filler/sites-via-copy-{lang}.txt",
                            read_sites(f"sites-via-copy-{lang}.txt")) for lang in ("fr", "en")}
    via_briefs = {lang: Pool(deco, f"filler briefs in generate_filler/briefs-via-copy-{lang}.txt",
                             read_briefs(f"briefs-via-copy-{lang}.txt")) for lang in ("fr", "en")}
    for name, rendering, i in EXCERPT_THROUGH_COPY:
        excerpt_page(name, rendering, lambda wire, pw, i=i: i,
                     f"copies/excerpt-via-copy-{name}.txt", via_sites, via_briefs,
                     "rewords it (too much to align with the wire alone)")

    # Hand-labeled pairs.
    for a, b, relation, cont, note in HAND_PAIRS:
        ta, tb = read_doc(a), read_doc(b)
        if isinstance(cont, list):
            missing = 0
            for passage in cont:
                if ta.count(passage) != 1:
                    sys.exit(f"{a}: cut passage not found exactly once: {passage!r}")
                if passage.strip() and passage in tb:
                    sys.exit(f"{b}: cut passage is present: {passage!r}")
                missing += word_count(passage)
            value = fmt(1 - missing / word_count(ta))
        else:
            value = str(cont)
        if relation in NEGATIVE:
            if float(value) != 0:
                sys.exit(f"{a} / {b}: negative pair with containment {value}")
            check_negative(a, b, ta, tb)
        labels.append((a, b, relation, value, note))

    check_decoration(generated, decoration)

    # Write the copies.
    os.makedirs(COPIES, exist_ok=True)
    for f in os.listdir(COPIES):
        if f.endswith(".txt"):
            os.remove(os.path.join(COPIES, f))
    for b, page in sorted(generated.items()):
        check_text(b, page)
        with open(os.path.join(DOCS, b), "w", encoding="utf-8", newline="\n") as f:
            f.write(page)

    # Consistency: known relations, unique pairs, existing documents, every document labeled.
    seen = set()
    for a, b, relation, value, note in labels:
        assert relation in POSITIVE + NEGATIVE, relation
        assert a != b and (a, b) not in seen and (b, a) not in seen, (a, b)
        assert 0.0 <= float(value) <= 1.0, (a, b, value)
        assert "\t" not in note and "\n" not in note
        seen.add((a, b))
        for d in (a, b):
            if not os.path.isfile(os.path.join(DOCS, d)):
                sys.exit(f"labeled document {d} does not exist")
    on_disk = set()
    for root, _, files in os.walk(DOCS):
        for f in files:
            on_disk.add(os.path.relpath(os.path.join(root, f), DOCS).replace(os.sep, "/"))
    unlabeled = sorted(on_disk - {d for p in seen for d in p})
    if unlabeled:
        sys.exit(f"documents in no labeled pair: {unlabeled}")

    labels.sort(key=lambda r: (r[0], r[1]))
    with open(LABELS, "w", encoding="utf-8", newline="\n") as f:
        f.write("a\tb\trelation\tcontainment_a_in_b\tnote\n")
        for row in labels:
            f.write("\t".join(row) + "\n")

    counts = {}
    for row in labels:
        counts[row[2]] = counts.get(row[2], 0) + 1
    print(f"{len(on_disk)} documents, {len(labels)} labeled pairs: "
          + ", ".join(f"{k} {counts[k]}" for k in sorted(counts)))


if __name__ == "__main__":
    main()
