"""What to say about individual sentences: one note per problem or merit found.

Notes carry a priority (problems 35-100, praise 24-30) so `segments.py` can choose the
most useful sentences; the numbers only matter relative to each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evaluation.offline.analysis import Analysis
from evaluation.offline.messages import quote, say
from evaluation.offline.rewrites import active_verb, shorten, split_long
from evaluation.offline.signals import Hit, Kind
from evaluation.offline.text_stats import Sentence


@dataclass(frozen=True)
class Note:
    priority: float
    comment: str
    question: str
    suggestions: tuple[str, ...] = ()
    rewritable: bool = False
    """The sentence's combined hedge/jargon rewrite belongs with this note."""


Add = Callable[[Sentence, Note], None]


def _phrases(hits: tuple[Hit, ...]) -> str:
    return ", ".join(quote(p, 40) for p in dict.fromkeys(h.phrase for h in hits))


def answer_notes(a: Analysis, add: Add) -> None:
    lang, rec = a.language, a.recommendation
    if rec is not None and rec not in a.lead:
        comment = say(lang, "seg_buried", position=a.position(rec))
        moves = (say(lang, "sg_move_top"), say(lang, "sg_cut_background"))
        add(rec, Note(100, comment, say(lang, "q_two_lines"), moves))
    if rec is None or rec not in a.lead:
        first = a.prose[0]
        background = a.signals.has(first.index, Kind.BACKGROUND)
        comment = say(lang, "seg_background_opener" if background else "seg_no_point")
        add(
            first,
            Note(90, comment, say(lang, "q_what_decision"), (say(lang, "sg_open_with_answer"),)),
        )


def _long_note(a: Analysis, s: Sentence) -> Note:
    lang, limit = a.language, a.lexicon.long_sentence_words
    split = split_long(s, a.lexicon)
    suggestion = (
        say(lang, "sg_split", first=split[0], second=split[1])
        if split
        else say(lang, "sg_split_generic", limit=limit)
    )
    priority = 60 + min(s.words - limit, 30)
    return Note(
        priority, say(lang, "seg_long", words=s.words), say(lang, "q_long_one_idea"), (suggestion,)
    )


def _word_notes(a: Analysis, s: Sentence) -> list[Note]:
    lang, sig, notes = a.language, a.signals, []
    if hedges := sig.at(s.index, Kind.HEDGE):
        generic = [
            say(lang, "sg_hedge_generic", phrase=h.phrase) for h in hedges if h.rewrite is None
        ]
        notes.append(
            Note(
                55,
                say(lang, "seg_hedge", phrases=_phrases(hedges)),
                say(lang, "q_hedge"),
                tuple(generic[:1]),
                rewritable=True,
            )
        )
    vague = sig.at(s.index, Kind.VAGUE)
    if vague and not sig.has(s.index, Kind.QUANTITY):
        notes.append(
            Note(
                50,
                say(lang, "seg_vague", phrases=_phrases(vague)),
                say(lang, "q_how_much"),
                (say(lang, "sg_add_figure", phrase=vague[0].phrase),),
            )
        )
    if jargon := sig.at(s.index, Kind.JARGON):
        plain = [say(lang, "sg_jargon_plain", phrase=h.phrase) for h in jargon if h.rewrite is None]
        notes.append(
            Note(
                45,
                say(lang, "seg_jargon", phrases=_phrases(jargon)),
                say(lang, "q_plain"),
                tuple(plain[:1]),
                rewritable=True,
            )
        )
    for hit in sig.at(s.index, Kind.STYLE)[:1]:
        message = hit.note.split(": ", 1)[-1]
        fallback = () if hit.rewrite else (say(lang, "sg_style_generic", phrase=hit.phrase),)
        notes.append(
            Note(
                40,
                say(lang, "seg_style", phrase=quote(hit.phrase, 40), message=message),
                say(lang, "q_plain"),
                fallback,
                rewritable=True,
            )
        )
    if passive := sig.at(s.index, Kind.PASSIVE):
        phrase = passive[0].phrase
        verb = active_verb(phrase, lang)
        suggestion = (
            say(lang, "sg_active", active=verb, phrase=phrase)
            if verb
            else say(lang, "sg_active_generic", phrase=phrase)
        )
        notes.append(
            Note(
                35,
                say(lang, "seg_passive", phrase=_phrases(passive)),
                say(lang, "q_who"),
                (suggestion,),
            )
        )
    return notes


def clarity_notes(a: Analysis, add: Add) -> None:
    for s in a.stats.long_sentences:
        add(s, _long_note(a, s))
    for s in a.prose:
        for note in _word_notes(a, s):
            add(s, note)


def ask_notes(a: Analysis, add: Add) -> None:
    lang = a.language
    if a.asks and not any(a.ask_deadline(s) for s in a.asks):
        ask = a.asks[0]
        text = shorten(ask.text.rstrip(" .!?…"), 160)
        add(
            ask,
            Note(
                70,
                say(lang, "seg_ask_no_deadline"),
                say(lang, "q_when_decide"),
                (say(lang, "sg_add_deadline", text=text),),
            ),
        )
    elif not a.asks and a.soft_asks:
        add(
            a.soft_asks[0],
            Note(
                65,
                say(lang, "seg_soft_ask"),
                say(lang, "q_what_exactly"),
                (say(lang, "sg_specific_ask"),),
            ),
        )


def praise_notes(a: Analysis) -> list[tuple[Sentence, Note]]:
    """Sentences worth keeping as they are, best first."""
    lang, sig, out = a.language, a.signals, []
    if a.recommendation is not None and a.recommendation in a.lead:
        out.append(
            (
                a.recommendation,
                Note(
                    30,
                    say(lang, "seg_good_lead"),
                    say(lang, "q_decision_clear"),
                    (say(lang, "sg_keep_top"),),
                ),
            )
        )
    timed = [s for s in a.asks if s.is_prose and a.ask_deadline(s)]
    if timed:
        out.append(
            (
                timed[0],
                Note(
                    28,
                    say(lang, "seg_good_ask"),
                    say(lang, "q_consequence"),
                    (say(lang, "sg_ask_consequence"),),
                ),
            )
        )
    if a.numeric_in_context:
        best = max(
            a.numeric_in_context, key=lambda s: (len(sig.at(s.index, Kind.QUANTITY)), -s.index)
        )
        key = "sg_keep_evidence" if sig.has(best.index, Kind.SOURCE) else "sg_cite_source"
        out.append(
            (
                best,
                Note(26, say(lang, "seg_good_evidence"), say(lang, "q_source"), (say(lang, key),)),
            )
        )
    handled = [
        s for s in a.prose if sig.has(s.index, Kind.RISK) and sig.has(s.index, Kind.MITIGATION)
    ]
    if handled:
        out.append(
            (
                handled[0],
                Note(
                    24,
                    say(lang, "seg_good_risk"),
                    say(lang, "q_trigger"),
                    (say(lang, "sg_trigger"),),
                ),
            )
        )
    return out
