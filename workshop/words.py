"""One-word answers, folded so that the room's word cloud counts a word once however it was
typed: "Trust", "trust!" and "TRUST" are one word, "Vertrauen" and "vertrauen" too; accents,
simple plurals and the little words of each language fold away."""

import re
import unicodedata

# Words that say nothing alone, in the languages the app speaks; a folded word among them is
# no answer for the cloud (the person still sees what they typed).
STOP_WORDS = {
    "en": "a an and are as at be but by for from i in is it me my of on or so the to we with you",
    "de": "der die das den dem des ein eine einen und oder ich du wir mit von zu im in ist es",
    "fr": "le la les un une des et ou je tu nous de du au aux en est il elle on",
    "es": "el la los las un una unos unas y o yo tu nosotros de del al en es con por para",
}
STOPS = {word for words in STOP_WORDS.values() for word in words.split()}
WORD_CHARACTERS = re.compile(r"[^\w'-]+")


def fold(text: str) -> str:
    """The answer as the cloud counts it: its words lower-cased, without accents or the
    punctuation around them, each plural folded to its singular, little words left out; ""
    when nothing is left."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = [word.strip("'-") for word in WORD_CHARACTERS.split(plain)]
    return " ".join(_singular(word) for word in words if word and word not in STOPS)


def _singular(word: str) -> str:
    """A simple plural's singular: "reps" → "rep", "stories" → "story" ("boss" stays)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
