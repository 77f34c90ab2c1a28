"""English word lists for the offline rules (see lexicon.Lexicon for each field)."""

from __future__ import annotations

from evaluation.offline.lexicon import Lexicon

_IRREGULAR_PARTICIPLES = (
    "made|done|given|taken|seen|shown|written|built|sent|paid|held|kept|left|told|found|"
    "brought|bought|chosen|driven|spent|set|put|cut|run|won|lost|met|led|sold|begun|"
    "broken|spoken|grown|drawn|known|hidden|forgotten|understood|overlooked|frozen"
)

# fmt: off
ENGLISH = Lexicon(
    recommend=(
        r"(?:i|we) (?:strongly )?recommend", r"(?:my|our) recommendation", r"recommendation:",
        r"(?:i|we) (?:propose|suggest)", r"(?:my|our) proposal", r"proposal:",
        r"(?:i|we) (?:should|must)", r"we need to (?:approve|decide|move|switch|stop|start)",
        r"(?:i am|i'm|we are|we're) (?:asking|requesting|seeking)", r"(?:i|we) (?:ask|request)",
        r"please (?:approve|decide|confirm|sign)", r"decision (?:needed|required|requested)",
        r"decision:", r"the answer is", r"tl;?dr",
        r"(?:i|we) will (?:require|move|switch|introduce|stop|start|launch|replace|migrate|close"
        r"|hire|roll out|adopt|change|cut|raise|end|retire)",
        r"(?:i|we) (?:plan|intend) to", r"let's (?:move|switch|stop|start|approve)",
    ),
    background=(
        r"background", r"context", r"as (?:you|many of you|most of you) (?:may |might )?know",
        r"over the (?:past|last)", r"in the past", r"historically", r"for (?:some|a long) time",
        r"for the (?:past|last)", r"last (?:year|quarter|month)",
        r"a (?:few|couple of) (?:weeks|months|years) ago", r"some time ago", r"introduction",
        r"i(?: just)? wanted to", r"i(?: am|'m) writing", r"the purpose of this",
        r"as (?:discussed|mentioned)", r"it has come to", r"recently", r"when we (?:started|began)",
    ),
    hedges=(
        (r"i (?:think|believe|feel|guess) (?:that )?", ""), (r"in my (?:opinion|view),? ", ""),
        (r"maybe,? ", ""), (r"perhaps,? ", ""), (r"possibly ", ""), (r"probably ", ""),
        (r"somewhat ", ""), (r"sort of ", ""), (r"kind of ", ""), (r"fairly ", ""),
        (r"hopefully,? ", ""), (r"arguably,? ", ""), (r"to some extent,? ", ""),
        (r"more or less ", ""), (r"it seems (?:that |like )?", ""), (r"seems to", None),
        (r"might", None), (r"could possibly", "could"), (r"(?:we|you) may want to", "we should"),
        (r"it may be worth", "it is worth"), (r"a bit ", ""), (r"it is possible that ", ""),
        (r"not sure", None), (r"i'm not certain", None),
    ),
    jargon=(
        (r"in order to", "to"), (r"leverag(?:e|es|ed|ing)", "use"),
        (r"synerg(?:y|ies|istic)", None), (r"utiliz(?:e|es|ed|ing)", "use"),
        (r"going forward,? ", ""),
        (r"at the end of the day,? ", ""), (r"circle back", "return to"), (r"touch base", "talk"),
        (r"move the needle", None), (r"low-hanging fruit", "quick wins"), (r"paradigm shift", None),
        (r"best-in-class", None), (r"world-class", None), (r"holistic(?:ally)?", None),
        (r"deep dive", "analysis"), (r"bandwidth", "time"), (r"actionable", None),
        (r"due to the fact that", "because"), (r"in light of the fact that", "because"),
        (r"at this point in time", "now"), (r"for the purpose of", "for"),
        (r"with regard to", "about"), (r"in terms of", None),
        (r"it is important to note that ", ""),
        (r"it should be noted that ", ""), (r"needless to say,? ", ""), (r"basically,? ", ""),
        (r"a number of", "several"), (r"in the event that", "if"), (r"prior to", "before"),
        (r"subsequent to", "after"), (r"facilitat(?:e|es|ed|ing)", "help"), (r"ecosystem", None),
        (r"value-add", None), (r"game[- ]changer", None), (r"empower(?:s|ed|ing)?", None),
        (r"seamless(?:ly)?", None), (r"cutting-edge", None), (r"next-generation", None),
        (r"mission-critical", None), (r"think outside the box", None),
        (r"take (?:it|this) offline", "discuss separately"), (r"ducks in a row", None),
        (r"win-win", None), (r"very ", ""), (r"really ", ""),
    ),
    vague=(
        r"significant(?:ly)?", r"substantial(?:ly)?", r"considerabl[ey]", r"huge", r"massive",
        r"dramatic(?:ally)?", r"tremendous(?:ly)?", r"many", r"a lot of", r"lots of", r"numerous",
        r"various", r"greatly", r"much (?:better|more|higher|lower)", r"increasingly",
        r"strong (?:growth|demand|interest)", r"most (?:customers|users|people|teams)",
        r"a (?:big|large|major) (?:impact|improvement|increase|drop)",
        r"(?:very|extremely) (?:positive|good|successful)",
    ),
    passive=(
        r"\b(?:am|is|are|was|were|be|been|being|get|gets|got|gotten)\s+"
        r"(?:(?:not|also|already|still|never|now|then|being|\w+ly)\s+)?"
        r"(?!(?:indeed|need|proceed|exceed|succeed|speed|hundred|red|bed|shed|feed|interested"
        r"|excited|concerned|pleased|worried|tired|involved|surprised|satisfied|disappointed"
        r"|convinced|aligned|committed|supposed|located|qualified|experienced|dedicated"
        r"|complicated|limited|based|welcome)\b)"
        r"(?:[a-z]{2,}ed|" + _IRREGULAR_PARTICIPLES + r")\b"
    ),
    ask=(
        r"please (?:approve|decide|confirm|sign|review and approve|reply|choose|allocate"
        r"|authori[sz]e|send|share|tell)",
        r"(?:i|we) (?:need|would like) your (?:approval|decision|sign-off|go-ahead|agreement)",
        r"(?:i am|i'm|we are|we're) (?:asking|requesting|seeking)", r"(?:i|we) (?:ask|request)",
        r"decision (?:needed|required|requested)",
        r"(?:approve|approval of|sign off on|sign-off on|green light|go-ahead)",
        r"(?:can|could) you (?:approve|confirm|decide|sign)",
    ),
    soft_ask=(
        r"let (?:me|us) know", r"(?:your|any) (?:thoughts|feedback|input|comments)",
        r"(?:happy|glad) to discuss", r"let's discuss", r"open to (?:ideas|suggestions)",
        r"what do you think", r"worth (?:discussing|a conversation)",
        r"keep (?:you|everyone) posted",
    ),
    deadline=(
        r"by (?:the )?end of (?:the )?(?:day|week|month|quarter|year)",
        r"end of (?:day|week|month|quarter)", r"eod", r"eow", r"tomorrow", r"(?:this|next) week",
        r"within \d+ (?:business |working )?(?:days|weeks)", r"deadline", r"no later than",
        r"before (?:the )?(?:board|meeting|launch|review|offsite)",
    ),
    months=(
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec",
    ),
    weekdays=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    owner=(r"@[\w.-]+", r"owners?:?", r"responsible", r"led by", r"accountable", r"dri:?"),
    next_steps=(r"next steps?", r"action items?", r"actions", r"timeline", r"plan", r"owners"),
    risk=(
        r"risks?", r"risky", r"downsides?", r"(?:could|might|may) fail", r"failures?",
        r"threats?", r"concerns?", r"exposure", r"worst case", r"uncertain(?:ty)?",
        r"if (?:\w+ ){1,6}(?:fails?|slips?|drops?|doesn't|does not|misses|is late|are late)",
        r"(?:could|may|might) (?:hit|hurt|delay|rise|fall|drop|increase|slip|lose|damage|"
        r"break|cause|stall|leak)",
    ),
    mitigation=(
        r"mitigat\w*", r"fall ?back", r"contingency", r"plan b", r"safeguards?",
        r"cap (?:the|it|spend)", r"limit (?:the|our)", r"reduce the risk", r"roll ?back",
        r"pilot", r"phased?", r"monitor\w*", r"guardrails?", r"kill switch", r"exit clause",
        r"we (?:will|would) stop", r"trigger", r"checkpoint", r"reversible", r"hedge against",
    ),
    cost=(
        r"costs?", r"budget", r"spend", r"investment", r"headcount", r"ftes?", r"effort",
        r"premiums?", r"fees?", r"savings?", r"saves?", r"one-off",
        r"(?:weeks|months|days) of (?:work|effort|engineering)",
        r"person-(?:weeks|months|days)", r"engineer-(?:weeks|months)", r"price", r"expense",
    ),
    alternative=(
        r"alternatives?", r"(?:other|two|three|alternative|the|an?) options?",
        r"option [a-c1-3]", r"instead", r"we (?:also )?considered", r"trade-?offs?",
        r"rejected", r"do nothing", r"status quo",
        r"otherwise",
    ),
    source=(
        r"according to", r"source:?", r"data from", r"survey", r"report", r"dashboard",
        r"benchmark", r"audit", r"study", r"analysis of",
    ),
    assumption=(r"assum\w+", r"estimate[ds]?", r"forecast", r"projection", r"if we hold"),
    comparison=(
        r"from", r"vs\.?", r"versus", r"compared", r"up", r"down", r"baseline", r"than",
        r"per", r"year over year", r"yoy", r"qoq", r"since", r"last (?:year|quarter|month)",
        r"previous", r"target", r"average", r"(?:a|each) (?:year|month|week|day)",
        r"annually", r"monthly",
    ),
    split_after=(";", ", and", ", but", ", so", " and", " but"),
    clause_start=r"(?:i|we|you|they|it|this|that|these|there|the|our|he|she|as a result)\b",
    drop_on_split=("and", "so"),
    long_sentence_words=25,
    very_long_sentence_words=35,
)
# fmt: on
