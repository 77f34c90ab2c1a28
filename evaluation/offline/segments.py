"""Pick the 3-6 sentences most worth commenting on and turn their notes into segments.

Problems outrank praise; one segment per sentence, so a sentence with a hedge and
jargon gets one comment and one combined rewrite. Offsets come from the sentence
splitter, so ``memo[start:end] == quote`` holds by construction.
"""

from __future__ import annotations

from evaluation.offline.analysis import Analysis
from evaluation.offline.messages import say
from evaluation.offline.notes import Note, answer_notes, ask_notes, clarity_notes, praise_notes
from evaluation.offline.rewrites import apply_rewrites, shorten
from evaluation.offline.signals import Kind
from evaluation.offline.text_stats import Sentence
from evaluation.result import Segment

MAX_SEGMENTS, MIN_SEGMENTS, MAX_PROBLEMS = 6, 3, 5
MAX_QUOTE = 300
MAX_QUESTIONS, MAX_SUGGESTIONS, COMMENTS = 2, 3, 2
_REWRITABLE = (Kind.HEDGE, Kind.JARGON, Kind.STYLE)


def _suggestions(a: Analysis, sentence: Sentence, notes: list[Note]) -> list[str]:
    """Each note's suggestions in priority order; the combined rewrite of hedges and
    jargon goes where the first such note is."""
    hits = [h for kind in _REWRITABLE for h in a.signals.at(sentence.index, kind)]
    rewrite = apply_rewrites(sentence, hits) if hits else None
    out: list[str] = []
    for note in notes:
        if note.rewritable and rewrite:
            out.append(say(a.language, "sg_rewrite", text=shorten(rewrite)))
            rewrite = None
        out += [s for s in note.suggestions if s not in out]
    return out[:MAX_SUGGESTIONS]


def _quote_end(a: Analysis, sentence: Sentence) -> int:
    """The sentence end, or the last word boundary within MAX_QUOTE characters."""
    if sentence.end - sentence.start <= MAX_QUOTE:
        return sentence.end
    window = a.text[sentence.start : sentence.start + MAX_QUOTE]
    cut = window.rfind(" ")
    kept = window[:cut].rstrip() if cut > 0 else window
    return sentence.start + (len(kept) if kept else MAX_QUOTE)


def _segment(a: Analysis, sentence: Sentence, notes: list[Note]) -> Segment:
    notes = sorted(notes, key=lambda n: -n.priority)
    end = _quote_end(a, sentence)
    return Segment(
        quote=a.text[sentence.start : end],
        start=sentence.start,
        end=end,
        comment=" ".join(n.comment for n in notes[:COMMENTS]),
        questions=list(dict.fromkeys(n.question for n in notes))[:MAX_QUESTIONS],
        suggestions=_suggestions(a, sentence, notes),
    )


def build_segments(a: Analysis) -> list[Segment]:
    """Up to 5 problem segments, topped up with praise to at least 3 (at most 6)."""
    if not a.prose:
        return []
    found: dict[int, tuple[Sentence, list[Note]]] = {}

    def add(sentence: Sentence, note: Note) -> None:
        found.setdefault(sentence.index, (sentence, []))[1].append(note)

    for builder in (answer_notes, clarity_notes, ask_notes):
        builder(a, add)
    ranked = sorted(found.values(), key=lambda e: (-max(n.priority for n in e[1]), e[0].index))
    chosen = {s.index: (s, notes) for s, notes in ranked[:MAX_PROBLEMS]}
    praise_slots = max(MIN_SEGMENTS - len(chosen), 1)
    for sentence, note in praise_notes(a):
        if praise_slots == 0 or len(chosen) >= MAX_SEGMENTS:
            break
        if sentence.index not in chosen:
            chosen[sentence.index] = (sentence, [note])
            praise_slots -= 1
    ordered = sorted(chosen.values(), key=lambda e: e[0].start)
    return [_segment(a, sentence, notes) for sentence, notes in ordered]
